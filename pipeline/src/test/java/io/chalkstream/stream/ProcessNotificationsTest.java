package io.chalkstream.stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.google.api.services.bigquery.model.TableRow;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.history.BigQuerySink;
import io.chalkstream.history.BigQuerySinkOptions;
import io.chalkstream.history.Table;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.School;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/**
 * The dead-letter invariant end to end: messages in = change rows + PARSE dead letters, through
 * parse, windows, enrichment against the test server and BigQueryIO into the fake dataset.
 */
public class ProcessNotificationsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private ClassroomSimulator server;
  private School school;

  @Before
  public void setUp() throws Exception {
    school = School.synthetic(11, 3, 10, 2);
    server = ClassroomSimulator.start(school);
  }

  @After
  public void tearDown() {
    server.close();
  }

  @Test
  public void everyMessageBecomesOneChangeRowOrOneParseDeadLetter() throws Exception {
    Map<String, byte[]> bad = new HashMap<>();
    List<TimestampedValue<PubsubMessage>> messages = new ArrayList<>();
    int id = 0;
    long t = 1_700_000_000_000L;
    for (var course : school.courses()) {
      String c = course.getId();
      for (var s : school.students(c)) {
        messages.add(message(++id, t + id * 1000L, "{\"collection\":\"courses.students\","
            + "\"eventType\":\"CREATED\",\"resourceId\":{\"courseId\":\"" + c + "\",\"userId\":\""
            + s.getUserId() + "\"}}"));
      }
      for (var w : school.courseWork(c)) {
        messages.add(message(++id, t + id * 1000L, "{\"collection\":\"courses.courseWork\","
            + "\"eventType\":\"MODIFIED\",\"resourceId\":{\"courseId\":\"" + c + "\",\"id\":\""
            + w.getId() + "\"}}"));
        for (var sub : school.submissions(c, w.getId())) {
          messages.add(message(++id, t + id * 1000L,
              "{\"collection\":\"courses.courseWork.studentSubmissions\",\"eventType\":\"MODIFIED\","
                  + "\"resourceId\":{\"courseId\":\"" + c + "\",\"courseWorkId\":\"" + w.getId()
                  + "\",\"id\":\"" + sub.getId() + "\"}}"));
        }
      }
      messages.add(message(++id, t, "{\"collection\":\"courses.teachers\",\"eventType\":\"DELETED\","
          + "\"resourceId\":{\"courseId\":\"" + c + "\",\"userId\":\"gone\"}}"));
    }
    List<byte[]> badPayloads = List.of(new byte[0], "not json".getBytes(StandardCharsets.UTF_8),
        new byte[] {'{', (byte) 0xFE, '}'}, "[]".getBytes(StandardCharsets.UTF_8),
        "{\"collection\":\"courses.students\",\"eventType\":\"CREATED\"}".getBytes(StandardCharsets.UTF_8),
        "{\"collection\":\"courses.students\",\"eventType\":\"CREATED\",\"resourceId\":{\"courseId\":\"1\"}}"
            .getBytes(StandardCharsets.UTF_8),
        "{\"collection\":\"courses.aliens\",\"eventType\":\"CREATED\",\"resourceId\":{}}"
            .getBytes(StandardCharsets.UTF_8),
        "{\"collection\":1,\"eventType\":\"CREATED\",\"resourceId\":{}}".getBytes(StandardCharsets.UTF_8),
        new byte[70_000]);
    for (byte[] payload : badPayloads) {
      String mid = "bad-" + (++id);
      bad.put(mid, payload);
      messages.add(TimestampedValue.of(new PubsubMessage(payload, Map.of("registrationId", "r",
          "n", mid), mid), new Instant(t)));
    }

    FakeDatasetService.setUp();
    FakeDatasetService datasets = new FakeDatasetService();
    String dataset = "invariant_" + System.nanoTime();
    datasets.createDataset("proj-1", dataset, "", "", null);
    BigQuerySinkOptions sinkOptions = PipelineOptionsFactory.as(BigQuerySinkOptions.class);
    sinkOptions.setBigQueryDataset("proj-1:" + dataset);
    ClassroomOptions classroom = PipelineOptionsFactory.as(ClassroomOptions.class);
    classroom.setClassroomRootUrl(server.rootUrl());

    p.apply(Create.timestamped(messages)
            .withCoder(PubsubMessageWithAttributesAndMessageIdCoder.of()))
        .apply(new ProcessNotifications(Duration.standardSeconds(60), Duration.standardHours(1),
            ClassroomClientConfig.forGets(classroom),
            new RetryPolicy(3, 10, 50, 10_000)))
        .apply(BigQuerySink.from(sinkOptions).withTestServices(new FakeBigQueryServices()
            .withDatasetService(datasets).withJobService(new FakeJobService())));
    p.run().waitUntilFinish();

    Map<String, Integer> seen = new HashMap<>();
    for (Table table : List.of(Table.ROSTER_CHANGES, Table.COURSEWORK_CHANGES,
        Table.SUBMISSION_CHANGES)) {
      for (TableRow row : datasets.getAllRows("proj-1", dataset, table.tableName())) {
        seen.merge((String) row.get("message_id"), 1, Integer::sum);
        String status = (String) row.get("enrichment_status");
        assertTrue(status, status.equals("OK") || status.equals("SKIPPED"));
        if (status.equals("OK")) {
          assertNotNull(row.get("resource_json"));
        }
      }
    }
    int parse = 0;
    for (TableRow row : datasets.getAllRows("proj-1", dataset, Table.DEAD_LETTERS.tableName())) {
      assertEquals("PARSE", row.get("stage"));
      String mid = (String) row.get("message_id");
      seen.merge(mid, 1, Integer::sum);
      parse++;
      byte[] original = bad.get(mid);
      assertNotNull("dead letter for an unexpected message " + mid, original);
      byte[] stored = row.get("payload_bytes") == null ? new byte[0]
          : Base64.getDecoder().decode((String) row.get("payload_bytes"));
      assertTrue("original bytes kept for " + mid, java.util.Arrays.equals(original, stored));
    }
    assertEquals(badPayloads.size(), parse);
    assertEquals("messages in = change rows + PARSE dead letters", messages.size(), seen.size());
    assertTrue("no message twice", seen.values().stream().allMatch(n -> n == 1));
  }

  private static TimestampedValue<PubsubMessage> message(int id, long at, String json) {
    return TimestampedValue.of(new PubsubMessage(json.getBytes(StandardCharsets.UTF_8),
        Map.of("registrationId", "r"), "m" + id), new Instant(at));
  }
}
