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
      "Attempts per call, for transient faults (5xx, 408, timeouts and connection errors, "
          + "retried with exponential backoff), before the change is written with "
          + "enrichment_status FAILED. Quota refusals (429) do not count: they are retried until "
          + "--enrichMaxRetrySeconds.")
  @Default.Integer(6)
  Integer getEnrichMaxAttempts();

  void setEnrichMaxAttempts(Integer value);

  @Description(
      "The job's Classroom call budget per minute, for the one user every call is made as (the "
          + "grant's user or the delegated user): gets, lists and registration creates of all "
          + "workers together. The API allows 1,200 per minute per user on a 60 s moving "
          + "average; the default 1,000 leaves headroom for other apps of the same user. On "
          + "runners other than the DirectRunner it is split evenly among --maxNumWorkers. 0 "
          + "turns the budget off (429s are still waited out); embedded runs against the "
          + "simulator default to 0.")
  @Default.Integer(1000)
  Integer getMaxCallsPerMinute();

  void setMaxCallsPerMinute(Integer value);

  @Description(
      "The job's share of the Classroom quota per client project, in calls per minute (the API "
          + "allows 3,000 per project on a 60 s moving average, for all users of the project "
          + "together). The job keeps to the smaller of this and --maxCallsPerMinute.")
  @Default.Integer(2500)
  Integer getMaxProjectCallsPerMinute();

  void setMaxProjectCallsPerMinute(Integer value);

  @Description(
      "Answer a pane's changes from list calls (courses.students.list, teachers.list, "
          + "courseWork.list, studentSubmissions.list per course work) when listing the "
          + "collection costs fewer calls than one get per distinct resource; the collection "
          + "sizes are learned as lists come back. false makes one get per distinct resource.")
  @Default.Boolean(true)
  Boolean getCourseLevelFetch();

  void setCourseLevelFetch(Boolean value);

  @Description(
      "Longest time, in seconds, that retries of one set of Classroom calls (a pane's gets or "
          + "lists, a renewal pass's creates) may take. Calls refused for quota (429 "
          + "RESOURCE_EXHAUSTED) are retried, slower, until then; a change is written FAILED for "
          + "quota only after it.")
  @Default.Integer(300)
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
