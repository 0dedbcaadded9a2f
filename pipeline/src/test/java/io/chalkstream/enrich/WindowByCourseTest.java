package io.chalkstream.enrich;

import static org.junit.Assert.assertEquals;

import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCoder;
import io.chalkstream.notification.NotificationCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/** Windows, keys and panes of {@link WindowByCourse}, driven by TestStream. */
public class WindowByCourseTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final Duration WINDOW = Duration.standardSeconds(60);
  private static final Instant T0 = new Instant(0);

  static Notification student(String id, String course, String user, long at) {
    return new Notification(id, at, "reg", NotificationCollection.STUDENTS, "CREATED",
        List.of(course, user), Map.of(), "{}".getBytes());
  }

  static Notification work(String id, String course, String work, long at) {
    return new Notification(id, at, "reg", NotificationCollection.COURSE_WORK, "CREATED",
        List.of(course, work), Map.of(), "{}".getBytes());
  }

  private static TimestampedValue<Notification> at(Notification n) {
    return TimestampedValue.of(n, new Instant(n.publishTimeMillis()));
  }

  /** "key:ids,sorted" per pane, so panes can be compared as strings. */
  private static PCollection<String> describe(PCollection<KV<String, Iterable<Notification>>> panes) {
    return panes.apply(MapElements.into(TypeDescriptors.strings()).via(kv -> kv.getKey() + ":"
        + StreamSupport.stream(kv.getValue().spliterator(), false).map(Notification::messageId)
            .sorted().collect(Collectors.joining(","))));
  }

  @Test
  public void groupsByCollectionCourseAndWindowOnTime() {
    TestStream<Notification> events = TestStream.create(NotificationCoder.of())
        .addElements(at(student("a", "c1", "u1", 1_000)), at(student("b", "c1", "u2", 2_000)),
            at(student("c", "c2", "u1", 3_000)), at(work("d", "c1", "w1", 4_000)),
            at(student("e", "c1", "u1", 61_000)))
        .advanceWatermarkToInfinity();
    PCollection<String> panes =
        describe(p.apply(events).apply(new WindowByCourse(WINDOW, Duration.standardHours(1))));
    PAssert.that(panes).containsInAnyOrder(
        "courses.students|c1:a,b", "courses.students|c2:c", "courses.courseWork|c1:d",
        "courses.students|c1:e");
    PAssert.that(panes).inOnTimePane(new IntervalWindow(T0, WINDOW))
        .containsInAnyOrder("courses.students|c1:a,b", "courses.students|c2:c",
            "courses.courseWork|c1:d");
    p.run().waitUntilFinish();
  }

  @Test
  public void lateDataWithinAllowedLatenessIsKeptInALatePane() {
    TestStream<Notification> events = TestStream.create(NotificationCoder.of())
        .addElements(at(student("on-time", "c1", "u1", 1_000)))
        .advanceWatermarkTo(new Instant(120_000))
        .addElements(at(student("late", "c1", "u2", 2_000)))
        .advanceProcessingTime(Duration.standardSeconds(61))
        .advanceWatermarkToInfinity();
    PCollection<String> panes =
        describe(p.apply(events).apply(new WindowByCourse(WINDOW, Duration.standardHours(1))));
    IntervalWindow first = new IntervalWindow(T0, WINDOW);
    PAssert.that(panes).inOnTimePane(first).containsInAnyOrder("courses.students|c1:on-time");
    PAssert.that(panes).inLatePane(first).containsInAnyOrder("courses.students|c1:late");
    p.run().waitUntilFinish();
  }

  @Test
  public void processingTimeFiresWhileTheWatermarkIsHeld() {
    // The watermark never passes the window before the early firing: the DirectRunner's Pub/Sub
    // reader on an idle subscription behaves like this.
    TestStream<Notification> events = TestStream.create(NotificationCoder.of())
        .addElements(at(student("a", "c1", "u1", 1_000)), at(student("b", "c1", "u1", 1_500)))
        .advanceProcessingTime(Duration.standardSeconds(61))
        .addElements(at(student("c", "c1", "u1", 2_000)))
        .advanceProcessingTime(Duration.standardSeconds(61))
        .advanceWatermarkToInfinity();
    PCollection<String> panes =
        describe(p.apply(events).apply(new WindowByCourse(WINDOW, Duration.standardHours(1))));
    IntervalWindow first = new IntervalWindow(T0, WINDOW);
    PAssert.that(panes).inEarlyPane(first)
        .containsInAnyOrder("courses.students|c1:a,b", "courses.students|c1:c");
    // Discarding panes: the on-time pane holds nothing already emitted.
    PAssert.that(panes).inWindow(first)
        .satisfies(all -> {
          List<String> ids = new ArrayList<>();
          all.forEach(s -> ids.addAll(List.of(s.substring(s.indexOf(':') + 1).split(","))));
          ids.removeIf(String::isEmpty);
          ids.sort(null);
          assertEquals(List.of("a", "b", "c"), ids);
          return null;
        });
    p.run().waitUntilFinish();
  }
}
