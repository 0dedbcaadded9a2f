package io.chalkstream.history;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The views on DuckDB over {@link QueryHistory} plus redelivered copies of some messages. The
 * DuckDB sink never keeps duplicates, so the history is copied into key-less tables, as in
 * BigQuery, where an at-least-once write can duplicate a message.
 */
public class QueryViewsTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static Connection db;

  @BeforeClass
  public static void writeHistoryWithDuplicates() throws Exception {
    String path = TMP.getRoot() + "/history.duckdb";
    QueryHistory.write(path);
    db = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = db.createStatement()) {
      s.execute("ATTACH '" + path + "' AS sink (READ_ONLY)");
      for (String t : List.of("roster_changes", "coursework_changes", "submission_changes")) {
        s.execute("CREATE TABLE " + t + " AS SELECT * FROM sink." + t);
      }
      // Redelivered later and re-enriched: the views keep the first row written per message.
      s.execute("INSERT INTO roster_changes SELECT * REPLACE (ingested_at + INTERVAL 1 HOUR AS "
          + "ingested_at, 'Siobhan (redelivered)' AS full_name) FROM sink.roster_changes "
          + "WHERE message_id IN ('r1', 'r3', 'r6')");
      s.execute("INSERT INTO coursework_changes SELECT * REPLACE (ingested_at + INTERVAL 1 HOUR "
          + "AS ingested_at, 'redelivered' AS title) FROM sink.coursework_changes "
          + "WHERE message_id IN ('w-2', 'w-5')");
      s.execute("INSERT INTO submission_changes SELECT * REPLACE (ingested_at + INTERVAL 1 HOUR "
          + "AS ingested_at, 'redelivered' AS state) FROM sink.submission_changes "
          + "WHERE message_id IN ('s-3', 's-4', 'ss-3')");
      s.execute("DETACH sink");
      for (String view : Views.names()) {
        s.execute("CREATE VIEW " + view + " AS " + Views.sql(view, ""));
      }
    }
  }

  @AfterClass
  public static void close() throws SQLException {
    db.close();
  }

  private static List<String> rows(String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getString(i));
        }
        rows.add(String.join(" ", row));
      }
    }
    return rows;
  }

  @Test
  public void namesListsTheSqlFilesOfTheJar() {
    assertEquals(List.of("coursework_current", "enrollment_by_day", "roster_current",
        "submission_current", "submission_funnel"), Views.names());
  }

  @Test
  public void bigQuerySqlPrefixesEveryTableWithTheQuotedDataset() {
    String sql = Views.bigQuerySql("roster_current", "my-project", "classroom");
    assertThat(sql, containsString("FROM `my-project.classroom`.roster_changes"));
    assertThat(sql, not(containsString(Views.DATASET)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Views.sql("nope", ""));
    assertThat(e.getMessage(), containsString("no view named nope; views: [coursework_current"));
  }

  @Test
  public void rosterCurrentKeepsTheLatestPresentPeopleByPublishTime() throws Exception {
    // u2 removed, u3 NOT_FOUND, u4 removed then re-added (notifications arrived reversed).
    assertEquals(List.of(
            "c1 u1 STUDENT Siobhán O'Brien CREATED r1",
            "c1 u4 STUDENT Wen Zhao CREATED r6",
            "c1 t1 TEACHER Mr Teach CREATED r4",
            "c1 u1 TEACHER Siobhán O'Brien CREATED r9",
            "c2 u1 STUDENT null CREATED r8"),
        rows("SELECT course_id, user_id, role, full_name, event_type, message_id "
            + "FROM roster_current"));
  }

  @Test
  public void courseworkCurrentKeepsTheLatestEditAndDropsDeletedWork() throws Exception {
    assertEquals(List.of("c1 w1 Essay 📝 (final) 15.0 w-2", "c2 w3 Lab report null w-6"),
        rows("SELECT course_id, course_work_id, title, max_points, message_id "
            + "FROM coursework_current"));
  }

  @Test
  public void submissionCurrentKeepsTheLatestStateAndDropsNotFound() throws Exception {
    assertEquals(List.of("c1 w1 s1 u1 RETURNED true 14.5 14.5 s-3",
            "c1 w1 s4 u4 TURNED_IN false null null s-5",
            "c2 w3 s10 u1 RETURNED true 9.0 9.0 ss-3",
            "c2 w3 s11 u5 RECLAIMED_BY_STUDENT false null null ss-5",
            "c2 w3 s12 u6 CREATED false null 5.0 ss-6",
            "c2 w3 s14 u8 RETURNED false null null ss-9",
            "c2 w3 s15 null null null null null ss-10",
            "c2 w3 s16 u10 TURNED_IN true null null ss-11"),
        rows("SELECT course_id, course_work_id, submission_id, user_id, state, late, "
            + "assigned_grade, draft_grade, message_id FROM submission_current"));
  }

  @Test
  public void submissionFunnelCountsEachStepFromTheLatestStateOfEachSubmission() throws Exception {
    // c2/w3: s13 is gone; s11 was turned in but reclaimed since; s12 has a draft grade only; s14
    // came back without a grade; s15's get failed; ss-3 was redelivered with another state.
    assertEquals(List.of(
            "c1 w1 assigned=2 turned_in=2 late=1 returned=1 graded=1",
            "c2 w3 assigned=6 turned_in=3 late=2 returned=2 graded=1"),
        rows("SELECT course_id, course_work_id, 'assigned=' || assigned, 'turned_in=' || turned_in, "
            + "'late=' || late, 'returned=' || returned, 'graded=' || graded "
            + "FROM submission_funnel"));
  }

  @Test
  public void enrollmentByDayCountsStudentsAddedAndRemovedPerUtcDay() throws Exception {
    // r5 at 00:30 UTC belongs to 09-02; teachers do not count; u4 both left and rejoined.
    assertEquals(List.of("2025-09-01 c1 2 0", "2025-09-01 c2 1 0", "2025-09-02 c1 2 2"),
        rows("SELECT day, course_id, students_added, students_removed FROM enrollment_by_day"));
  }
}
