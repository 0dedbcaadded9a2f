package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.Teacher;
import io.chalkstream.cli.RunCommand.Result;
import io.chalkstream.history.BigQuerySink;
import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.SqlJobService;
import io.chalkstream.history.Table;
import io.chalkstream.history.Warehouse;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Faults.Fault;
import io.chalkstream.simulator.School;
import io.chalkstream.stream.ChalkstreamOptions;
import io.chalkstream.stream.ProcessNotifications;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Replay and reconcile with the history in BigQuery: the real BigQueryIO reads (a query job,
 * its export, the Avro reader) and writes (Storage Write API) against Beam's fakes, the queries
 * themselves run by {@link SqlJobService} over the fake dataset's rows.
 */
public class BigQueryHistoryTest {
  private static final AtomicInteger DATASETS = new AtomicInteger();

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private School school;
  private ClassroomSimulator server;
  private String dataset;
  private SqlJobService bigQuery;
  private FakeBigQueryServices services;

  @Before
  public void setUp() throws Exception {
    school = School.synthetic(29, 3, 4, 2);
    server = ClassroomSimulator.start(school).pageSizes(2, 2);
    FakeDatasetService.setUp();
    FakeJobService.setUp();
    // BigQueryIO caches created tables statically: a fresh dataset per test.
    dataset = "history_" + DATASETS.incrementAndGet() + "_" + System.nanoTime();
    new FakeDatasetService().createDataset("proj-1", dataset, "", "", null);
    bigQuery = new SqlJobService("proj-1", dataset);
    services = new FakeBigQueryServices().withDatasetService(new FakeDatasetService())
        .withJobService(bigQuery);
  }

  @After
  public void tearDown() {
    server.close();
  }

  private String[] options(String... extra) {
    List<String> args = new ArrayList<>(List.of("--classroomRootUrl=" + server.rootUrl(),
        "--bigQueryDataset=proj-1:" + dataset, "--project=proj-1",
        "--tempLocation=" + tmp.getRoot().getAbsolutePath(),
        "--credentialFactoryClass=org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory",
        "--maxCallsPerMinute=0", "--enrichMaxAttempts=2", "--enrichMaxRetrySeconds=5",
        "--windowSeconds=1"));
    args.addAll(Arrays.asList(extra));
    return args.toArray(new String[0]);
  }

