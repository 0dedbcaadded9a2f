package io.chalkstream.history;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;

/**
 * Writes {@link TableRows} into one local DuckDB file, for local runs. Tables are created from
 * {@code schemas/} when absent and appended to otherwise. Writes are idempotent: one row per
 * message id (and stage, for {@code dead_letters}) per replay, so Pub/Sub redeliveries and retried
 * bundles add nothing. A bundle is acknowledged only once its rows are
 * committed. Call {@link #closeAll()} when the pipeline ends.
 */
public final class DuckDbSink extends PTransform<HistoryRows, PDone> {
  private final String path;

  private DuckDbSink(String path) {
    this.path = path;
  }

  /** A sink writing to {@code path}; refuses, with what to do, a path it could never write. */
  public static DuckDbSink to(String path) {
    Path file = Path.of(path).toAbsolutePath().normalize();
    Path dir = file.getParent();
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("--duckdbPath=" + path + " is a directory; name a file "
          + "in it, e.g. " + file.resolve("chalkstream.duckdb"));
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--duckdbPath=" + path + ": directory " + dir
          + (Files.exists(dir) ? " is a file" : " does not exist")
          + "; create it or choose another path");
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException("--duckdbPath=" + path + ": directory " + dir
          + " is not writable (DuckDB keeps a write-ahead log next to the file); "
          + "choose another path");
    }
    return new DuckDbSink(file.toString());
  }

  /**
   * Opens the file for writing now (creating its tables), so that a file this run cannot write
   * (held by another process, read-only, of another version) stops it before any message is
   * read, and therefore before any is acknowledged.
   */
  public void openNow() {
    openForWriting(path);
  }

  /** The shared file at {@code path}, open for writing; refused with what to do otherwise. */
  private static DuckDbFile openForWriting(String path) {
    Path file = Path.of(path).toAbsolutePath().normalize();
    try {
      return DuckDbFile.open(file);
    } catch (SQLException e) {
      throw new IllegalArgumentException(DuckDbFile.cannotWrite(file, e).getMessage(), e);
    }
  }

  /** {@code e}, from reading the file at {@code path}, as an error a person can read. */
  private static IllegalStateException cannotRead(String path, String what, SQLException e) {
    return new IllegalStateException("cannot read " + what + " of DuckDB file "
        + Path.of(path).toAbsolutePath().normalize() + ": " + e.getMessage(), e);
  }

  /**
   * The rows of {@code sql} (e.g. a view's SELECT) on the file at {@code path}, opened for writing
   * as the run that reads them writes there next.
   */
  public static List<java.util.Map<String, Object>> query(String path, String sql) {
    DuckDbFile open = openForWriting(path);
    try {
      return open.query(sql);
    } catch (SQLException e) {
      throw cannotRead(path, "a query", e);
    }
  }

  /** The errors of FAILED {@code registrations} rows attempted at or after {@code sinceMillis}. */
  public static List<String> registrationErrorsSince(String path, long sinceMillis)
      throws SQLException {
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    List<String> errors = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + path, readOnly);
        PreparedStatement q = c.prepareStatement("SELECT error FROM registrations WHERE "
            + "status = 'FAILED' AND attempted_at >= make_timestamp(?) ORDER BY attempted_at")) {
      q.setLong(1, sinceMillis * 1000);
      try (ResultSet r = q.executeQuery()) {
        while (r.next()) {
          errors.add(r.getString(1));
        }
      }
    }
    return errors;
  }

  /**
   * Checkpoints and closes every DuckDB file this JVM wrote, so that another process (e.g.
   * {@code ./chalkstream query}) can open it right after the pipeline ends. Whoever runs the
   * pipeline calls it once the pipeline has ended, also after Ctrl-C (a JVM shutdown hook of its
   * own would close files under a pipeline still draining). Without it the rows are safe in the
   * write-ahead log, which DuckDB replays on the next open.
   */
  public static void closeAll() {
    DuckDbFile.closeAll();
  }

  @Override
  public PDone expand(HistoryRows rows) {
    for (Table table : rows.tables()) {
      rows.get(table).apply("Write " + table.tableName() + " to DuckDB",
          ParDo.of(new WriteFn(path, table)));
    }
    return PDone.in(rows.getPipeline());
  }

  /** Buffers a bundle's rows and writes them in one transaction before the bundle completes. */
  static final class WriteFn extends DoFn<Row, Void> {
    // Bounds memory on huge bundles; early flushes are safe because writes are idempotent.
    private static final int MAX_BUFFERED = 10_000;

    private final String path;
    private final Table table;
    private final Counter rowsWritten;
    private final Counter rowsAlreadyThere;
    private transient List<Row> buffer;

    WriteFn(String path, Table table) {
      this.path = path;
      this.table = table;
      this.rowsWritten = Metrics.counter("chalkstream", "rows_written_" + table.tableName());
      // Redeliveries: durable all the same, so a local run's "every message has its row" holds.
      this.rowsAlreadyThere =
          Metrics.counter("chalkstream", "rows_already_written_" + table.tableName());
    }

    @StartBundle
    public void startBundle() {
      buffer = new ArrayList<>();
    }

    @ProcessElement
    public void process(@Element Row row) {
      buffer.add(row);
      if (buffer.size() >= MAX_BUFFERED) {
        flush();
      }
    }

    @FinishBundle
    public void finishBundle() {
      flush();
    }

    private void flush() {
      if (buffer.isEmpty()) {
        return;
      }
      Path file = Path.of(path);
      try {
        long inserted = DuckDbFile.open(file).insert(table, buffer);
        rowsWritten.inc(inserted);
        rowsAlreadyThere.inc(buffer.size() - inserted);
      } catch (SQLException e) {
        // Thrown, not logged: the bundle fails, so nothing unwritten is acknowledged.
        throw DuckDbFile.cannotWrite(file, e);
      }
      buffer.clear();
    }
  }
}
