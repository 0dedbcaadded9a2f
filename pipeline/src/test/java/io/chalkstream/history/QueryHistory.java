package io.chalkstream.history;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A small hand-made change history, written through {@link DuckDbSink}. Rows are listed in
 * arrival order (their {@code ingested_at}), which is not publish order in places.
 *
 * <p>Roster, course c1: u1 and u2 join on 09-01, u2 leaves on 09-02; u3 joins on 09-02 but is
 * gone by the time of the get (NOT_FOUND); u4 is removed at 11:00 and re-added at 12:00, the
 * notifications arriving the other way round; t1 and u1 teach. Course c2: u1 joins at 23:59.
 * Course work: w1 edited twice (the older edit arriving last), w2 deleted, w3 in c2.
 * Submissions of c1/w1: s1 moves to RETURNED (the TURNED_IN before it arriving last), s2 is
 * NOT_FOUND, s4 is turned in; those of c2/w3 cover each step of the submission funnel.
 */
public final class QueryHistory {
  static final List<Row> ROSTER = new ArrayList<>();
  static final List<Row> COURSEWORK = new ArrayList<>();
  static final List<Row> SUBMISSIONS = new ArrayList<>();

  static {
    roster("r1", "2025-09-01T10:00:00Z", "c1", "u1", "STUDENT", "CREATED", "OK", "Siobhán O'Brien");
    roster("r2", "2025-09-01T10:05:00Z", "c1", "u2", "STUDENT", "CREATED", "OK", "Ana Lima");
    roster("r4", "2025-09-01T11:00:00Z", "c1", "t1", "TEACHER", "CREATED", "OK", "Mr Teach");
    roster("r9", "2025-09-01T12:00:00Z", "c1", "u1", "TEACHER", "CREATED", "OK", "Siobhán O'Brien");
    roster("r8", "2025-09-01T23:59:00Z", "c2", "u1", "STUDENT", "CREATED", "OK", null);
    roster("r5", "2025-09-02T00:30:00Z", "c1", "u3", "STUDENT", "CREATED", "NOT_FOUND", null);
    roster("r3", "2025-09-02T09:00:00Z", "c1", "u2", "STUDENT", "DELETED", "SKIPPED", null);
    roster("r6", "2025-09-02T12:00:00Z", "c1", "u4", "STUDENT", "CREATED", "OK", "Wen Zhao");
    roster("r7", "2025-09-02T11:00:00Z", "c1", "u4", "STUDENT", "DELETED", "SKIPPED", null);

    coursework("w-1", "2025-09-01T09:00:00Z", "c1", "w1", "CREATED", "OK", "Essay 📝", 12.5);
    coursework("w-2", "2025-09-01T10:00:00Z", "c1", "w1", "MODIFIED", "OK", "Essay 📝 (final)", 15.0);
    coursework("w-4", "2025-09-01T11:00:00Z", "c1", "w2", "CREATED", "OK", "Quiz", 10.0);
    coursework("w-3", "2025-09-01T09:30:00Z", "c1", "w1", "MODIFIED", "OK", "Essay 📝 (draft)", 12.5);
    coursework("w-5", "2025-09-02T08:00:00Z", "c1", "w2", "DELETED", "SKIPPED", null, null);
    coursework("w-6", "2025-09-01T12:00:00Z", "c2", "w3", "CREATED", "OK", "Lab report", null);

    submission("s-1", "2025-09-03T08:00:00Z", "c1", "w1", "s1", "u1", "OK",
        "CREATED", false, null, null);
    submission("s-3", "2025-09-03T10:00:00Z", "c1", "w1", "s1", "u1", "OK",
        "RETURNED", true, 14.5, 14.5);
    submission("s-2", "2025-09-03T09:00:00Z", "c1", "w1", "s1", "u1", "OK",
        "TURNED_IN", true, null, 14.5);
    submission("s-4", "2025-09-03T09:00:00Z", "c1", "w1", "s2", null, "NOT_FOUND",
        null, null, null, null);
    submission("s-5", "2025-09-03T09:30:00Z", "c1", "w1", "s4", "u4", "OK",
        "TURNED_IN", false, null, null);
    // c2/w3: s10 returned late with a grade; s11 reclaimed (its older TURNED_IN arriving last);
    // s12 has a draft grade only; s13 is gone (NOT_FOUND); s14 returned without a grade; s15's
    // get FAILED; s16 turned in late.
    submission("ss-1", "2025-09-04T08:00:00Z", "c2", "w3", "s10", "u1", "OK",
        "CREATED", false, null, null);
    submission("ss-2", "2025-09-04T09:00:00Z", "c2", "w3", "s10", "u1", "OK",
        "TURNED_IN", true, null, 9.0);
    submission("ss-3", "2025-09-04T10:00:00Z", "c2", "w3", "s10", "u1", "OK",
        "RETURNED", true, 9.0, 9.0);
    submission("ss-5", "2025-09-04T11:00:00Z", "c2", "w3", "s11", "u5", "OK",
        "RECLAIMED_BY_STUDENT", false, null, null);
    submission("ss-4", "2025-09-04T09:30:00Z", "c2", "w3", "s11", "u5", "OK",
        "TURNED_IN", false, null, null);
    submission("ss-6", "2025-09-04T08:00:00Z", "c2", "w3", "s12", "u6", "OK",
        "CREATED", false, null, 5.0);
    submission("ss-7", "2025-09-04T09:00:00Z", "c2", "w3", "s13", "u7", "OK",
        "TURNED_IN", false, null, null);
    submission("ss-8", "2025-09-04T12:00:00Z", "c2", "w3", "s13", null, "NOT_FOUND",
        null, null, null, null);
    submission("ss-9", "2025-09-04T10:00:00Z", "c2", "w3", "s14", "u8", "OK",
        "RETURNED", false, null, null);
    submission("ss-10", "2025-09-04T10:00:00Z", "c2", "w3", "s15", null, "FAILED",
        null, null, null, null);
    submission("ss-11", "2025-09-04T10:30:00Z", "c2", "w3", "s16", "u10", "OK",
        "TURNED_IN", true, null, null);
  }

