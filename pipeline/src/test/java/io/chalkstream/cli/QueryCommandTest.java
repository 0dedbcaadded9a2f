package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import io.chalkstream.history.QueryHistory;
import io.chalkstream.history.Views;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code ./chalkstream query} on a real DuckDB file written by the sink. */
public class QueryCommandTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static String path;

  @BeforeClass
  public static void writeHistory() {
    path = TMP.getRoot() + "/history.duckdb";
    QueryHistory.write(path);
  }

  /** Exit code, stdout and stderr of one run. */
  private record Result(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private static Result query(String file, String sqlOrView) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = QueryCommand.run(file, sqlOrView, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  public void printsAnAlignedTableWithNullsAndTheRowCount() {
    Result r = query(path, "SELECT course_id, user_id, role, full_name FROM roster_current");
    assertEquals(new Result(QueryCommand.OK, String.join("\n",
        "course_id | user_id | role    | full_name",
        "----------+---------+---------+----------------",
        "c1        | u1      | STUDENT | Siobhán O'Brien",
        "c1        | u4      | STUDENT | Wen Zhao",
        "c1        | t1      | TEACHER | Mr Teach",
        "c1        | u1      | TEACHER | Siobhán O'Brien",
        "c2        | u1      | STUDENT | NULL",
        "(5 rows)", ""), ""), r);
  }

  @Test
  public void aViewNameRunsTheWholeView() {
    Result r = query(path, " roster_current ");
    assertEquals(QueryCommand.OK, r.exit());
    assertEquals("course_id | user_id | role    | full_name       | email_address | event_type "
        + "| enrichment_status | changed_at          | message_id", r.lines().get(0));
    assertEquals("c1        | u1      | STUDENT | Siobhán O'Brien | NULL          | CREATED    "
        + "| OK                | 2025-09-01 10:00:00 | r1", r.lines().get(2));
    assertEquals("(5 rows)", r.lines().get(r.lines().size() - 1));
  }

  @Test
  public void numbersAlignRightAndSqlCanNameTheViews() {
    Result r = query(path, "SELECT course_id, count(*) AS people FROM roster_current "
        + "GROUP BY course_id ORDER BY course_id");
    assertEquals(String.join("\n",
        "course_id | people",
        "----------+-------",
        "c1        |      4",
        "c2        |      1",
        "(2 rows)", ""), r.out());
  }

  @Test
  public void emojiCountTwoColumnsAndTimestampsPrintAsInDuckDb() {
    Result r = query(path, "SELECT title, changed_at, TIMESTAMP '2025-01-01 10:00:00.5' AS t "
        + "FROM coursework_current");
    assertEquals(List.of(
        "title            | changed_at          | t",
        "-----------------+---------------------+----------------------",
        "Essay 📝 (final) | 2025-09-01 10:00:00 | 2025-01-01 10:00:00.5",
        "Lab report       | 2025-09-01 12:00:00 | 2025-01-01 10:00:00.5",
        "(2 rows)"), r.lines());
  }

  @Test
  public void aStatementWithoutResultSaysOk() {
    assertEquals(new Result(QueryCommand.OK, "OK\n", ""), query(path, "SET threads = 2"));
  }

  @Test
  public void longValuesAreCutAndLineBreaksEscaped() {
    Result r = query(path, "SELECT repeat('x', 100) AS long_value, 'a' || chr(10) || 'b' AS two");
    assertEquals("x".repeat(59) + "… | a\\nb", r.lines().get(2));
    assertEquals("(1 row)", r.lines().get(3));
  }

  @Test
  public void showsAtMost200RowsAndSaysHowManyMore() {
    Result r = query(path, "SELECT * FROM range(250) t(n)");
    List<String> lines = r.lines();
    assertEquals(2 + 200 + 2, lines.size());
    assertEquals("199", lines.get(201).strip());
    assertEquals("… 50 more rows not shown (narrow the query with WHERE or LIMIT … OFFSET)",
        lines.get(202));
    assertEquals("(250 rows)", lines.get(203));
  }

  @Test
  public void noArgumentListsTablesAndViewsWithRowCountsAndExamples() {
    for (String none : new String[] {null, "", "  "}) {
      Result r = query(path, none);
      assertEquals(QueryCommand.OK, r.exit());
      assertEquals("", r.err());
      String out = r.out();
      assertThat(out, startsWith("DuckDB file " + path + " (read-only)\n"));
      assertThat(out, containsString("Tables:\n"
          + "  coursework_changes  6 rows\n"
          + "  dead_letters        0 rows\n"
          + "  reconciliation      0 rows\n"
          + "  registrations       0 rows\n"
          + "  roster_changes      9 rows\n"
          + "  submission_changes  16 rows\n"));
      assertThat(out, containsString("Views (schemas/views/*.sql):\n"
          + "  coursework_current  2 rows\n"
          + "  enrollment_by_day   3 rows\n"
          + "  roster_current      5 rows\n"
          + "  submission_current  8 rows\n"
          + "  submission_funnel   2 rows\n"));
      assertThat(out, containsString("Examples:\n  ./chalkstream query roster_current\n"));
    }
  }

  @Test
  public void missingFileSaysToRunStreamFirst() {
    String missing = TMP.getRoot() + "/none.duckdb";
    assertEquals(new Result(QueryCommand.USAGE, "", "no database at " + missing
            + ": run ./chalkstream stream first (or pass --duckdbPath)\n"),
        query(missing, "roster_current"));
  }

  @Test
  public void sqlErrorsAreOneLineWithDuckDbsMessage() {
    Result syntax = query(path, "SELEC 1");
    assertEquals(QueryCommand.QUERY_ERROR, syntax.exit());
    assertEquals("", syntax.out());
    assertThat(syntax.err(), matchesPattern("Parser Error: syntax error at or near \"SELEC\"\n"));

    Result unknown = query(path, "SELECT * FROM roster");
    assertEquals(QueryCommand.QUERY_ERROR, unknown.exit());
    assertThat(unknown.err(), matchesPattern("Catalog Error: Table with name roster does not "
        + "exist! Did you mean .*\n"));
  }

  @Test
  public void aFileWithoutTheChangeTablesStillAnswersSql() throws Exception {
    String other = TMP.getRoot() + "/other.duckdb";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + other);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE notes AS SELECT 'hello' AS note");
    }
    assertEquals(new Result(QueryCommand.OK, "note\n-----\nhello\n(1 row)\n", ""),
        query(other, "SELECT * FROM notes"));
    Result view = query(other, "roster_current");
    assertEquals(QueryCommand.QUERY_ERROR, view.exit());
    assertThat(view.err(), startsWith("view roster_current is unavailable in " + other
        + ": Catalog Error: Table with name roster_changes does not exist!"));
    assertThat(query(other, null).out(), containsString("Tables:\n  notes               1 row\n"));
    assertThat(query(other, null).out(),
        containsString("  roster_current      unavailable: Catalog Error: Table with name "));
  }

  @Test
  public void aFileHeldByAWriterCannotBeOpened() throws Exception {
    try (Connection writer = DriverManager.getConnection("jdbc:duckdb:" + path)) {
      Result r = query(path, "roster_current");
      assertEquals(QueryCommand.QUERY_ERROR, r.exit());
      assertThat(r.err(), startsWith("cannot open " + path + ": Connection Error: "));
    }
  }

  @Test
  public void theFileIsOpenedReadOnly() {
    Result delete = query(path, "DELETE FROM roster_changes");
    assertEquals(QueryCommand.QUERY_ERROR, delete.exit());
    assertThat(delete.err(), containsString("read-only mode"));
    assertEquals("9", query(path, "SELECT count(*) FROM roster_changes").lines().get(2).strip());
  }
}
