package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.StudentSubmission;
import com.google.api.services.classroom.model.Teacher;
import io.chalkstream.cli.PubsubEmulator.Message;
import io.chalkstream.cli.RunCommand.Result;
import io.chalkstream.history.DuckDbHistory;
import io.chalkstream.history.HoldDuckDbFile;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.School;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code ./chalkstream stream --subscription=... --stopAfterIdleSeconds=N} end to end: messages
 * published to the real Pub/Sub emulator, the Classroom test server answering the gets, and the
 * DuckDB file read back. Skipped where the emulator is not installed.
 */
public class StreamEmulatorTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final String PROJECT = "chalkstream-stream";
  private static final String TOPIC = "classroom";
  private static final String SUBSCRIPTION = "chalkstream";
  private static final Map<String, String> REGISTRATION = Map.of("registrationId", "reg-1");

  private PubsubEmulator emulator;
  private School school;
  private ClassroomSimulator server;
  private String path;

  /** What a message must become: a row in {@code table} with these column values. */
  private record Expected(String table, Map<String, Object> columns) {}

  private final Map<String, Expected> expected = new LinkedHashMap<>();
  private final List<Message> pending = new ArrayList<>();
  private final List<Expected> pendingExpected = new ArrayList<>();

  @Before
  public void setUp() throws Exception {
    emulator = PubsubEmulator.startOrSkip(PROJECT);
    emulator.createTopic(TOPIC);
    emulator.createSubscription(SUBSCRIPTION, TOPIC);
    school = School.synthetic(17, 4, 15, 2);
    server = ClassroomSimulator.start(school);
    path = tmp.getRoot() + "/history.duckdb";
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

  private void add(String collection, String event, String resourceId, Expected e) {
    pending.add(Message.of("{\"collection\":\"" + collection + "\",\"eventType\":\"" + event
        + "\",\"resourceId\":" + resourceId + "}", REGISTRATION));
    pendingExpected.add(e);
  }

  private void bad(String payload) {
    pending.add(Message.of(payload, REGISTRATION));
    pendingExpected.add(new Expected("dead_letters", Map.of("stage", "PARSE")));
  }

  private static Map<String, Object> columns(Object... pairs) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /** Publishes what was added, in calls of 50, and remembers each id's expectation. */
  private void publish() throws Exception {
    for (int from = 0; from < pending.size(); from += 50) {
      int to = Math.min(pending.size(), from + 50);
      List<String> ids = emulator.publish(TOPIC, pending.subList(from, to));
      for (int i = 0; i < ids.size(); i++) {
        expected.put(ids.get(i), pendingExpected.get(from + i));
      }
    }
    pending.clear();
    pendingExpected.clear();
  }

  private void schoolActivity() {
    for (Course course : school.courses()) {
      String c = course.getId();
      for (Student s : school.students(c)) {
        add("courses.students", "CREATED", ids("courseId", c, "userId", s.getUserId()),
            new Expected("roster_changes", columns("user_id", s.getUserId(),
                "enrichment_status", "OK", "role", "STUDENT",
                "full_name", s.getProfile().getName().getFullName())));
      }
      for (Teacher t : school.teachers(c)) {
        add("courses.teachers", "MODIFIED", ids("courseId", c, "userId", t.getUserId()),
            new Expected("roster_changes", columns("user_id", t.getUserId(),
                "enrichment_status", "OK", "role", "TEACHER",
                "full_name", t.getProfile().getName().getFullName())));
      }
      for (CourseWork w : school.courseWork(c)) {
        add("courses.courseWork", "CREATED", ids("courseId", c, "id", w.getId()),
            new Expected("coursework_changes", columns("course_work_id", w.getId(),
                "enrichment_status", "OK", "title", w.getTitle(), "state", w.getState())));
        for (StudentSubmission s : school.submissions(c, w.getId())) {
          add("courses.courseWork.studentSubmissions", "TURNED_IN",
              ids("courseId", c, "courseWorkId", w.getId(), "id", s.getId()),
              new Expected("submission_changes", columns("submission_id", s.getId(),
                  "enrichment_status", "OK", "user_id", s.getUserId(), "state", s.getState())));
        }
      }
      add("courses.students", "CREATED", ids("courseId", c, "userId", "gone-" + c),
          new Expected("roster_changes", columns("user_id", "gone-" + c,
              "enrichment_status", "NOT_FOUND")));
      String dropped = school.students(c).get(0).getUserId();
      add("courses.students", "DELETED", ids("courseId", c, "userId", dropped),
          new Expected("roster_changes", columns("user_id", dropped,
              "enrichment_status", "SKIPPED", "event_type", "DELETED")));
    }
    bad("not json");
    bad("[]");
    bad("{\"collection\":\"courses.students\",\"eventType\":\"CREATED\"}");
    bad("{\"collection\":\"courses.aliases\",\"eventType\":\"CREATED\",\"resourceId\":{}}");
  }

  private static String ids(String... pairs) {
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < pairs.length; i += 2) {
      json.append(i == 0 ? "" : ",").append('"').append(pairs[i]).append("\":\"")
          .append(pairs[i + 1]).append('"');
    }
    return json.append('}').toString();
  }

  private Result stream(String... extra) {
    List<String> args = new ArrayList<>(List.of("stream",
        "--subscription=" + emulator.subscriptionPath(SUBSCRIPTION),
        "--pubsubRootUrl=" + emulator.rootUrl(), "--classroomRootUrl=" + server.rootUrl(),
        "--duckdbPath=" + path, "--stopAfterIdleSeconds=3", "--windowSeconds=2"));
    args.addAll(List.of(extra));
    return RunCommand.main(args.toArray(new String[0]));
  }

  private static long read(Result r) {
    Matcher done = RunCommand.DONE.matcher(r.out());
    assertTrue(r.out(), done.find());
    return Long.parseLong(done.group(1));
  }

  private void assertEveryMessageOnceAsExpected() throws Exception {
    Map<String, Integer> accounted = DuckDbHistory.accounted(path);
    assertEquals("message ids in the file", expected.keySet(), accounted.keySet());
    assertEquals("no message twice", List.of(),
        accounted.entrySet().stream().filter(e -> e.getValue() != 1).toList());
    for (Map.Entry<String, Expected> e : expected.entrySet()) {
      String table = e.getValue().table();
      List<Map<String, Object>> rows = DuckDbHistory.rows(path, "SELECT * FROM " + table
          + " WHERE message_id = '" + e.getKey() + "'");
      assertEquals(e.getKey(), 1, rows.size());
      Map<String, Object> row = rows.get(0);
      e.getValue().columns().forEach((column, value) ->
          assertEquals(e.getKey() + " " + column + " in " + row, value, row.get(column)));
      if (!table.equals("dead_letters")) {
        assertEquals("reg-1", row.get("registration_id"));
        assertNotNull(row.get("publish_time"));
      }
    }
  }

  @Test
  public void everyMessageIsAccountedForOnceAcrossTwoIdleStoppedRuns() throws Exception {
    schoolActivity();
    publish();
    assertThat(expected.size(), greaterThanOrEqualTo(200));

    Result first = stream();
    assertEquals(first.err(), 0, first.exit());
    assertThat(first.out(), containsString("Reading " + emulator.subscriptionPath(SUBSCRIPTION)));
    assertThat(read(first), greaterThanOrEqualTo((long) expected.size()));
    assertEveryMessageOnceAsExpected();

    // More activity while the job is down; the next run appends it, and whatever the first run
    // left unacknowledged comes back without a second row.
    for (Student s : school.students(school.courses().get(1).getId())) {
      add("courses.students", "MODIFIED",
          ids("courseId", s.getCourseId(), "userId", s.getUserId()),
          new Expected("roster_changes", columns("user_id", s.getUserId(),
              "enrichment_status", "OK", "event_type", "MODIFIED")));
    }
    publish();
    Result second = stream();
    assertEquals(second.err(), 0, second.exit());
    assertThat(read(second), greaterThanOrEqualTo(15L));
    assertEveryMessageOnceAsExpected();
  }

  @Test
  public void afterARestartOnlyTheRegistrationsOfEarlierRunsAreAccepted() throws Exception {
    // An earlier renewal wrote the project's registrations into the file.
    Result renewed = RunCommand.main("renew", "--classroomRootUrl=" + server.rootUrl(),
        "--registrationTopic=projects/" + PROJECT + "/topics/" + TOPIC, "--courses=ALL",
        "--courseFeeds=ROSTER", "--duckdbPath=" + path);
    assertEquals(renewed.err(), 0, renewed.exit());
    String course = school.courses().get(0).getId();
    String ours = school.registrations().stream()
        .filter(r -> course.equals(r.getFeed().getCourseRosterChangesInfo().getCourseId()))
        .findFirst().orElseThrow().getRegistrationId();
    Student s = school.students(course).get(1);
    String resource = ids("courseId", course, "userId", s.getUserId());
    String payload = "{\"collection\":\"courses.students\",\"eventType\":\"CREATED\","
        + "\"resourceId\":" + resource + "}";
    List<String> ids = emulator.publish(TOPIC, List.of(
        Message.of(payload, Map.of("registrationId", ours)),
        Message.of(payload, Map.of("registrationId", "registered-by-someone-else")),
        Message.of(payload, Map.of("origin", "no registration id"))));

    Result r = stream("--acceptUnknownRegistrations=false");
    assertEquals(r.err(), 0, r.exit());
    assertEquals(3, read(r));
    Map<String, Integer> accounted = DuckDbHistory.accounted(path);
    assertEquals(Set.copyOf(ids), accounted.keySet());
    List<Map<String, Object>> changes = DuckDbHistory.rows(path,
        "SELECT message_id, registration_id, full_name FROM roster_changes");
    assertEquals(1, changes.size());
    assertEquals(ids.get(0), changes.get(0).get("message_id"));
    assertEquals(s.getProfile().getName().getFullName(), changes.get(0).get("full_name"));
    List<Map<String, Object>> filtered = DuckDbHistory.rows(path,
        "SELECT message_id, error FROM dead_letters WHERE stage = 'FILTER' ORDER BY message_id");
    assertEquals(Set.of(ids.get(1), ids.get(2)),
        filtered.stream().map(row -> row.get("message_id")).collect(Collectors.toSet()));
  }

  @Test
  public void aFileItCannotWriteStopsTheRunBeforeAnyMessageIsAcknowledged() throws Exception {
    schoolActivity();
    publish();
    Process holder = new ProcessBuilder(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), HoldDuckDbFile.class.getName(), path)
        .redirectErrorStream(true).start();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(
          new java.io.InputStreamReader(holder.getInputStream()));
      assertEquals("held", out.readLine());
      Result refused = stream();
      assertEquals(refused.err(), 2, refused.exit());
      assertEquals("one line: " + refused.err(), 1, refused.err().lines().count());
      assertThat(refused.err(), containsString("cannot write to DuckDB file " + path));
      assertThat(refused.err(), containsString("is another process holding it"));
    } finally {
      holder.getOutputStream().close();
      holder.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      holder.destroyForcibly();
    }
    // Nothing was read, so nothing was acknowledged: the next run gets every message.
    Result second = stream();
    assertEquals(second.err(), 0, second.exit());
    assertEquals(second.out(), expected.size(), read(second));
    assertEveryMessageOnceAsExpected();
  }
}
