package io.chalkstream.history;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.enrich.EnrichedChange;
import io.chalkstream.enrich.EnrichmentStatus;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCollection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The DuckDB sink through real Beam pipelines (DirectRunner) into a real DuckDB file. */
public class DuckDbSinkTest {
  private static final long T0 = 1_700_000_000_123L; // 2023-11-14 22:13:20.123 UTC

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @After
  public void closeFiles() {
    DuckDbSink.closeAll();
  }

  private static Notification notification(String id, long publishMillis,
      NotificationCollection collection, String event, String... ids) {
    return new Notification(id, publishMillis, "reg-1", collection, event, List.of(ids),
        Map.of("registrationId", "reg-1"), "{}".getBytes(StandardCharsets.UTF_8));
  }

  private static Row student(String id, String user, String fullName) {
    String resource = "{\"courseId\":\"c1\",\"userId\":\"" + user + "\",\"profile\":{\"name\":"
        + "{\"fullName\":\"" + fullName + "\"},\"emailAddress\":\"" + user + "@example.edu\"}}";
    return ChangeRows.toRow(new EnrichedChange(
        notification(id, T0, NotificationCollection.STUDENTS, "CREATED", "c1", user),
        EnrichmentStatus.OK, resource, T0 + 1000), T0 + 2000);
  }

  private static Row deadLetter(Stage stage, String messageId, byte[] payload) {
    return DeadLetterRows.toRow(new DeadLetter(T0 + 3000, stage, "payload is not JSON",
        messageId, messageId == null ? null : T0, Map.of("registrationId", "r"), payload));
  }

