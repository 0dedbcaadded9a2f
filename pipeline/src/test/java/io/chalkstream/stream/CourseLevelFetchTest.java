package io.chalkstream.stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Faults.Fault;
import io.chalkstream.simulator.School;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Course-level fetch gives the very rows of the get path: the same school and notifications run
 * through ProcessNotifications with {@code --courseLevelFetch=false} and {@code true}, and every
 * column of every row but the two timestamps of the run is compared, for resources present,
 * gone (NOT_FOUND), deleted (SKIPPED) and in a course the user may not read (PERMISSION_DENIED).
 */
public class CourseLevelFetchTest {
  private static final Map<String, Map<String, String>> ROWS = new ConcurrentHashMap<>();
  private static final long T = 1_700_000_040_000L;

  private ClassroomSimulator server;
  private School school;
  private final List<TimestampedValue<PubsubMessage>> messages = new ArrayList<>();

  @Before
  public void setUp() throws Exception {
    school = School.synthetic(23, 4, 25, 3);
    server = ClassroomSimulator.start(school);
    List<String> courses = school.courses().stream().map(c -> c.getId()).toList();
    String busy = courses.get(0);
    String forbidden = courses.get(1);
    String quiet = courses.get(2);
    for (String course : List.of(busy, forbidden)) {
      for (var s : school.students(course)) {
        add("courses.students", "CREATED", "\"courseId\":\"" + course + "\",\"userId\":\""
            + s.getUserId() + "\"");
      }
      for (var t : school.teachers(course)) {
        add("courses.teachers", "CREATED", "\"courseId\":\"" + course + "\",\"userId\":\""
            + t.getUserId() + "\"");
      }
      for (var w : school.courseWork(course)) {
        add("courses.courseWork", "MODIFIED", "\"courseId\":\"" + course + "\",\"id\":\""
            + w.getId() + "\"");
        for (var sub : school.submissions(course, w.getId())) {
          add("courses.courseWork.studentSubmissions", "MODIFIED", "\"courseId\":\"" + course
              + "\",\"courseWorkId\":\"" + w.getId() + "\",\"id\":\"" + sub.getId() + "\"");
        }
      }
    }
    // Gone by the time of the call: NOT_FOUND either way; deleted: SKIPPED; a repeat shares.
    var leaver = school.students(busy).get(0);
    school.removeStudent(busy, leaver.getUserId());
    add("courses.students", "MODIFIED", "\"courseId\":\"" + busy + "\",\"userId\":\"nobody\"");
    add("courses.students", "DELETED", "\"courseId\":\"" + busy + "\",\"userId\":\"x\"");
    add("courses.students", "MODIFIED", "\"courseId\":\"" + busy + "\",\"userId\":\""
        + school.students(busy).get(1).getUserId() + "\"");
    // One change in a quiet course: a get is cheaper than any list.
    add("courses.students", "CREATED", "\"courseId\":\"" + quiet + "\",\"userId\":\""
        + school.students(quiet).get(0).getUserId() + "\"");
    // The user may not read the forbidden course: its lists and gets answer 403.
    for (String path : List.of("students", "teachers", "courseWork")) {
      server.faults().onPath("v1/courses/" + forbidden + "/" + path, Fault.of(403));
    }
    for (var s : school.students(forbidden)) {
      server.faults().onPath("v1/courses/" + forbidden + "/students/" + s.getUserId(),
          Fault.of(403));
    }
    for (var t : school.teachers(forbidden)) {
      server.faults().onPath("v1/courses/" + forbidden + "/teachers/" + t.getUserId(),
          Fault.of(403));
    }
    for (var w : school.courseWork(forbidden)) {
      String work = "v1/courses/" + forbidden + "/courseWork/" + w.getId();
      server.faults().onPath(work, Fault.of(403));
      server.faults().onPath(work + "/studentSubmissions", Fault.of(403));
      for (var sub : school.submissions(forbidden, w.getId())) {
        server.faults().onPath(work + "/studentSubmissions/" + sub.getId(), Fault.of(403));
      }
    }
  }

  @After
  public void tearDown() {
    server.close();
  }

  private void add(String collection, String event, String ids) {
    String json = "{\"collection\":\"" + collection + "\",\"eventType\":\"" + event
        + "\",\"resourceId\":{" + ids + "}}";
    String id = "m" + messages.size();
    messages.add(TimestampedValue.of(new PubsubMessage(json.getBytes(StandardCharsets.UTF_8),
        Map.of("registrationId", "r"), id), new Instant(T + messages.size())));
  }

  @Test
  public void listsAnswerEveryChangeExactlyAsTheGetsDoWithFarFewerCalls() throws Exception {
    Map<String, String> byGets = run("gets", false);
    long getCalls = server.counters().calls();
    server.counters().reset();
    Map<String, String> byLists = run("lists", true);
    long listCalls = server.counters().calls();

    assertEquals(messages.size(), byGets.size());
    assertEquals(byGets, byLists);
    assertTrue(byLists.values().stream().anyMatch(r -> r.contains("enrichment_status=NOT_FOUND")));
    assertTrue(byLists.values().stream()
        .anyMatch(r -> r.contains("enrichment_status=PERMISSION_DENIED")));
    assertTrue(server.counters().calls("students.list") > 0);
    assertTrue(server.counters().calls("studentSubmissions.list") > 0);
    assertEquals("the quiet course's one change is a get", 1,
        server.counters().calls("students.get"));
    assertTrue(listCalls + " calls by lists, " + getCalls + " by gets",
        listCalls * 5 < getCalls);
  }

  private Map<String, String> run(String name, boolean courseLists) {
    ClassroomOptions classroom = PipelineOptionsFactory.as(ClassroomOptions.class);
    classroom.setClassroomRootUrl(server.rootUrl());
    classroom.setCourseLevelFetch(courseLists);
    Pipeline p = Pipeline.create();
    HistoryRows rows = p.apply(Create.timestamped(messages)
            .withCoder(PubsubMessageWithAttributesAndMessageIdCoder.of()))
        .apply(new ProcessNotifications(Duration.standardSeconds(60), Duration.standardHours(1),
            ClassroomClientConfig.forGets(classroom), new RetryPolicy(2, 10, 50, 10_000)));
    for (Table table : List.of(Table.ROSTER_CHANGES, Table.COURSEWORK_CHANGES,
        Table.SUBMISSION_CHANGES)) {
      rows.get(table).apply("Keep" + table, ParDo.of(new Keep(name)));
    }
    p.run().waitUntilFinish();
    return ROWS.getOrDefault(name, Map.of());
  }

  /** Every column of a row but the run's own timestamps, by message id. */
  static final class Keep extends DoFn<Row, Void> {
    private final String run;

    Keep(String run) {
      this.run = run;
    }

    @ProcessElement
    public void process(@Element Row row) {
      Map<String, Object> columns = new TreeMap<>();
      for (String field : row.getSchema().getFieldNames()) {
        if (!field.equals("enriched_at") && !field.equals("ingested_at")) {
          columns.put(field, row.getValue(field));
        }
      }
      ROWS.computeIfAbsent(run, k -> new ConcurrentHashMap<>())
          .put(row.getString("message_id"), columns.toString());
    }
  }
}