  private Result run(String command, String... extra) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(Arrays.asList(options(extra)));
    return RunCommand.main(services, args.toArray(new String[0]));
  }

  private long count(String sql) throws Exception {
    return ((Number) bigQuery.run(sql).rows().get(0).values().iterator().next()).longValue();
  }

  /** The live stream into BigQuery while every student's get fails; teachers' succeed. */
  private int streamWhileStudentsFail() {
    server.faults().onMethod("students.get", Fault.of(503));
    server.faults().onMethod("students.list", Fault.of(503)); // and when lists answer
    List<TimestampedValue<PubsubMessage>> messages = new ArrayList<>();
    long t = 1_700_000_000_000L;
    int students = 0;
    for (var course : school.courses()) {
      for (Student s : school.students(course.getId())) {
        messages.add(message("s-" + students++, "courses.students", course.getId(),
            s.getUserId(), t + messages.size()));
      }
      for (Teacher te : school.teachers(course.getId())) {
        messages.add(message("t-" + messages.size(), "courses.teachers", course.getId(),
            te.getUserId(), t + messages.size()));
      }
    }
    ChalkstreamOptions options = Cli.parse(options(), ChalkstreamOptions.class, "test");
    Pipeline p = Pipeline.create(options);
    p.apply(Create.timestamped(messages)
            .withCoder(PubsubMessageWithAttributesAndMessageIdCoder.of()))
        .apply(ProcessNotifications.from(options))
        .apply(BigQuerySink.from(options).withTestServices(services));
    p.run().waitUntilFinish();
    return students;
  }

  private static TimestampedValue<PubsubMessage> message(String id, String collection,
      String course, String user, long at) {
    return message(id, collection, course, user, at, "reg-1");
  }

  private static TimestampedValue<PubsubMessage> message(String id, String collection,
      String course, String user, long at, String registration) {
    String payload = "{\"collection\":\"" + collection + "\",\"eventType\":\"CREATED\","
        + "\"resourceId\":{\"courseId\":\"" + course + "\",\"userId\":\"" + user + "\"}}";
    return TimestampedValue.of(new PubsubMessage(payload.getBytes(StandardCharsets.UTF_8),
        Map.of("registrationId", registration), id), new Instant(at));
  }

  @Test
  public void replayReadsTheUnresolvedDeadLettersOfBigQueryAndWritesItsRowsThere()
      throws Exception {
    int students = streamWhileStudentsFail();
    assertEquals(students, count("SELECT count(*) FROM dead_letters WHERE stage = 'ENRICH'"));

    Result stillDown = run("replay");
    assertEquals(stillDown.out() + stillDown.err(), 1, stillDown.exit());
    assertThat(stillDown.out(), containsString("Replayed " + students + " message(s)"));
    assertThat(stillDown.out(), containsString("bq query --use_legacy_sql=false"));
    assertEquals(students, count("SELECT count(*) FROM dead_letters WHERE stage = 'ENRICH' "
        + "AND replayed_at IS NOT NULL"));

    server.faults().clear();
    Result fixed = run("replay");
    assertEquals(fixed.out() + fixed.err(), 0, fixed.exit());
    assertThat(fixed.out(), containsString("Replayed " + students + " message(s): OK " + students));
    // The original publish times and ids come back with the rows, marked as replayed.
    assertEquals(students, count("SELECT count(*) FROM roster_changes WHERE role = 'STUDENT' "
        + "AND enrichment_status = 'OK' AND replayed_at IS NOT NULL "
        + "AND publish_time < TIMESTAMP '2023-11-15 00:00:00' AND message_id LIKE 's-%'"));

    long calls = server.counters().calls("students.get");
    Result again = run("replay");
    assertEquals(again.out() + again.err(), 0, again.exit());
    assertThat(again.out(), containsString("Replayed 0 message(s)"));
    assertEquals(calls, server.counters().calls("students.get"));
    assertEquals(Set.of("OK"), bigQuery.run(io.chalkstream.history.Views.bigQuerySql(
            "roster_current", "proj-1", dataset)).maps().stream()
        .map(r -> r.get("enrichment_status")).collect(Collectors.toSet()));
  }

  @Test
  public void reconcileComparesClassroomWithTheViewsOfBigQueryAndRepairsThere()
      throws Exception {
    Result snapshot = run("snapshot");
    assertEquals(snapshot.out() + snapshot.err(), 0, snapshot.exit());
    Result clean = run("reconcile");
    assertEquals(clean.out() + clean.err(), 0, clean.exit());
    assertThat(clean.out(), containsString(": 0 difference(s)"));

    String c0 = school.courses().stream().filter(c -> "ACTIVE".equals(c.getCourseState()))
        .findFirst().orElseThrow().getId();
    Student gone = school.students(c0).get(0);
    school.removeStudent(c0, gone.getUserId());
    school.putStudent(new Student().setCourseId(c0).setUserId("999000222"));
    CourseWork edited = school.courseWork(c0).get(0);
    school.putCourseWork(edited.setTitle("Renamed behind our back"));

    Result found = run("reconcile", "--repair");
    assertEquals(found.out() + found.err(), 0, found.exit());
    assertThat(found.out(), containsString(": 3 difference(s)"));
    assertThat(found.out(), containsString("3 repaired"));
    assertEquals(Set.of(
            "GONE_IN_CLASSROOM courses.students " + gone.getUserId(),
            "MISSING_IN_HISTORY courses.students 999000222",
            "STATE_DIFFERS courses.courseWork " + edited.getId()),
        bigQuery.run("SELECT kind || ' ' || collection || ' ' || coalesce(user_id, "
            + "course_work_id) AS v FROM reconciliation").maps().stream()
            .map(r -> (String) r.get("v")).collect(Collectors.toSet()));

    Result after = run("reconcile");
    assertEquals(after.out() + after.err(), 0, after.exit());
    assertThat(after.out(), containsString(": 0 difference(s)"));
  }

  @Test
  public void theFilterKnowsTheRegistrationsThatEarlierRunsRecordedInBigQuery() throws Exception {
    ChalkstreamOptions options = Cli.parse(options("--acceptUnknownRegistrations=false"),
        ChalkstreamOptions.class, "test");
    // The OK registrations row of an earlier run (or of ./chalkstream renew), and a failed one.
    Pipeline earlier = Pipeline.create(options);
    Schema schema = Table.REGISTRATIONS.beamSchema();
    HistoryRows.of(Table.REGISTRATIONS, earlier.apply(Create.of(
            registration(schema, "reg-earlier", "OK"),
            registration(schema, "reg-failed", "FAILED")).withRowSchema(schema)))
        .apply(BigQuerySink.from(options).withTestServices(services));
    earlier.run().waitUntilFinish();

    String course = school.courses().get(0).getId();
    String user = school.students(course).get(0).getUserId();
    Pipeline p = Pipeline.create(options);
    p.apply(Create.timestamped(
            message("m-earlier", "courses.students", course, user, 1_700_000_000_000L,
                "reg-earlier"),
            message("m-failed", "courses.students", course, user, 1_700_000_000_001L,
                "reg-failed"),
            message("m-stranger", "courses.students", course, user, 1_700_000_000_002L,
                "reg-stranger"))
            .withCoder(PubsubMessageWithAttributesAndMessageIdCoder.of()))
        .apply(ProcessNotifications.from(options)
            .withFilter(StreamCommand.filterKnowing(Warehouse.of(options, services))))
        .apply(BigQuerySink.from(options).withTestServices(services));
    p.run().waitUntilFinish();

    assertEquals(List.of("m-earlier"), bigQuery.run("SELECT message_id FROM roster_changes")
        .maps().stream().map(r -> r.get("message_id")).toList());
    assertEquals(Set.of("m-failed", "m-stranger"), bigQuery.run("SELECT message_id FROM "
            + "dead_letters WHERE stage = 'FILTER'").maps().stream()
        .map(r -> (String) r.get("message_id")).collect(Collectors.toSet()));
  }

  private static Row registration(Schema schema, String id, String status) {
    return Row.withSchema(schema)
        .withFieldValue("attempted_at", new Instant(1_699_000_000_000L))
        .withFieldValue("feed_type", "COURSE_ROSTER_CHANGES")
        .withFieldValue("topic_name", "projects/proj-1/topics/classroom")
        .withFieldValue("registration_id", id)
        .withFieldValue("status", status)
        .build();
  }

  @Test
  public void readingBigQueryWithoutATempLocationSaysWhatToGive() {
    List<String> args = new ArrayList<>(List.of("replay"));
    Arrays.stream(options()).filter(a -> !a.startsWith("--tempLocation"))
        .forEach(args::add);
    Result r = RunCommand.main(services, args.toArray(new String[0]));
    assertEquals(r.err(), 2, r.exit());
    assertThat(r.err(), containsString("needs --tempLocation=gs://BUCKET/tmp"));
  }
}