  /** Runs one pipeline writing {@code rows} (a table left out is absent from the tuple). */
  private static PipelineResult write(String path, Map<Table, List<Row>> rows) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    HistoryRows tuple = HistoryRows.empty(p);
    for (Map.Entry<Table, List<Row>> e : rows.entrySet()) {
      Table t = e.getKey();
      tuple = tuple.and(t,
          p.apply("Create " + t.tableName(), Create.of(e.getValue()).withRowSchema(t.beamSchema())));
    }
    tuple.apply(DuckDbSink.to(path));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    DuckDbSink.closeAll();
    return result;
  }

  private static long written(PipelineResult result, Table table) {
    long sum = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named("chalkstream", "rows_written_" + table.tableName()))
        .build()).getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  private static Connection readOnly(String path) throws SQLException {
    Properties props = new Properties();
    props.setProperty("duckdb.read_only", "true");
    return DriverManager.getConnection("jdbc:duckdb:" + path, props);
  }

  private static List<List<Object>> query(String path, String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Connection c = readOnly(path); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          Object v = rs.getObject(i);
          row.add(v instanceof java.sql.Blob ? rs.getBytes(i) : v);
        }
        rows.add(row);
      }
    }
    return rows;
  }

  @Test
  public void createsEveryTableWithTheColumnsTypesAndKeysOfSchemas() throws Exception {
    String path = tmp.getRoot() + "/history.duckdb";
    write(path, Map.of(Table.ROSTER_CHANGES, List.of(student("m1", "u1", "Ana"))));

    Map<String, String> duckDbType = Map.of("STRING", "VARCHAR", "TIMESTAMP", "TIMESTAMP",
        "FLOAT", "DOUBLE", "BOOLEAN", "BOOLEAN", "BYTES", "BLOB", "INTEGER", "BIGINT");
    for (Table t : Table.values()) {
      List<String> expected = new ArrayList<>();
      t.tableSchema().getFields().forEach(f -> expected.add(f.getName() + " "
          + duckDbType.get(f.getType()) + " " + ("REQUIRED".equals(f.getMode()) ? "NO" : "YES")));
      List<String> actual = new ArrayList<>();
      for (List<Object> r : query(path, "SELECT column_name, data_type, is_nullable FROM "
          + "information_schema.columns WHERE table_name = '" + t.tableName()
          + "' ORDER BY ordinal_position")) {
        actual.add(r.get(0) + " " + r.get(1) + " " + r.get(2));
      }
      assertEquals(t.tableName(), expected, actual);
    }
    // Keys are checked by the sink (message id and replayed_at, which may be null), not by
    // constraints, which would refuse a replayed row beside its failed attempt.
    assertEquals(List.of(), query(path, "SELECT table_name FROM duckdb_constraints() "
        + "WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE')"));
  }

  @Test
  public void valuesRoundTripInUtcWhateverTheJvmZone() throws Exception {
    String path = tmp.getRoot() + "/history.duckdb";
    String work = "{\"courseId\":\"c1\",\"id\":\"w1\",\"title\":\"Essay 📝 d'été\","
        + "\"state\":\"PUBLISHED\",\"workType\":\"ASSIGNMENT\",\"maxPoints\":12.5,"
        + "\"dueDate\":{\"year\":2026,\"month\":9,\"day\":1},\"dueTime\":{\"hours\":23}}";
    String submission = "{\"courseId\":\"c1\",\"courseWorkId\":\"w1\",\"id\":\"s1\","
        + "\"userId\":\"u1\",\"state\":\"TURNED_IN\",\"late\":true,\"draftGrade\":9.5}";
    byte[] payload = {(byte) 0xff, 'x', 0, (byte) 0x80};
    TimeZone zone = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
    try {
      write(path, Map.of(
          Table.ROSTER_CHANGES, List.of(student("m1", "u1", "Siobhán O'Brien")),
          Table.COURSEWORK_CHANGES, List.of(ChangeRows.toRow(new EnrichedChange(
              notification("m2", T0, NotificationCollection.COURSE_WORK, "CREATED", "c1", "w1"),
              EnrichmentStatus.OK, work, T0 + 1000), T0 + 2000)),
          Table.SUBMISSION_CHANGES, List.of(ChangeRows.toRow(new EnrichedChange(
              notification("m3", T0, NotificationCollection.SUBMISSIONS, "MODIFIED", "c1", "w1",
                  "s1"), EnrichmentStatus.OK, submission, T0 + 1000), T0 + 2000)),
          Table.DEAD_LETTERS, List.of(deadLetter(Stage.PARSE, "m4", payload))));
    } finally {
      TimeZone.setDefault(zone);
    }

    assertEquals(List.of(List.of("Siobhán O'Brien", "STUDENT", "2023-11-14 22:13:20.123",
            T0, "2023-11-14 22:13:21.123")),
        query(path, "SELECT full_name, role, CAST(publish_time AS VARCHAR), epoch_ms(publish_time),"
            + " CAST(enriched_at AS VARCHAR) FROM roster_changes"));
    assertEquals(List.of(List.of("Essay 📝 d'été", 12.5, "2026-09-01 23:00:00", true)),
        query(path, "SELECT title, max_points, CAST(due_time AS VARCHAR), creation_time IS NULL "
            + "FROM coursework_changes"));
    assertEquals(List.of(List.of(true, 9.5, true)),
        query(path, "SELECT late, draft_grade, assigned_grade IS NULL FROM submission_changes"));
    List<Object> dead = query(path, "SELECT payload_bytes, payload_string IS NULL, stage, "
        + "CAST(failed_at AS VARCHAR) FROM dead_letters").get(0);
    assertArrayEquals(payload, (byte[]) dead.get(0));
    assertEquals(List.of(true, "PARSE", "2023-11-14 22:13:23.123"), dead.subList(1, 4));
  }

  @Test
  public void redeliveredMessagesAreIgnoredWithinAndAcrossRuns() throws Exception {
    String path = tmp.getRoot() + "/history.duckdb";
    PipelineResult first = write(path, Map.of(
        Table.ROSTER_CHANGES, List.of(student("m1", "u1", "Ana"), student("m2", "u2", "Bo"),
            student("m1", "u1", "Ana again")),
        Table.DEAD_LETTERS, List.of(deadLetter(Stage.PARSE, "m7", null),
            deadLetter(Stage.PARSE, null, new byte[] {1}),
            deadLetter(Stage.PARSE, null, new byte[] {1}))));
    PipelineResult second = write(path, Map.of(
        Table.ROSTER_CHANGES, List.of(student("m2", "u2", "Bo redelivered"),
            student("m3", "u3", "Cy")),
        Table.DEAD_LETTERS, List.of(deadLetter(Stage.PARSE, "m7", null),
            deadLetter(Stage.ENRICH, "m7", null))));

    assertEquals(2, written(first, Table.ROSTER_CHANGES));
    assertEquals(1, written(second, Table.ROSTER_CHANGES));
    assertEquals(List.of(List.of("m2", "Bo"), List.of("m3", "Cy")),
        query(path, "SELECT message_id, full_name FROM roster_changes WHERE message_id <> 'm1' "
            + "ORDER BY message_id"));
    assertEquals(List.of(List.of(3L)),
        query(path, "SELECT count(*) FROM roster_changes"));
    // Same (stage, message_id) once; other stages and NULL message ids are rows of their own.
    assertEquals(3, written(first, Table.DEAD_LETTERS));
    assertEquals(1, written(second, Table.DEAD_LETTERS));
    assertEquals(List.of(List.of("ENRICH", "m7"), List.of("PARSE", "(null)"),
            List.of("PARSE", "(null)"), List.of("PARSE", "m7")),
        query(path, "SELECT stage, coalesce(message_id, '(null)') FROM dead_letters ORDER BY ALL"));
  }

  private static Row replayed(Row row, long atMillis) {
    return Row.fromRow(row).withFieldValue("replayed_at", new org.joda.time.Instant(atMillis))
        .build();
  }

  @Test
  public void aReplayedRowIsKeptBesideTheFailedAttemptAndOncePerReplay() throws Exception {
    String path = tmp.getRoot() + "/history.duckdb";
    Row live = student("m1", "u1", "Ana");
    Row dead = deadLetter(Stage.ENRICH, "m1", new byte[] {1});
    write(path, Map.of(Table.ROSTER_CHANGES, List.of(live), Table.DEAD_LETTERS, List.of(dead)));
    PipelineResult replay = write(path, Map.of(
        Table.ROSTER_CHANGES, List.of(replayed(live, T0 + 9000), replayed(live, T0 + 9000)),
        Table.DEAD_LETTERS, List.of(replayed(dead, T0 + 9000))));
    PipelineResult again = write(path, Map.of(
        Table.ROSTER_CHANGES, List.of(live, replayed(live, T0 + 9000), replayed(live, T0 + 10000)),
        Table.DEAD_LETTERS, List.of(dead, replayed(dead, T0 + 9000))));

    assertEquals(1, written(replay, Table.ROSTER_CHANGES));
    assertEquals(1, written(replay, Table.DEAD_LETTERS));
    assertEquals(1, written(again, Table.ROSTER_CHANGES));
    assertEquals(0, written(again, Table.DEAD_LETTERS));
    assertEquals(List.of(List.of("m1", "(live)"), List.of("m1", "2023-11-14 22:13:29.123"),
            List.of("m1", "2023-11-14 22:13:30.123")),
        query(path, "SELECT message_id, coalesce(CAST(replayed_at AS VARCHAR), '(live)') "
            + "FROM roster_changes ORDER BY replayed_at NULLS FIRST"));
  }

  @Test
  public void aFileOfTheEarlierVersionGainsTheNewColumnsAndKeepsItsRows() throws Exception {
    String path = tmp.getRoot() + "/history.duckdb";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + path);
        Statement s = c.createStatement()) {
      // As the version before replay made them: no replayed_at, the key a constraint.
      for (Table t : Table.values()) {
        List<String> columns = new ArrayList<>();
        for (var f : t.tableSchema().getFields()) {
          if (!f.getName().equals("replayed_at")) {
            columns.add(f.getName() + " " + switch (f.getType()) {
              case "TIMESTAMP" -> "TIMESTAMP";
              case "FLOAT" -> "DOUBLE";
              case "BOOLEAN" -> "BOOLEAN";
              case "BYTES" -> "BLOB";
              default -> "VARCHAR";
            } + ("REQUIRED".equals(f.getMode()) ? " NOT NULL" : ""));
          }
        }
        if (t == Table.ROSTER_CHANGES) {
          columns.add("PRIMARY KEY (message_id)");
        }
        s.execute("CREATE TABLE " + t.tableName() + " (" + String.join(", ", columns) + ")");
      }
      s.execute("INSERT INTO roster_changes (message_id, publish_time, collection, event_type, "
          + "course_id, enrichment_status, ingested_at, user_id, role) VALUES ('m1', now(), "
          + "'courses.students', 'CREATED', 'c1', 'FAILED', now(), 'u1', 'STUDENT')");
    }
    Row live = student("m1", "u1", "Ana");
    PipelineResult result = write(path, Map.of(Table.ROSTER_CHANGES,
        List.of(live, replayed(live, T0 + 9000))));

    assertEquals(1, written(result, Table.ROSTER_CHANGES));
    assertEquals(List.of(List.of("FAILED", true), List.of("OK", false)),
        query(path, "SELECT enrichment_status, replayed_at IS NULL FROM roster_changes "
            + "ORDER BY ALL"));
    assertEquals(Table.ROSTER_CHANGES.columnNames().size(), query(path, "SELECT column_name FROM "
        + "information_schema.columns WHERE table_name = 'roster_changes'").size());
  }

  @Test
  public void missingDirectoryIsRefusedUpFront() {
    String path = tmp.getRoot() + "/nowhere/history.duckdb";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DuckDbSink.to(path));
    assertEquals("--duckdbPath=" + path + ": directory " + tmp.getRoot() + "/nowhere does not "
        + "exist; create it or choose another path", e.getMessage());
  }

  @Test
  public void parentThatIsAFileIsRefusedUpFront() throws Exception {
    Path file = tmp.newFile("notes.txt").toPath();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DuckDbSink.to(file + "/history.duckdb"));
    assertThat(e.getMessage(), containsString("directory " + file + " is a file"));
  }

  @Test
  public void directoryAsPathIsRefusedUpFront() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DuckDbSink.to(tmp.getRoot().toString()));
    assertThat(e.getMessage(), containsString(tmp.getRoot() + " is a directory; name a file in it"));
  }

  @Test
  public void rowsForOneTableAreGivenOnce() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> roster = p.apply(
        Create.of(student("m1", "u1", "Ana")).withRowSchema(Table.ROSTER_CHANGES.beamSchema()));
    HistoryRows rows = HistoryRows.of(Table.ROSTER_CHANGES, roster);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> rows.and(Table.ROSTER_CHANGES, roster));
    assertThat(e.getMessage(), containsString("rows for roster_changes given twice"));
  }


  @Test
  public void fileHeldReadOnlyElsewhereFailsThePipelineWithWhatToDo() throws Exception {
    String path = tmp.getRoot() + "/history.duckdb";
    write(path, Map.of(Table.ROSTER_CHANGES, List.of(student("m1", "u1", "Ana"))));
    try (Connection reader = readOnly(path)) {
      Pipeline.PipelineExecutionException e = assertThrows(Pipeline.PipelineExecutionException.class,
          () -> write(path, Map.of(Table.ROSTER_CHANGES, List.of(student("m2", "u2", "Bo")))));
      assertThat(e.getMessage(), containsString("cannot write to DuckDB file " + path + ": "));
      assertThat(e.getMessage(), containsString("is another process holding it"));
    }
    assertEquals(List.of(List.of("m1")), query(path, "SELECT message_id FROM roster_changes"));
  }

  @Test
  public void fileThatIsNotADatabaseFailsThePipelineWithWhatToDo() throws Exception {
    Path file = tmp.newFile("history.duckdb").toPath();
    Files.writeString(file, "not a database");
    Pipeline.PipelineExecutionException e = assertThrows(Pipeline.PipelineExecutionException.class,
        () -> write(file.toString(),
            Map.of(Table.ROSTER_CHANGES, List.of(student("m1", "u1", "Ana")))));
    assertThat(e.getMessage(), containsString("cannot write to DuckDB file " + file));
    assertThat(e.getMessage(), containsString("not a valid DuckDB database file"));
  }

  @Test
  public void tableWithOtherColumnsIsReportedNotWrittenInto() throws Exception {
    String path = tmp.getRoot() + "/old.duckdb";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + path);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE dead_letters (failed_at TIMESTAMP, error VARCHAR)");
    }
    Pipeline.PipelineExecutionException e = assertThrows(Pipeline.PipelineExecutionException.class,
        () -> write(path, Map.of(Table.ROSTER_CHANGES, List.of(student("m1", "u1", "Ana")))));
    assertThat(e.getMessage(), containsString("table dead_letters has columns [failed_at, error]"));
    assertThat(e.getMessage(), containsString("move the file aside or choose another --duckdbPath"));
    assertTrue(query(path, "SELECT * FROM information_schema.tables WHERE table_name = "
        + "'roster_changes'").isEmpty());
  }
}
