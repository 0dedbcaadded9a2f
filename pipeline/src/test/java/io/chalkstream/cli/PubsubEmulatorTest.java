package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.Teacher;
import com.google.api.services.classroom.model.UserProfile;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.cli.PubsubEmulator.Message;
import io.chalkstream.history.BigQuerySink;
import io.chalkstream.history.Table;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.School;
import io.chalkstream.stream.ChalkstreamOptions;
import io.chalkstream.stream.ProcessNotifications;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The whole pipeline on the DirectRunner, end to end: the real Pub/Sub emulator (read through
 * Beam's own {@code PubsubIO} and its REST client), the Classroom test server (answering the real
 * Classroom client's batched get calls) and Beam's fake BigQuery dataset service (written through
 * the real {@code BigQueryIO} Storage Write API). It checks the invariant of DESIGN.md: every
 * message read lands exactly once, as a change row or as a PARSE dead letter that can be replayed.
 *
 * <p>Skipped where the Google Cloud CLI's Pub/Sub emulator is not installed.
 */
public class PubsubEmulatorTest {
  private static final AtomicInteger DATASETS = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PUBSUB_PROJECT = "chalkstream-emu";
  private static final String BQ_PROJECT = "proj-1";
  private static final String TOPIC = "classroom-notifications";
  private static final String SUBSCRIPTION = "chalkstream-sub";
  private static final long RESULT_TIMEOUT_MILLIS = 120_000;
  private static final long POLL_MILLIS = 500;
  private static final Map<String, String> REGISTRATION = Map.of("registrationId", "reg-emu-1");

  private PubsubEmulator emulator;
  private School school;
  private ClassroomSimulator server;
  private FakeDatasetService datasets;
  private FakeBigQueryServices services;
  private String dataset;

  @Before
  public void setUp() throws Exception {
    emulator = PubsubEmulator.startOrSkip(PUBSUB_PROJECT);
    emulator.createTopic(TOPIC);
    emulator.createSubscription(SUBSCRIPTION, TOPIC);

    school = School.synthetic(11, 2, 12, 1);
    server = ClassroomSimulator.start(school);

    FakeDatasetService.setUp();
    datasets = new FakeDatasetService();
    services = new FakeBigQueryServices().withDatasetService(datasets)
        .withJobService(new FakeJobService());
    // BigQueryIO caches created tables statically: a fresh dataset per test.
    dataset = "emulator_" + DATASETS.incrementAndGet() + "_" + System.nanoTime();
    datasets.createDataset(BQ_PROJECT, dataset, "", "", null);
  }

  @After
  public void tearDown() {
    if (server != null) {
      server.close();
    }
    if (emulator != null) {
      emulator.close();
    }
  }

  /** What a valid notification must become in {@code roster_changes}. */
  private record Expected(String status, String role, String courseId, String userId,
      String eventType, String fullName, String email) {}

  /** Everything published, by message id. */
  private final Map<String, Message> published = new LinkedHashMap<>();
  private final Map<String, Expected> valid = new LinkedHashMap<>();
  /** Messages that must become PARSE dead letters, by id, with a fragment of the reason. */
  private final Map<String, String> invalid = new TreeMap<>();

  private static String notification(String collection, String event, String resourceId) {
    return "{\"collection\":\"" + collection + "\",\"eventType\":\"" + event
        + "\",\"resourceId\":" + resourceId + "}";
  }

  private static String roster(String collection, String event, String course, String user) {
    return notification(collection, event,
        "{\"courseId\":\"" + course + "\",\"userId\":\"" + user + "\"}");
  }

  /** A batch being built: messages and, for valid ones, what each must become. */
  private static final class Batch {
    final List<Message> messages = new ArrayList<>();
    final List<Expected> expected = new ArrayList<>(); // null for messages that must dead-letter
    final List<String> errors = new ArrayList<>(); // the reason of those that must dead-letter

    void student(Student s, String event, String status) {
      add(roster("courses.students", event, s.getCourseId(), s.getUserId()), REGISTRATION,
          new Expected(status, "STUDENT", s.getCourseId(), s.getUserId(), event,
              status.equals("OK") ? fullName(s.getProfile()) : null,
              status.equals("OK") ? s.getProfile().getEmailAddress() : null));
    }

    void teacher(Teacher t, String event) {
      add(roster("courses.teachers", event, t.getCourseId(), t.getUserId()), REGISTRATION,
          new Expected("OK", "TEACHER", t.getCourseId(), t.getUserId(), event,
              fullName(t.getProfile()), t.getProfile().getEmailAddress()));
    }

    void add(String payload, Map<String, String> attributes, Expected expected) {
      messages.add(Message.of(payload, attributes));
      this.expected.add(expected);
      errors.add(null);
    }

    void bad(String payload, Map<String, String> attributes, String error) {
      bad(payload.getBytes(StandardCharsets.UTF_8), attributes, error);
    }

    void bad(byte[] payload, Map<String, String> attributes, String error) {
      messages.add(new Message(payload, attributes));
      expected.add(null);
      errors.add(error);
    }

    private static String fullName(UserProfile profile) {
      return profile.getName().getFullName();
    }
  }

  private void publish(Batch batch) throws IOException, InterruptedException {
    List<String> ids = emulator.publish(TOPIC, batch.messages);
    for (int i = 0; i < ids.size(); i++) {
      assertNull("message ids are unique", published.put(ids.get(i), batch.messages.get(i)));
      if (batch.expected.get(i) == null) {
        invalid.put(ids.get(i), batch.errors.get(i));
      } else {
        valid.put(ids.get(i), batch.expected.get(i));
      }
    }
  }

  @Test
  public void everyMessageFromTheEmulatorLandsExactlyOnce() throws Exception {
    String courseA = school.courses().get(0).getId();
    String courseB = school.courses().get(1).getId();
    List<Student> a = school.students(courseA);
    List<Student> b = school.students(courseB);
    Student coalesced = a.get(0);
    Student deleted = a.get(9);
    String missingUser = "no-such-user-404";

    // One publish call: every message shares one publish time, hence one window, and the six
    // notifications of `coalesced` can share one get call.
    Batch burst = new Batch();
    burst.student(coalesced, "CREATED", "OK");
    for (int i = 1; i <= 8; i++) {
      burst.student(a.get(i), "CREATED", "OK");
      if (i % 2 == 0) {
        burst.student(coalesced, "MODIFIED", "OK"); // interleaved, 4 of them
      }
    }
    burst.student(coalesced, "MODIFIED", "OK");
    publish(burst);

    Batch second = new Batch();
    for (int i = 0; i < 12; i++) {
      second.student(b.get(i), "CREATED", "OK");
    }
    second.teacher(school.teachers(courseA).get(0), "CREATED");
    second.teacher(school.teachers(courseB).get(0), "MODIFIED");
    second.add(roster("courses.students", "CREATED", courseA, missingUser), REGISTRATION,
        new Expected("NOT_FOUND", "STUDENT", courseA, missingUser, "CREATED", null, null));
    second.student(deleted, "DELETED", "SKIPPED");
    publish(second);

    Batch bad = new Batch();
    bad.bad("this is not JSON {", Map.of("registrationId", "reg-emu-1", "note", "ünïcödé ✓"),
        "payload is not JSON");
    byte[] invalidUtf8 = roster("courses.students", "CREATED", courseA, a.get(1).getUserId())
        .getBytes(StandardCharsets.UTF_8);
    // The user id's last character becomes a UTF-8 lead byte followed by the closing quote: the
    // JSON still reads, so only strict decoding stops it from being enriched as garbage.
    invalidUtf8[invalidUtf8.length - 4] = (byte) 0xC3;
    bad.bad(invalidUtf8, REGISTRATION, "not valid UTF-8");
    bad.bad(new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1, 2}, REGISTRATION, "not valid UTF-8");
    bad.bad(roster("courses.announcements", "CREATED", courseA, a.get(1).getUserId()),
        REGISTRATION, "unknown collection 'courses.announcements'");
    bad.bad(notification("courses.students", "CREATED", "{\"courseId\":\"" + courseA + "\"}"),
        REGISTRATION, "resourceId lacks 'userId'");
    bad.bad(notification("courses.courseWork", "CREATED",
        "{\"courseId\":\"" + courseA + "\",\"userId\":\"x\"}"), REGISTRATION,
        "resourceId lacks 'id'");
    bad.bad("{\"collection\":\"courses.students\",\"eventType\":\"CREATED\"}", REGISTRATION,
        "field 'resourceId' is missing");
    bad.bad("{\"collection\":\"courses.students\",\"resourceId\":{\"courseId\":\"" + courseA
        + "\",\"userId\":\"" + a.get(1).getUserId() + "\"}}", REGISTRATION,
        "field 'eventType' is missing");
    bad.bad("[1,2,3]", Map.of(), "JSON but not an object");
    // Empty data with no attribute is refused at publish, so it carries one.
    bad.bad(new byte[0], Map.of("registrationId", "reg-emu-1"), "empty payload");
    publish(bad);

    assertEquals(40, published.size());
    assertEquals(10, invalid.size());
    Set<String> all = new TreeSet<>(published.keySet());

    ChalkstreamOptions options = PipelineOptionsFactory.as(ChalkstreamOptions.class);
    options.setRunner(DirectRunner.class);
    options.setStreaming(true);
    options.setProject(PUBSUB_PROJECT);
    options.setPubsubRootUrl(emulator.rootUrl());
    options.setCredentialFactoryClass(NoopCredentialFactory.class);
    options.as(DirectOptions.class).setBlockOnRun(false);
    options.setClassroomRootUrl(server.rootUrl());
    // The call counts checked below are the get path's (CourseLevelFetchTest covers lists).
    options.setCourseLevelFetch(false);
    options.setBigQueryDataset(BQ_PROJECT + ":" + dataset);
    // Streaming exactly-once Storage Write API, the production default: it works against the fake
    // here, so no need for STORAGE_API_AT_LEAST_ONCE. Committing every second keeps the test short.
    options.setBigQueryWriteMethod("STORAGE_WRITE_API");
    options.setBigQueryTriggeringSeconds(1);

    Pipeline p = Pipeline.create(options);
    p.apply("ReadSubscription", PubsubIO.readMessagesWithAttributesAndMessageId()
            .fromSubscription(emulator.subscriptionPath(SUBSCRIPTION)))
        .apply("Process", new ProcessNotifications(Duration.standardSeconds(2),
            Duration.standardHours(1), ClassroomClientConfig.forGets(options),
            new RetryPolicy(3, 10, 50, 10_000)))
        .apply("Write", BigQuerySink.from(options).withTestServices(services));

    PipelineResult result = p.run();
    try {
      awaitAllAccountedFor(result, all);
      // Two more commit periods, so that a duplicate written just behind the last row would show.
      Thread.sleep(2_000);
    } finally {
      if (!result.getState().isTerminal()) {
        result.cancel();
      }
    }
    Map<Table, List<TableRow>> rows = snapshot();

    // Every message id exactly once across the change tables and the PARSE dead letters.
    Map<String, Integer> occurrences = new TreeMap<>();
    List<TableRow> changes = new ArrayList<>();
    for (Table t : List.of(Table.ROSTER_CHANGES, Table.COURSEWORK_CHANGES,
        Table.SUBMISSION_CHANGES)) {
      changes.addAll(rows.get(t));
    }
    List<TableRow> parseDeadLetters = rows.get(Table.DEAD_LETTERS).stream()
        .filter(r -> "PARSE".equals(r.get("stage"))).toList();
    for (TableRow r : changes) {
      occurrences.merge((String) r.get("message_id"), 1, Integer::sum);
    }
    for (TableRow r : parseDeadLetters) {
      occurrences.merge((String) r.get("message_id"), 1, Integer::sum);
    }
    assertEquals("message ids seen", all, occurrences.keySet());
    Map<String, Integer> repeated = occurrences.entrySet().stream()
        .filter(e -> e.getValue() != 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertEquals("message ids written more than once", Map.of(), repeated);
    assertEquals("only PARSE dead letters: nothing failed to enrich or write",
        parseDeadLetters.size(), rows.get(Table.DEAD_LETTERS).size());
    assertEquals("roster notifications only", changes.size(), rows.get(Table.ROSTER_CHANGES).size());

    // The valid ones: enriched as the School says, never dead-lettered.
    for (TableRow r : rows.get(Table.ROSTER_CHANGES)) {
      String id = (String) r.get("message_id");
      Expected e = valid.get(id);
      assertNotNull("a change row for a message that should have dead-lettered: " + r, e);
      String where = "message " + id + " " + r;
      assertEquals(where, e.status(), r.get("enrichment_status"));
      assertEquals(where, e.role(), r.get("role"));
      assertEquals(where, e.courseId(), r.get("course_id"));
      assertEquals(where, e.userId(), r.get("user_id"));
      assertEquals(where, e.eventType(), r.get("event_type"));
      assertEquals(where, e.fullName(), r.get("full_name"));
      assertEquals(where, e.email(), r.get("email_address"));
      assertEquals(where, "reg-emu-1", r.get("registration_id"));
      assertNotNull(where, r.get("publish_time"));
      if (e.status().equals("OK")) {
        assertNotNull(where, r.get("resource_json"));
        assertNotNull(where, r.get("enriched_at"));
      } else if (e.status().equals("SKIPPED")) {
        assertNull(where, r.get("resource_json"));
        assertNull(where, r.get("enriched_at"));
      }
    }
    Map<String, Long> statuses = rows.get(Table.ROSTER_CHANGES).stream()
        .collect(Collectors.groupingBy(r -> (String) r.get("enrichment_status"), TreeMap::new,
            Collectors.counting()));
    Map<String, Long> expectedStatuses = valid.values().stream()
        .collect(Collectors.groupingBy(Expected::status, TreeMap::new, Collectors.counting()));
    assertEquals(Map.of("OK", 28L, "NOT_FOUND", 1L, "SKIPPED", 1L), expectedStatuses);
    assertEquals(expectedStatuses, statuses);

    // The invalid ones: replayable, with the exact bytes and attributes published.
    for (TableRow r : parseDeadLetters) {
      String id = (String) r.get("message_id");
      assertTrue("a PARSE dead letter for a valid message: " + r, invalid.containsKey(id));
      Message sent = published.get(id);
      String where = "dead letter " + id + " " + r;
      Object encoded = r.get("payload_bytes");
      byte[] bytes = encoded == null ? null : Base64.getDecoder().decode((String) encoded);
      if (sent.data().length == 0 && bytes == null) {
        bytes = new byte[0]; // an empty BYTES value may come back as absent
      }
      assertArrayEquals(where, sent.data(), bytes);
      assertEquals(where, sent.attributes(), JSON.readValue((String) r.get("attributes_json"),
          new TypeReference<Map<String, String>>() {}));
      String text = utf8OrNull(sent.data());
      assertEquals(where, text == null || text.isEmpty() ? null : text,
          emptyToNull((String) r.get("payload_string")));
      assertNotNull(where, r.get("publish_time"));
      assertThat(where, (String) r.get("error"), containsString(invalid.get(id)));
    }

    // Coalescing: the six notifications of one student cost fewer get calls than six.
    String coalescedPath = "v1/courses/" + courseA + "/students/" + coalesced.getUserId();
    long coalescedCalls = server.counters().callsTo(coalescedPath);
    assertTrue("get calls for " + coalescedPath + ": " + coalescedCalls,
        coalescedCalls >= 1 && coalescedCalls < 6);
    assertEquals("no call for a deletion", 0, server.counters()
        .callsTo("v1/courses/" + courseA + "/students/" + deleted.getUserId()));
    assertEquals("one call for the missing user", 1, server.counters()
        .callsTo("v1/courses/" + courseA + "/students/" + missingUser));
    assertTrue("calls were batched: " + server.counters().callsByMethod(),
        server.counters().batchRequests() >= 1);
  }

  /**
   * Polls the fake dataset until every published message id has a change row or a PARSE dead
   * letter; the Pub/Sub watermark on the DirectRunner says nothing useful here (DESIGN.md).
   */
  private void awaitAllAccountedFor(PipelineResult result, Set<String> ids)
      throws Exception {
    long deadline = System.currentTimeMillis() + RESULT_TIMEOUT_MILLIS;
    while (true) {
      if (result.getState().isTerminal()) {
        result.waitUntilFinish(); // rethrows the pipeline's failure
        fail("the pipeline stopped by itself: " + result.getState());
      }
      Map<Table, List<TableRow>> rows = snapshot();
      Set<String> seen = new TreeSet<>();
      for (Table t : List.of(Table.ROSTER_CHANGES, Table.COURSEWORK_CHANGES,
          Table.SUBMISSION_CHANGES)) {
        rows.get(t).forEach(r -> seen.add((String) r.get("message_id")));
      }
      rows.get(Table.DEAD_LETTERS).stream().filter(r -> "PARSE".equals(r.get("stage")))
          .forEach(r -> seen.add((String) r.get("message_id")));
      if (seen.containsAll(ids)) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        Set<String> missing = new TreeSet<>(ids);
        missing.removeAll(seen);
        fail("after " + RESULT_TIMEOUT_MILLIS / 1000 + " s no row for message ids " + missing
            + " (row counts " + counts(rows) + ")");
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  private Map<Table, List<TableRow>> snapshot() throws InterruptedException {
    Map<Table, List<TableRow>> rows = new HashMap<>();
    for (Table t : List.of(Table.ROSTER_CHANGES, Table.COURSEWORK_CHANGES,
        Table.SUBMISSION_CHANGES, Table.DEAD_LETTERS)) {
      rows.put(t, rowsOf(t));
    }
    return rows;
  }

  private List<TableRow> rowsOf(Table t) throws InterruptedException {
    // getAllRows hands out the fake's live list; the writers append under this same lock.
    synchronized (FakeDatasetService.class) {
      try {
        return new ArrayList<>(datasets.getAllRows(BQ_PROJECT, dataset, t.tableName()));
      } catch (IOException | RuntimeException notCreatedYet) {
        return List.of(); // BigQueryIO creates a table with its first row
      }
    }
  }

  private static Map<String, Integer> counts(Map<Table, List<TableRow>> rows) {
    Map<String, Integer> counts = new TreeMap<>();
    rows.forEach((t, list) -> counts.put(t.tableName(), list.size()));
    return counts;
  }

  private static String utf8OrNull(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
