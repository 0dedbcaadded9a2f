package io.chalkstream.stream;

import io.chalkstream.history.HistoryOptions;
import io.chalkstream.privacy.PrivacyOptions;
import io.chalkstream.registration.RegistrationOptions;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of {@code ./chalkstream stream}; each {@code @Description} is its documentation. */
public interface ChalkstreamOptions
    extends RegistrationOptions, HistoryOptions, PrivacyOptions, PubsubOptions {
  @Description(
      "Pub/Sub subscription with Classroom notifications, projects/P/subscriptions/S. Use "
          + "--pubsubRootUrl=http://127.0.0.1:8085 for the Pub/Sub emulator.")
  String getSubscription();

  void setSubscription(String value);

  @Description(
      "Length in seconds of the fixed windows that group notifications by collection and course; "
          + "notifications of one resource in a window share one get call.")
  @Default.Integer(60)
  Integer getWindowSeconds();

  void setWindowSeconds(Integer value);

  @Description(
      "How long, in hours, a window still accepts late notifications (each fires a late pane). "
          + "Keep it above any delay the subscription can have.")
  @Default.Integer(48)
  Integer getAllowedLatenessHours();

  void setAllowedLatenessHours(Integer value);

  @Description(
      "Minutes within which a second delivery of the same Pub/Sub message id is dropped before "
          + "parsing (Pub/Sub delivers at least once); 0 keeps every delivery. The sinks are "
          + "idempotent by message id too, and the views keep one row per message id.")
  @Default.Integer(10)
  Integer getDedupeMinutes();

  void setDedupeMinutes(Integer value);

  @Description(
      "Local runs: stop cleanly after this many seconds in which nothing moved (no message "
          + "read, no row written, no Classroom call), every buffered window flushed (at least 15 s while nothing has been read, as the reader starts); "
          + "0 runs until stopped.")
  @Default.Integer(0)
  Integer getStopAfterIdleSeconds();

  void setStopAfterIdleSeconds(Integer value);

  @Description(
      "Embedded runs (no --subscription): how many notifications the simulated school publishes "
          + "before the run flushes and ends.")
  @Default.Integer(2000)
  Integer getSimulationMessages();

  void setSimulationMessages(Integer value);

  @Description("Embedded runs: milliseconds between two steps of simulated school activity.")
  @Default.Integer(10)
  Integer getSimulationPaceMillis();

  void setSimulationPaceMillis(Integer value);

  @Description(
      "Embedded runs: percent of the simulated school's notifications withheld, its changes made "
          + "all the same (as a lapsed registration or a revoked grant would do), so that "
          + "./chalkstream reconcile has drift to find.")
  @Default.Integer(0)
  Integer getSimulationDropPercent();

  void setSimulationDropPercent(Integer value);
}
