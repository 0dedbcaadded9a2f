package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.assertNull;

import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.Teacher;
import io.chalkstream.cli.RunCommand.Result;
import io.chalkstream.history.DuckDbHistory;
import io.chalkstream.history.DuckDbSink;
import io.chalkstream.history.Views;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Faults.Fault;
import io.chalkstream.simulator.School;
import io.chalkstream.stream.ChalkstreamOptions;
import io.chalkstream.stream.ProcessNotifications;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code ./chalkstream replay} end to end: a stream writes ENRICH and PARSE dead letters into a
 * DuckDB file while the Classroom test server fails; replays send them again through the same
 * transforms, rows marked with {@code replayed_at}, only what is still unresolved each time.
 */
public class ReplayCommandTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private School school;
  private ClassroomSimulator server;
  private String path;
  private final Map<String, String> studentOf = new HashMap<>(); // message id -> user id
  private final Set<String> teacherMessages = new TreeSet<>();

  @Before
  public void setUp() throws Exception {
    school = School.synthetic(23, 2, 6, 1);
    server = ClassroomSimulator.start(school);
    path = tmp.getRoot() + "/history.duckdb";
  }

  @After
  public void tearDown() {
    DuckDbSink.closeAll();
    server.close();
  }

  private static TimestampedValue<PubsubMessage> message(String id, String payload, long at) {
    return TimestampedValue.of(new PubsubMessage(payload.getBytes(StandardCharsets.UTF_8),
        Map.of("registrationId", "reg-1"), id), new Instant(at));
  }

  private String[] options(String... extra) {
    List<String> args = new ArrayList<>(List.of("--classroomRootUrl=" + server.rootUrl(),
        "--duckdbPath=" + path, "--windowSeconds=1", "--enrichMaxAttempts=2",
        "--enrichMaxRetrySeconds=5", "--maxCallsPerMinute=0"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  /** The live stream: every student's get fails (503), teachers' succeed, one message is bad. */
  private void streamWhileStudentsFail() {
    server.faults().onMethod("students.get", Fault.of(503));
    server.faults().onMethod("students.list", Fault.of(503)); // and when lists answer
    List<TimestampedValue<PubsubMessage>> messages = new ArrayList<>();
    long t = 1_700_000_000_000L;
    int n = 0;
    for (var course : school.courses()) {
      for (Student s : school.students(course.getId())) {
        String id = "s-" + n++;
        studentOf.put(id, s.getUserId());
        messages.add(message(id, "{\"collection\":\"courses.students\",\"eventType\":\"CREATED\","
            + "\"resourceId\":{\"courseId\":\"" + course.getId() + "\",\"userId\":\""
            + s.getUserId() + "\"}}", t + n));
      }
      for (Teacher te : school.teachers(course.getId())) {
        String id = "t-" + n++;
        teacherMessages.add(id);
        messages.add(message(id, "{\"collection\":\"courses.teachers\",\"eventType\":\"CREATED\","
            + "\"resourceId\":{\"courseId\":\"" + course.getId() + "\",\"userId\":\""
            + te.getUserId() + "\"}}", t + n));
      }
    }
    messages.add(message("bad-1", "not json", t));
    ChalkstreamOptions options = Cli.parse(options(), ChalkstreamOptions.class, "test");
    Pipeline p = Pipeline.create(options);
    p.apply(Create.timestamped(messages).withCoder(PubsubMessageWithAttributesAndMessageIdCoder.of()))
        .apply(ProcessNotifications.from(options))
        .apply(DuckDbSink.to(path));
    p.run().waitUntilFinish();
    DuckDbSink.closeAll();
  }

  private List<Map<String, Object>> rows(String sql) throws Exception {
    return DuckDbHistory.rows(path, sql);
  }

  private long count(String sql) throws Exception {
    return ((Number) rows(sql).get(0).values().iterator().next()).longValue();
  }

  private static Result replay(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "replay";
    System.arraycopy(args, 0, all, 1, args.length);
    return RunCommand.main(all);
  }

  @Test
  public void failedGetsAreReplayedOnceTheCauseIsFixedAndASecondReplayAddsNothing()
      throws Exception {
    streamWhileStudentsFail();
    int students = studentOf.size();
    assertEquals(students, count("SELECT count(*) FROM dead_letters WHERE stage = 'ENRICH'"));
    assertEquals(students, count("SELECT count(*) FROM roster_changes "
        + "WHERE enrichment_status = 'FAILED'"));

    // Still failing: every message fails again, recorded as its own attempt; exit 1.
    Result stillDown = replay(options());
    assertEquals(stillDown.err(), 1, stillDown.exit());
    assertThat(stillDown.out(), containsString("Replayed " + students + " message(s)"));
    assertThat(stillDown.out(), containsString("failed again: " + students));
    assertEquals(students, count("SELECT count(*) FROM dead_letters WHERE stage = 'ENRICH' "
        + "AND replayed_at IS NOT NULL"));

    // Fixed: each is replayed once more and now resolved.
    server.faults().clear();
    server.counters().reset();
    Result fixed = replay(options());
    assertEquals(fixed.out() + fixed.err(), 0, fixed.exit());
    assertThat(fixed.out(), containsString("Replayed " + students + " message(s)"));
    assertThat(fixed.out(), containsString("OK " + students + ","));
    // Fetched again, by a get each or a list per course where that is cheaper: never more.
    long refetches = server.counters().calls("students.get")
        + server.counters().calls("students.list");
    assertTrue(refetches + " calls", refetches >= school.courses().size() && refetches <= students);
    List<Map<String, Object>> ok = rows("SELECT message_id, user_id, full_name, replayed_at, "
        + "publish_time FROM roster_changes WHERE enrichment_status = 'OK' AND role = 'STUDENT'");
    assertEquals(studentOf.keySet(),
        ok.stream().map(r -> (String) r.get("message_id")).collect(Collectors.toSet()));
    for (Map<String, Object> r : ok) {
      assertNotNull("marked as replayed", r.get("replayed_at"));
      String user = studentOf.get((String) r.get("message_id"));
      assertEquals(user, r.get("user_id"));
      Student s = school.students(school.courses().get(0).getId()).stream()
          .filter(x -> x.getUserId().equals(user)).findFirst()
          .orElseGet(() -> school.students(school.courses().get(1).getId()).stream()
              .filter(x -> x.getUserId().equals(user)).findFirst().orElseThrow());
      assertEquals(s.getProfile().getName().getFullName(), r.get("full_name"));
    }
    // The live rows of what never failed are untouched and unmarked.
    assertEquals(teacherMessages.size(), count("SELECT count(*) FROM roster_changes "
        + "WHERE role = 'TEACHER' AND enrichment_status = 'OK' AND replayed_at IS NULL"));

    // A second replay finds nothing unresolved: no call, no row.
    long rowsBefore = count("SELECT count(*) FROM roster_changes");
    long deadBefore = count("SELECT count(*) FROM dead_letters");
    long callsBefore = server.counters().calls("students.get");
    Result again = replay(options());
    assertEquals(again.err(), 0, again.exit());
    assertThat(again.out(), containsString("Replayed 0 message(s)"));
    assertEquals(rowsBefore, count("SELECT count(*) FROM roster_changes"));
    assertEquals(deadBefore, count("SELECT count(*) FROM dead_letters"));
    assertEquals(callsBefore, server.counters().calls("students.get"));

    // The views count the attempt that succeeded, once per student.
    List<Map<String, Object>> current = rows(Views.sql("roster_current", ""));
    assertEquals(students + teacherMessages.size(), current.size());
    assertEquals(Set.of("OK"), current.stream().map(r -> r.get("enrichment_status"))
        .collect(Collectors.toSet()));
  }

  @Test
  public void aParseDeadLetterReplayedWhileStillBadFailsAgainAsItsOwnAttempt() throws Exception {
    streamWhileStudentsFail();
    Result r = replay(options("--stage=parse"));
    assertEquals(r.err(), 1, r.exit());
    assertThat(r.out(), containsString("Replayed 1 message(s)"));
    assertThat(r.out(), containsString("failed again: 1 (parse 1"));
    List<Map<String, Object>> dead = rows("SELECT message_id, payload_string, replayed_at "
        + "FROM dead_letters WHERE stage = 'PARSE' ORDER BY replayed_at NULLS FIRST");
    assertEquals(2, dead.size());
    assertNull(dead.get(0).get("replayed_at"));
    assertNotNull(dead.get(1).get("replayed_at"));
    assertEquals("bad-1", dead.get(1).get("message_id"));
    assertEquals("not json", dead.get(1).get("payload_string"));
    // The live stream's invariant is untouched by the replay: each message once.
    assertEquals(Set.of(1), Set.copyOf(DuckDbHistory.accounted(path).values()));
  }

  @Test
  public void badRequestsAreRefusedWithWhatToDo() throws Exception {
    Result write = replay(options("--stage=WRITE"));
    assertEquals(2, write.exit());
    assertThat(write.err(), containsString("holds the row the sink refused"));
    Result stage = replay(options("--stage=LATER"));
    assertEquals(2, stage.exit());
    assertThat(stage.err(), containsString("use ENRICH, PARSE or FILTER"));
    Result since = replay(options("--since=yesterday"));
    assertEquals(2, since.exit());
    assertThat(since.err(), containsString("--since=yesterday is neither an RFC 3339 instant"));
    Result order = replay(options("--since=2026-11-22", "--until=2026-11-01"));
    assertEquals(2, order.exit());
    assertThat(order.err(), containsString("is not before --until"));
    Result runner = replay(options("--runner=DataflowRunner"));
    assertEquals(2, runner.exit());
    assertThat(runner.err(), containsString("needs --bigQueryDataset: workers cannot read or "
        + "write a local DuckDB file"));
    Result file = replay(options("--runner=DataflowRunner", "--bigQueryDataset=proj-1:history",
        "--classroomCredentialsFile=" + tmp.getRoot() + "/grant.json"));
    assertEquals(2, file.exit());
    assertThat(file.err(), containsString("cannot take --classroomCredentialsFile: workers "
        + "cannot read a file of the launching machine; store the grant in Secret Manager"));
    Result missing = replay(options());
    assertEquals(2, missing.exit());
    assertThat(missing.err(), containsString("no such file, so no dead letters to replay"));

    // A window that holds none of the dead letters replays nothing.
    streamWhileStudentsFail();
    Result before = replay(options("--until=2020-01-01"));
    assertEquals(before.err(), 0, before.exit());
    assertThat(before.out(), containsString("Replayed 0 message(s)"));
  }
}
