package io.chalkstream.stream;

import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/** Pub/Sub redeliveries through the pipeline: one row within the horizon, kept apart after it. */
public class DedupeTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static TimestampedValue<PubsubMessage> delivery(String id, Instant at) {
    // A deletion: SKIPPED, so no get call is made and no server is needed.
    byte[] payload = ("{\"collection\":\"courses.students\",\"eventType\":\"DELETED\","
        + "\"resourceId\":{\"courseId\":\"c1\",\"userId\":\"u-" + id + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
    return TimestampedValue.of(new PubsubMessage(payload, Map.of("registrationId", "r"), id), at);
  }

  @Test
  public void aRedeliveryWithinTheHorizonMakesNoSecondRow() {
    Instant t = new Instant(1_700_000_000_000L);
    TestStream<PubsubMessage> deliveries =
        TestStream.create(PubsubMessageWithAttributesAndMessageIdCoder.of())
            .addElements(delivery("m1", t), delivery("m2", t), delivery("m1", t.plus(1_000)))
            .advanceProcessingTime(Duration.standardMinutes(3))
            .addElements(delivery("m2", t.plus(2_000))) // 3 minutes later: still a duplicate
            .advanceProcessingTime(Duration.standardMinutes(15))
            .addElements(delivery("m1", t.plus(3_000))) // past the horizon: it comes through
            .advanceWatermarkToInfinity();
    ClassroomOptions options = PipelineOptionsFactory.as(ClassroomOptions.class);
    options.setClassroomRootUrl("http://127.0.0.1:9/"); // never called: deletions need no get

    HistoryRows rows = p.apply(deliveries)
        .apply(new ProcessNotifications(Duration.standardSeconds(60), Duration.standardHours(1),
            ClassroomClientConfig.forGets(options), new RetryPolicy(1, 10, 10, 100))
            .withDedupe(Duration.standardMinutes(10)));

    PAssert.that(rows.get(Table.ROSTER_CHANGES)
            .apply(MapElements.into(TypeDescriptors.strings())
                .via(row -> row.getString("message_id"))))
        .containsInAnyOrder("m1", "m2", "m1");
    PAssert.that(rows.get(Table.DEAD_LETTERS)).empty();
    p.run().waitUntilFinish();
  }
}
