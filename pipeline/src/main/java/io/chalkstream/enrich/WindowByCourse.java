package io.chalkstream.enrich;

import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Groups notifications into fixed windows of publish time, keyed by (collection, course), so the
 * notifications of one pane can share get calls and HTTP batches.
 *
 * <p>Triggering: a pane fires when the watermark passes the end of its window (the normal case)
 * and also, early, one window length of processing time after its first element. The early firing
 * matters where the watermark holds still: the Pub/Sub reader on the DirectRunner does not advance
 * it while the subscription is idle, so without it a quiet subscription would never flush. Data
 * behind the watermark is not dropped: within the allowed lateness (two days by default, far beyond
 * how far Pub/Sub's watermark estimate can run ahead of a redelivered message) each late element
 * fires a late pane after the same processing-time delay, so late bursts still coalesce. Panes are
 * discarding, and empty on-time panes are not fired: every notification is in exactly one pane.
 */
public final class WindowByCourse
    extends PTransform<PCollection<Notification>, PCollection<KV<String, Iterable<Notification>>>> {
  private final Duration window;
  private final Duration allowedLateness;

  public WindowByCourse(Duration window, Duration allowedLateness) {
    if (window.getMillis() <= 0) {
      throw new IllegalArgumentException("--windowSeconds must be positive, got " + window);
    }
    this.window = window;
    this.allowedLateness = allowedLateness;
  }

  /** The grouping key: the collection and the course, e.g. {@code courses.students|123}. */
  public static String keyOf(Notification n) {
    return n.collection().wireName() + "|" + n.courseId();
  }

  @Override
  public PCollection<KV<String, Iterable<Notification>>> expand(PCollection<Notification> input) {
    AfterProcessingTime flushDelay =
        AfterProcessingTime.pastFirstElementInPane().plusDelayOf(window);
    return input
        .apply("KeyByCollectionAndCourse",
            WithKeys.<String, Notification>of(WindowByCourse::keyOf)
                .withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), NotificationCoder.of()))
        .apply("FixedWindows",
            Window.<KV<String, Notification>>into(FixedWindows.of(window))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withEarlyFirings(flushDelay)
                        .withLateFirings(flushDelay))
                .withAllowedLateness(allowedLateness)
                .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
                .discardingFiredPanes())
        .apply("GroupPerPane", GroupByKey.create());
  }
}
