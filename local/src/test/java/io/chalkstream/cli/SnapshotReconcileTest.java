package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.StudentSubmission;
import io.chalkstream.cli.RunCommand.Result;
import io.chalkstream.history.DuckDbHistory;
import io.chalkstream.history.DuckDbSink;
import io.chalkstream.history.Views;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Faults.Fault;
import io.chalkstream.simulator.School;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code ./chalkstream snapshot} and {@code reconcile} against the Classroom test server (paging
 * forced with pages of 2), into a real DuckDB file: one row per resource, zero drift on a complete
 * history, exactly the changes made behind the history's back, and a repair that makes the next
 * reconcile clean.
 */
public class SnapshotReconcileTest {
  private static final Pattern DIFFERENCES = Pattern.compile("(\\d+) difference\\(s\\)");
  private static final List<String> LISTS = List.of("courses.list", "students.list",
      "teachers.list", "courseWork.list", "studentSubmissions.list");

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private School school;
  private ClassroomSimulator server;
  private String path;

  @Before
  public void setUp() throws Exception {
    school = School.synthetic(41, 5, 5, 2); // 5 courses, one of them archived
    server = ClassroomSimulator.start(school).pageSizes(2, 2);
    path = tmp.getRoot() + "/history.duckdb";
  }

  @After
  public void tearDown() {
    DuckDbSink.closeAll();
    server.close();
  }

  private Result run(String command, String... extra) {
    List<String> args = new ArrayList<>(List.of(command, "--classroomRootUrl=" + server.rootUrl(),
        "--duckdbPath=" + path, "--maxCallsPerMinute=0", "--enrichMaxAttempts=2"));
    args.addAll(Arrays.asList(extra));
    return RunCommand.main(args.toArray(new String[0]));
  }

  private List<Map<String, Object>> rows(String sql) throws Exception {
    return DuckDbHistory.rows(path, sql);
  }

  private List<Course> active() {
    return school.courses().stream().filter(c -> "ACTIVE".equals(c.getCourseState())).toList();
  }

  private static long differences(Result r) {
    Matcher m = DIFFERENCES.matcher(r.out());
    assertTrue(r.out(), m.find());
    return Long.parseLong(m.group(1));
  }

  private long listCalls() {
    return LISTS.stream().mapToLong(server.counters()::calls).sum();
  }

  @Test
  public void aSnapshotIsOneRowPerResourceAcrossPagesAndTheViewsShowIt() throws Exception {
    Result r = run("snapshot");
    assertEquals(r.out() + r.err(), 0, r.exit());

    Set<String> roster = new HashSet<>();
    Set<String> work = new HashSet<>();
    Set<String> submissions = new HashSet<>();
    for (Course c : active()) {
      school.students(c.getId()).forEach(s -> roster.add(c.getId() + " STUDENT " + s.getUserId()));
      school.teachers(c.getId()).forEach(t -> roster.add(c.getId() + " TEACHER " + t.getUserId()));
      for (CourseWork w : school.courseWork(c.getId())) {
        work.add(c.getId() + " " + w.getId() + " " + w.getTitle());
        school.submissions(c.getId(), w.getId()).forEach(s -> submissions.add(c.getId() + " "
            + w.getId() + " " + s.getId() + " " + s.getState()));
      }
    }
    assertEquals(roster, strings(rows("SELECT course_id || ' ' || role || ' ' || user_id AS v "
        + "FROM roster_changes")));
    assertEquals(work, strings(rows("SELECT course_id || ' ' || course_work_id || ' ' || title "
        + "AS v FROM coursework_changes")));
    assertEquals(submissions, strings(rows("SELECT course_id || ' ' || course_work_id || ' ' || "
        + "submission_id || ' ' || state AS v FROM submission_changes")));
    // One row per resource, each its own SNAPSHOT message of one run, all OK.
    List<Map<String, Object>> all = rows("SELECT message_id, event_type, enrichment_status, "
        + "publish_time FROM roster_changes UNION ALL SELECT message_id, event_type, "
        + "enrichment_status, publish_time FROM coursework_changes UNION ALL SELECT message_id, "
        + "event_type, enrichment_status, publish_time FROM submission_changes");
    assertEquals(roster.size() + work.size() + submissions.size(), all.size());
    assertEquals(all.size(), all.stream().map(m -> m.get("message_id")).distinct().count());
    assertEquals(Set.of("SNAPSHOT OK"), all.stream()
        .map(m -> m.get("event_type") + " " + m.get("enrichment_status")).collect(Collectors.toSet()));
    assertEquals(1, all.stream().map(m -> m.get("publish_time")).distinct().count());
    assertTrue(all.stream().allMatch(m -> ((String) m.get("message_id")).startsWith("snapshot/")));
    // Pages of 2: every list was paged, and every call was counted.
    assertThat(server.counters().calls("students.list"), greaterThanOrEqualTo(3L * active().size()));
    assertThat(r.out(), containsString(listCalls() + " list calls"));
    assertEquals(roster.size(), rows(Views.sql("roster_current", "")).size());
    assertEquals(submissions.size(), rows(Views.sql("submission_current", "")).size());
  }

