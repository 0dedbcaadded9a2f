package io.chalkstream.stream;

import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.DeadLetterCoder;
import io.chalkstream.deadletter.GlobalWindow;
import io.chalkstream.deadletter.WithDeadLetters;
import io.chalkstream.enrich.EnrichChanges;
import io.chalkstream.enrich.EnrichedChange;
import io.chalkstream.enrich.WindowByCourse;
import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import io.chalkstream.history.TableRows;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.ParseNotifications;
import io.chalkstream.privacy.PiiPolicy;
import io.chalkstream.registration.FilterByRegistration;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.Deduplicate;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The heart of Chalkstream, the same in production, locally and in tests: Pub/Sub messages in,
 * rows for every table out ({@link HistoryRows}). Every message becomes exactly one change row or
 * one PARSE dead letter; a failed enrichment adds an ENRICH dead letter beside its change row.
 */
public final class ProcessNotifications
    extends PTransform<PCollection<PubsubMessage>, HistoryRows> {
  private final Duration window;
  private final Duration allowedLateness;
  private final ClassroomClientConfig classroom;
  private final RetryPolicy retryPolicy;
  private final @Nullable FilterByRegistration filter;
  private final Duration dedupeHorizon;
  private final PiiPolicy pii;

  public ProcessNotifications(Duration window, Duration allowedLateness,
      ClassroomClientConfig classroom, RetryPolicy retryPolicy) {
    this(window, allowedLateness, classroom, retryPolicy, null, Duration.ZERO, PiiPolicy.keep());
  }

  private ProcessNotifications(Duration window, Duration allowedLateness,
      ClassroomClientConfig classroom, RetryPolicy retryPolicy,
      @Nullable FilterByRegistration filter, Duration dedupeHorizon, PiiPolicy pii) {
    this.window = window;
    this.allowedLateness = allowedLateness;
    this.classroom = classroom;
    this.retryPolicy = retryPolicy;
    this.filter = filter;
    this.dedupeHorizon = dedupeHorizon;
    this.pii = pii;
  }

  /** Lets through only notifications of known registrations; others become FILTER dead letters. */
  public ProcessNotifications withFilter(FilterByRegistration filter) {
    return new ProcessNotifications(window, allowedLateness, classroom, retryPolicy, filter,
        dedupeHorizon, pii);
  }

  /** Keeps, hashes or drops personal data in the change rows ({@code --piiMode}). */
  public ProcessNotifications withPii(PiiPolicy pii) {
    return new ProcessNotifications(window, allowedLateness, classroom, retryPolicy, filter,
        dedupeHorizon, pii);
  }

  /**
   * Drops a message whose id was already seen within {@code horizon} (Pub/Sub redelivers);
   * zero keeps every delivery (the sinks are idempotent by message id anyway).
   */
  public ProcessNotifications withDedupe(Duration horizon) {
    return new ProcessNotifications(window, allowedLateness, classroom, retryPolicy, filter,
        horizon, pii);
  }

  public static ProcessNotifications from(ChalkstreamOptions options) {
    if (options.getWindowSeconds() == null || options.getWindowSeconds() <= 0) {
      throw new IllegalArgumentException(
          "--windowSeconds must be a positive number of seconds, got " + options.getWindowSeconds());
    }
    if (options.getDedupeMinutes() == null || options.getDedupeMinutes() < 0) {
      throw new IllegalArgumentException("--dedupeMinutes must be 0 (off) or more, got "
          + options.getDedupeMinutes());
    }
    return new ProcessNotifications(Duration.standardSeconds(options.getWindowSeconds()),
        Duration.standardHours(options.getAllowedLatenessHours()),
        ClassroomClientConfig.forGets(options), RetryPolicy.from(options))
        .withDedupe(Duration.standardMinutes(options.getDedupeMinutes()))
        .withPii(PiiPolicy.from(options));
  }

  // Pub/Sub always sets a message id; one without is never taken for a redelivery.
  private static String deliveryKey(PubsubMessage m) {
    return m.getMessageId() != null ? m.getMessageId() : "no-id-" + java.util.UUID.randomUUID();
  }

  @Override
  public HistoryRows expand(PCollection<PubsubMessage> messages) {
    if (dedupeHorizon.isLongerThan(Duration.ZERO)) {
      messages = messages.apply("DropRedeliveries", Deduplicate
          .<PubsubMessage, String>withRepresentativeValueFn(ProcessNotifications::deliveryKey)
          .withRepresentativeType(TypeDescriptors.strings())
          .withDuration(dedupeHorizon));
    }
    WithDeadLetters<Notification> parsed = messages.apply("Parse", new ParseNotifications());
    PCollection<Notification> notifications = parsed.output();
    PCollectionList<DeadLetter> early = PCollectionList.of(parsed.deadLetters());
    if (filter != null) {
      WithDeadLetters<Notification> filtered = notifications.apply("FilterByRegistration", filter);
      notifications = filtered.output();
      early = early.and(filtered.deadLetters());
    }
    WithDeadLetters<EnrichedChange> enriched = notifications
        .apply("WindowByCollectionAndCourse", new WindowByCourse(window, allowedLateness))
        .apply("Enrich", new EnrichChanges(classroom, retryPolicy));
    PCollection<DeadLetter> deadLetters =
        early.and(enriched.deadLetters()
                .apply("DeadLettersToGlobalWindow", GlobalWindow.<DeadLetter>of()))
            .apply("FlattenDeadLetters", Flatten.pCollections())
            .setCoder(DeadLetterCoder.of());
    return enriched.output().apply("ToChangeRows", new TableRows.FromChanges(pii))
        .and(Table.DEAD_LETTERS,
            deadLetters.apply("ToDeadLetterRows", new TableRows.FromDeadLetters()));
  }
}