  private QueryHistory() {}

  /** Writes the history to a DuckDB file at {@code path} and closes it. */
  public static void write(String path) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    HistoryRows.of(Table.ROSTER_CHANGES, create(p, Table.ROSTER_CHANGES, ROSTER))
        .and(Table.COURSEWORK_CHANGES,
            create(p, Table.COURSEWORK_CHANGES, COURSEWORK))
        .and(Table.SUBMISSION_CHANGES,
            create(p, Table.SUBMISSION_CHANGES, SUBMISSIONS))
        .apply(DuckDbSink.to(path));
    p.run().waitUntilFinish();
    DuckDbSink.closeAll();
  }

  private static PCollection<Row> create(Pipeline p, Table table,
      List<Row> rows) {
    return p.apply("Create " + table.tableName(), Create.of(rows).withRowSchema(table.beamSchema()));
  }

  private static Row.FieldValueBuilder change(Table table, List<Row> arrived, String collection,
      String messageId, String publishTime, String course, String event, String status) {
    return Row.withSchema(table.beamSchema())
        .withFieldValue("message_id", messageId)
        .withFieldValue("publish_time", Instant.parse(publishTime))
        .withFieldValue("registration_id", "reg-1")
        .withFieldValue("collection", collection)
        .withFieldValue("event_type", event)
        .withFieldValue("course_id", course)
        .withFieldValue("enrichment_status", status)
        .withFieldValue("ingested_at",
            Instant.parse("2025-09-10T00:00:00Z").plus(60_000L * arrived.size()));
  }

  private static void roster(String id, String publishTime, String course, String user,
      String role, String event, String status, @Nullable String fullName) {
    ROSTER.add(change(Table.ROSTER_CHANGES, ROSTER,
        role.equals("STUDENT") ? "courses.students" : "courses.teachers", id, publishTime,
        course, event, status)
        .withFieldValue("user_id", user)
        .withFieldValue("role", role)
        .withFieldValue("full_name", fullName)
        .build());
  }

  private static void coursework(String id, String publishTime, String course, String work,
      String event, String status, @Nullable String title, @Nullable Double maxPoints) {
    COURSEWORK.add(change(Table.COURSEWORK_CHANGES, COURSEWORK, "courses.courseWork", id,
        publishTime, course, event, status)
        .withFieldValue("course_work_id", work)
        .withFieldValue("title", title)
        .withFieldValue("max_points", maxPoints)
        .build());
  }

  private static void submission(String id, String publishTime, String course, String work,
      String submission, @Nullable String user, String status, @Nullable String state,
      @Nullable Boolean late, @Nullable Double assigned, @Nullable Double draft) {
    SUBMISSIONS.add(change(Table.SUBMISSION_CHANGES, SUBMISSIONS,
        "courses.courseWork.studentSubmissions", id, publishTime, course, "MODIFIED", status)
        .withFieldValue("course_work_id", work)
        .withFieldValue("submission_id", submission)
        .withFieldValue("user_id", user)
        .withFieldValue("state", state)
        .withFieldValue("late", late)
        .withFieldValue("assigned_grade", assigned)
        .withFieldValue("draft_grade", draft)
        .build());
  }
}
