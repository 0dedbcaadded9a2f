package io.chalkstream.snapshot;

import io.chalkstream.enrich.EnrichedChange;
import io.chalkstream.enrich.EnrichmentStatus;
import io.chalkstream.history.ChangeRows;
import io.chalkstream.history.Table;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCollection;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What reconciliation compares: a resource's identity (collection, course and ids) and the part
 * of its state that a missed notification would leave stale. Built the same way from a snapshot
 * row and from a row of a {@code *_current} view, which share their column names.
 */
@DefaultCoder(DriftCoder.class)
public record Drift(NotificationCollection collection, String courseId, List<String> ids,
    @Nullable String value) implements Serializable {

  /** The {@code reconciliation.kind} values. */
  public enum Kind {
    MISSING_IN_HISTORY,
    GONE_IN_CLASSROOM,
    STATE_DIFFERS
  }

  /** The view of the current state of {@code table}'s resources. */
  public static String currentView(Table table) {
    return switch (table) {
      case ROSTER_CHANGES -> "roster_current";
      case COURSEWORK_CHANGES -> "coursework_current";
      case SUBMISSION_CHANGES -> "submission_current";
      default -> throw new IllegalArgumentException(table + " is not a change table");
    };
  }

  /**
   * The resource of a row of {@code table} (a change row or a row of its current view), reading
   * columns with {@code column}. The value is null where the row does not know the state (its get
   * failed or was refused): such a row counts for presence only.
   */
  public static Drift of(Table table, Function<String, @Nullable Object> column) {
    String course = (String) column.apply("course_id");
    boolean known = EnrichmentStatus.OK.name().equals(column.apply("enrichment_status"));
    return switch (table) {
      case ROSTER_CHANGES -> new Drift("TEACHER".equals(column.apply("role"))
          ? NotificationCollection.TEACHERS : NotificationCollection.STUDENTS, course,
          List.of(course, String.valueOf(column.apply("user_id"))), known ? "present" : null);
      case COURSEWORK_CHANGES -> new Drift(NotificationCollection.COURSE_WORK, course,
          List.of(course, String.valueOf(column.apply("course_work_id"))),
          known ? "state=" + column.apply("state") + "; title=" + column.apply("title") : null);
      case SUBMISSION_CHANGES -> new Drift(NotificationCollection.SUBMISSIONS, course,
          List.of(course, String.valueOf(column.apply("course_work_id")),
              String.valueOf(column.apply("submission_id"))),
          known ? "state=" + column.apply("state") + "; assigned_grade="
              + column.apply("assigned_grade") : null);
      default -> throw new IllegalArgumentException(table + " is not a change table");
    };
  }

  /** The resource of a row of a {@code *_current} view read as a map of columns. */
  public static Drift of(Table table, Map<String, Object> row) {
    return of(table, row::get);
  }

  /** Identity of the resource, the join key of the comparison. */
  public String key() {
    return Notification.resourcePath(collection, ids);
  }

  /** The list whose reading says whether this resource is still in Classroom. */
  public String listName() {
    return SnapshotClassroom.listName(collection, courseId);
  }

  /** The difference between the history's view of a resource and Classroom's; null if none. */
  public static @Nullable Kind compare(@Nullable Drift history, @Nullable Drift classroom) {
    if (history == null && classroom == null) {
      return null;
    }
    if (history == null) {
      return Kind.MISSING_IN_HISTORY;
    }
    if (classroom == null) {
      return Kind.GONE_IN_CLASSROOM;
    }
    return history.value() != null && !Objects.equals(history.value(), classroom.value())
        ? Kind.STATE_DIFFERS : null;
  }

  /**
   * A SNAPSHOT change row that says the resource is gone (NOT_FOUND), so the views drop it: the
   * repair of {@link Kind#GONE_IN_CLASSROOM}. Its ids are the history's, personal data already as
   * configured.
   */
  public org.apache.beam.sdk.values.Row goneRow(org.joda.time.Instant at, long nowMillis) {
    Notification n = new Notification(SnapshotClassroom.messageId(at, key()), at.getMillis(),
        null, collection, SnapshotClassroom.EVENT_TYPE, ids, Map.of(), new byte[0]);
    return ChangeRows.toRow(new EnrichedChange(n, EnrichmentStatus.NOT_FOUND, null,
        at.getMillis()), nowMillis);
  }
}
