package io.chalkstream.classroom;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How Chalkstream reaches the Classroom API. */
public interface ClassroomOptions extends PipelineOptions {
  @Description(
      "Classroom API root URL. Default https://classroom.googleapis.com/; a loopback URL (e.g. the "
          + "built-in test server) is called without credentials.")
  @Default.String("https://classroom.googleapis.com/")
  String getClassroomRootUrl();

  void setClassroomRootUrl(String value);

  @Description(
      "Path of an OAuth authorized-user JSON (client id, client secret, refresh token) used for "
          + "Classroom calls. Alternative to --classroomCredentialsSecret. Without either, "
          + "Application Default Credentials are used.")
  String getClassroomCredentialsFile();

  void setClassroomCredentialsFile(String value);

  @Description(
      "Secret Manager secret version holding the authorized-user JSON, "
          + "projects/P/secrets/S/versions/V (e.g. .../versions/latest).")
  String getClassroomCredentialsSecret();

  void setClassroomCredentialsSecret(String value);

  @Description(
      "With Application Default Credentials of a service account key: the Workspace user to "
          + "impersonate by domain-wide delegation for the get calls (an admin or a teacher who can "
          + "read the courses). Get calls accept delegation; registrations do not.")
  String getClassroomDelegatedUser();

  void setClassroomDelegatedUser(String value);

  @Description(
      "Ask for the classroom.profile.emails scope so roster rows carry email_address. false "
          + "requests read-only roster and coursework scopes only.")
  @Default.Boolean(true)
  Boolean getFetchEmails();

  void setFetchEmails(Boolean value);

  @Description("Connect and read timeout of one Classroom HTTP request, in seconds.")
  @Default.Integer(30)
  Integer getClassroomTimeoutSeconds();

  void setClassroomTimeoutSeconds(Integer value);

  @Description(
      "Attempts per get call before the change is written with enrichment_status FAILED "
          + "(429, 5xx, timeouts and connection errors are retried with exponential backoff).")
  @Default.Integer(6)
  Integer getEnrichMaxAttempts();

  void setEnrichMaxAttempts(Integer value);

  @Description(
      "Client-side throttle: the most Classroom calls (gets and registration creates) per minute "
          + "for the whole job, kept below the API quota of 3,000 per minute per project; on "
          + "Dataflow it is divided among --maxNumWorkers. 0 turns the throttle off (429s are "
          + "still retried with backoff); embedded runs against the simulator default to 0.")
  @Default.Integer(2400)
  Integer getMaxCallsPerMinute();

  void setMaxCallsPerMinute(Integer value);

  @Description("Longest time, in seconds, that retries of one pane's get calls may take.")
  @Default.Integer(120)
  Integer getEnrichMaxRetrySeconds();

  void setEnrichMaxRetrySeconds(Integer value);

  @Description(
      "Courses whose feeds are registered, and that snapshot and reconcile read: ALL (every "
          + "ACTIVE course, listed again on every pass, so new courses get feeds and archived ones "
          + "stop being renewed) or comma-separated course ids.")
  @Default.String("ALL")
  String getCourses();

  void setCourses(String value);
}