  private static Set<String> strings(List<Map<String, Object>> rows) {
    return rows.stream().map(m -> (String) m.get("v")).collect(Collectors.toSet());
  }

  @Test
  public void reconcileFindsExactlyWhatChangedBehindTheHistorysBackAndRepairIt() throws Exception {
    assertEquals(0, run("snapshot").exit());
    Result clean = run("reconcile");
    assertEquals(clean.out() + clean.err(), 0, clean.exit());
    assertEquals(0, differences(clean));

    // Changes whose notifications never arrive.
    String c0 = active().get(0).getId();
    String c1 = active().get(1).getId();
    Student gone = school.students(c0).get(0);
    school.removeStudent(c0, gone.getUserId());
    school.putStudent(new Student().setCourseId(c1).setUserId("999000111"));
    CourseWork edited = school.courseWork(c1).get(0);
    String titleBefore = edited.getTitle();
    school.putCourseWork(edited.setTitle("Renamed behind our back"));
    StudentSubmission graded = school.submissions(c1, edited.getId()).get(0);
    school.putSubmission(graded.setState("RETURNED").setAssignedGrade(7.5));
    CourseWork deleted = school.courseWork(c0).get(1);
    List<StudentSubmission> itsSubmissions = school.submissions(c0, deleted.getId());
    school.removeCourseWork(c0, deleted.getId()); // its submissions go with it

    Result found = run("reconcile");
    assertEquals(found.out() + found.err(), 0, found.exit());
    List<String> expected = new ArrayList<>(List.of(
        "GONE_IN_CLASSROOM courses.courseWork " + c0 + " null " + deleted.getId() + " null",
        "GONE_IN_CLASSROOM courses.students " + c0 + " " + gone.getUserId() + " null null",
        "MISSING_IN_HISTORY courses.students " + c1 + " 999000111 null null",
        "STATE_DIFFERS courses.courseWork " + c1 + " null " + edited.getId() + " null",
        "STATE_DIFFERS courses.courseWork.studentSubmissions " + c1 + " null " + edited.getId()
            + " " + graded.getId()));
    // The history never heard of the deletion, so each of the work's submissions is gone too.
    itsSubmissions.forEach(sub -> expected.add("GONE_IN_CLASSROOM "
        + "courses.courseWork.studentSubmissions " + c0 + " null " + deleted.getId() + " "
        + sub.getId()));
    assertThat(itsSubmissions.size(), greaterThanOrEqualTo(1));
    String describe = "SELECT kind || ' ' || collection || ' ' || course_id || ' ' || "
        + "coalesce(user_id, 'null') || ' ' || coalesce(course_work_id, 'null') || ' ' || "
        + "coalesce(submission_id, 'null') AS v FROM reconciliation";
    assertEquals(Set.copyOf(expected), strings(rows(describe)));
    assertEquals(expected.size(), differences(found));
    assertEquals(List.of(Map.of("h", "state=PUBLISHED; title=" + titleBefore,
            "c", "state=PUBLISHED; title=Renamed behind our back")),
        rows("SELECT history_value AS h, classroom_value AS c FROM reconciliation "
            + "WHERE kind = 'STATE_DIFFERS' AND submission_id IS NULL"));

    Result repaired = run("reconcile", "--repair");
    assertEquals(repaired.out(), expected.size(), differences(repaired));
    assertThat(repaired.out(), containsString(expected.size() + " repaired"));
    Result after = run("reconcile");
    assertEquals(after.out(), 0, differences(after));
    assertEquals(1, rows("SELECT * FROM (" + Views.sql("roster_current", "")
        + ") WHERE user_id = '999000111'").size());
    assertEquals(0, rows("SELECT * FROM (" + Views.sql("roster_current", "") + ") WHERE user_id = '"
        + gone.getUserId() + "' AND course_id = '" + c0 + "'").size());
  }

