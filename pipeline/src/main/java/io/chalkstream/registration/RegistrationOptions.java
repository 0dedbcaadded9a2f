package io.chalkstream.registration;

import io.chalkstream.classroom.ClassroomOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of registration renewal ({@code ./chalkstream renew} and the stream's side branch). */
public interface RegistrationOptions extends ClassroomOptions {
  @Description(
      "Pub/Sub topic Classroom publishes notifications to, projects/P/topics/T. Required for "
          + "renewal; classroom-notifications@system.gserviceaccount.com needs the Pub/Sub "
          + "publisher role on it.")
  String getRegistrationTopic();

  void setRegistrationTopic(String value);

  @Description("Register the domain-wide roster feed (DOMAIN_ROSTER_CHANGES).")
  @Default.Boolean(false)
  Boolean getRegisterDomainRoster();

  void setRegisterDomainRoster(Boolean value);

  @Description(
      "Per-course feeds to register for each course of --courses: ROSTER "
          + "(COURSE_ROSTER_CHANGES), COURSE_WORK (COURSE_WORK_CHANGES), both comma-separated, or "
          + "empty for none.")
  @Default.String("ROSTER,COURSE_WORK")
  String getCourseFeeds();

  void setCourseFeeds(String value);

  @Description(
      "Seconds between two renewal passes of the streaming job; registrations last 7 days, so "
          + "the default of one day leaves six more chances before any lapses.")
  @Default.Integer(86400)
  Integer getRenewEverySeconds();

  void setRenewEverySeconds(Integer value);

  @Description(
      "stream: renew a feed once its registration expires within this many hours (plus up to as "
          + "much again, different for each feed, so renewals spread over the days); must exceed "
          + "--renewEverySeconds by an hour. Feeds the job has not registered yet are renewed on "
          + "the first pass. ./chalkstream renew renews every feed.")
  @Default.Integer(48)
  Integer getRenewBeforeExpiryHours();

  void setRenewBeforeExpiryHours(Integer value);

  @Description(
      "stream: renew registrations in the streaming job itself (a side branch that runs a pass "
          + "at start and every --renewEverySeconds), writing the registrations table. On by "
          + "default on embedded runs.")
  @Default.Boolean(false)
  Boolean getRenewRegistrations();

  void setRenewRegistrations(Boolean value);

  @Description(
      "stream: accept notifications whose registrationId this project's renewal did not create "
          + "(or that have none). Default: false when --renewRegistrations is on, true otherwise. "
          + "When false, they become FILTER dead letters ('unknown registration').")
  Boolean getAcceptUnknownRegistrations();

  void setAcceptUnknownRegistrations(Boolean value);
}