  @Test
  public void aListThatCannotBeReadIsADeadLetterNotDrift() throws Exception {
    assertEquals(0, run("snapshot").exit());
    server.faults().onMethod("teachers.list", Fault.of(503));
    Result r = run("reconcile");
    assertEquals(r.out(), 1, r.exit());
    assertEquals(0, differences(r)); // the teachers were not read, so none is "gone"
    assertThat(r.out(), containsString(active().size() + " list(s) could not be read"));
    List<Map<String, Object>> dead = rows("SELECT stage, message_id, error FROM dead_letters");
    assertEquals(active().size(), dead.size());
    assertThat((String) dead.get(0).get("error"), containsString("courses.teachers/"));
    assertThat((String) dead.get(0).get("error"), containsString("gave up after 2 attempt(s)"));
  }

  @Test
  public void theThrottlePacesTheListCalls() throws Exception {
    // 650 a minute: a pace of 600 (one batch held back), a call every 100 ms after the first batch.
    Result r = run("snapshot", "--courses=" + active().get(0).getId() + ","
        + active().get(1).getId());
    assertEquals(r.err(), 0, r.exit());
    long unthrottled = listCalls();
    server.counters().reset();
    long started = System.currentTimeMillis();
    List<String> args = new ArrayList<>(List.of("snapshot", "--classroomRootUrl=" + server.rootUrl(),
        "--duckdbPath=" + tmp.getRoot() + "/other.duckdb", "--maxCallsPerMinute=650",
        "--courses=" + active().get(0).getId() + "," + active().get(1).getId()));
    Result throttled = RunCommand.main(args.toArray(new String[0]));
    assertEquals(throttled.err(), 0, throttled.exit());
    long[] times = server.counters().callTimesMillis();
    assertEquals(unthrottled, times.length);
    // The first round (8 first pages) goes at once; every later call waits its 100 ms.
    assertThat(times[times.length - 1] - started, greaterThanOrEqualTo((times.length - 8) * 90L));
  }

  @Test
  public void theEmbeddedSchoolIsSnapshottedStreamedAndReconciledAsTheReadmeShows()
      throws Exception {
    String[] file = {"--duckdbPath=" + tmp.getRoot() + "/embedded.duckdb"};
    path = tmp.getRoot() + "/embedded.duckdb";
    Result snapshot = RunCommand.main("snapshot", file[0]);
    assertEquals(snapshot.err(), 0, snapshot.exit());
    assertThat(snapshot.out(), containsString("Reading the simulated school of " + path
        + ".school.json"));
    Result stream = RunCommand.main("stream", file[0], "--simulationMessages=300");
    assertEquals(stream.err(), 0, stream.exit());
    Result clean = RunCommand.main("reconcile", file[0]);
    assertEquals(clean.out() + clean.err(), 0, clean.exit());
    assertEquals("a complete history has no drift", 0, differences(clean));

    // The same school goes on, with a third of its notifications withheld.
    Result dropping = RunCommand.main("stream", file[0], "--simulationMessages=300",
        "--simulationDropPercent=33");
    assertEquals(dropping.err(), 0, dropping.exit());
    assertThat(dropping.out(), containsString("notifications, on purpose"));
    Result found = RunCommand.main("reconcile", file[0], "--repair");
    assertThat(differences(found), greaterThanOrEqualTo(1L));
    Result after = RunCommand.main("reconcile", file[0]);
    assertEquals(after.out(), 0, differences(after));
  }
}
