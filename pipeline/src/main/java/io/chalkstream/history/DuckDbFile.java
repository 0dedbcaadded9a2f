package io.chalkstream.history;

import com.google.api.services.bigquery.model.TableFieldSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.joda.time.ReadableInstant;

/**
 * A DuckDB file open for writing, shared by every DoFn of the JVM: DuckDB allows one writing
 * process per file, and one connection with serialized writes is the simplest way to honour that
 * across the runner's threads. Files stay open until {@link #closeAll()}.
 */
final class DuckDbFile {
  private static final Map<Path, DuckDbFile> OPEN = new HashMap<>();

  private final Path path;
  private final Connection connection;

  private DuckDbFile(Path path, Connection connection) {
    this.path = path;
    this.connection = connection;
  }

  /** The shared file at {@code path} (absolute), opened and given every table on first use. */
  static synchronized DuckDbFile open(Path path) throws SQLException {
    DuckDbFile file = OPEN.get(path);
    if (file == null) {
      Connection connection = DriverManager.getConnection("jdbc:duckdb:" + path);
      try {
        createTables(path, connection);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
      file = new DuckDbFile(path, connection);
      OPEN.put(path, file);
    }
    return file;
  }

  /** Checkpoints and closes every open file, so that another process can open them. */
  static synchronized void closeAll() {
    IllegalStateException failure = null;
    for (DuckDbFile file : OPEN.values()) {
      try {
        file.checkpointAndClose();
      } catch (SQLException e) {
        IllegalStateException f = new IllegalStateException("cannot checkpoint DuckDB file "
            + file.path + ": " + e.getMessage() + "; its write-ahead log keeps the rows", e);
        if (failure == null) {
          failure = f;
        } else {
          failure.addSuppressed(f);
        }
      }
    }
    OPEN.clear();
    if (failure != null) {
      throw failure;
    }
  }

  static IllegalStateException cannotWrite(Path path, Exception cause) {
    return new IllegalStateException("cannot write to DuckDB file " + path + ": "
        + cause.getMessage() + "; is another process holding it (./chalkstream stream or query, "
        + "the duckdb CLI)? is the directory writable?", cause);
  }

  /**
   * Inserts {@code rows} of {@code table} in one transaction, leaving out rows whose key
   * ({@link #keyOf}) is already there or repeated in {@code rows} (Pub/Sub redelivers, bundles
   * retry). Returns how many rows were new.
   *
   * <p>Rows go through DuckDB's appender into a connection-local staging table, then one
   * {@code INSERT ... SELECT} moves the new ones: about a hundred times faster than a JDBC batch
   * of single-row inserts, which DuckDB runs one statement at a time. The key is checked by an
   * anti-join, not a constraint, because it holds a nullable column ({@code replayed_at}) that a
   * primary key cannot; writes are serialized, so nothing races it.
   */
  synchronized long insert(Table table, List<Row> rows) throws SQLException {
    List<TableFieldSchema> fields = table.tableSchema().getFields();
    String staging = "staging_" + table.tableName();
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TEMP TABLE IF NOT EXISTS " + quote(staging) + " AS SELECT * FROM main."
          + quote(table.tableName()) + " LIMIT 0");
      try (DuckDBAppender appender =
          connection.unwrap(DuckDBConnection.class).createAppender("temp", "main", staging)) {
        for (Row row : rows) {
          appender.beginRow();
          for (TableFieldSchema f : fields) {
            append(appender, f.getType(), row.getValue(f.getName()));
          }
          appender.endRow();
        }
      }
      long inserted = s.executeUpdate(insertNew(table, staging));
      s.execute("DELETE FROM " + quote(staging));
      connection.commit();
      return inserted;
    } catch (SQLException | RuntimeException e) {
      rollback(connection, e);
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  /**
   * The INSERT of the staged rows whose key is new. {@code message_id} compares with {@code =},
   * so a row without one (unparseable input) is always new; the other key columns compare null
   * as equal to null.
   */
  private static String insertNew(Table table, String staging) {
    String target = "main." + quote(table.tableName());
    List<String> key = keyOf(table);
    if (key.isEmpty()) {
      return "INSERT INTO " + target + " SELECT * FROM " + quote(staging);
    }
    List<String> same = new ArrayList<>();
    List<String> partition = new ArrayList<>();
    for (String column : key) {
      String c = quote(column);
      same.add("x." + c + (column.equals("message_id") ? " = " : " IS NOT DISTINCT FROM ")
          + "s." + c);
      partition.add("s." + c);
    }
    return "INSERT INTO " + target + " SELECT * FROM " + quote(staging) + " s"
        + " WHERE NOT EXISTS (SELECT 1 FROM " + target + " x WHERE " + String.join(" AND ", same)
        + ") QUALIFY s.message_id IS NULL OR row_number() OVER (PARTITION BY "
        + String.join(", ", partition) + ") = 1";
  }

  /**
   * The rows of {@code sql}, each a map of column name to value; TIMESTAMP values as UTC
   * {@link org.joda.time.Instant}s, whatever the JVM's zone.
   */
  synchronized List<Map<String, Object>> query(String sql) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(sql)) {
      ResultSetMetaData meta = r.getMetaData();
      while (r.next()) {
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnName(i), "TIMESTAMP".equals(meta.getColumnTypeName(i))
              ? utc(r.getObject(i, LocalDateTime.class)) : r.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static org.joda.time.@Nullable Instant utc(@Nullable LocalDateTime t) {
    return t == null ? null : new org.joda.time.Instant(t.toInstant(ZoneOffset.UTC).toEpochMilli());
  }

  private synchronized void checkpointAndClose() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("CHECKPOINT");
    } finally {
      connection.close();
    }
  }

  private static void append(DuckDBAppender appender, String type, @Nullable Object value)
      throws SQLException {
    if (value == null) {
      appender.appendNull();
    } else if ("TIMESTAMP".equals(type)) {
      // TIMESTAMP holds UTC wall time; converting explicitly keeps the JVM's zone out of it.
      appender.append(LocalDateTime.ofInstant(
          java.time.Instant.ofEpochMilli(((ReadableInstant) value).getMillis()), ZoneOffset.UTC));
    } else if (value instanceof byte[] bytes) {
      appender.append(bytes);
    } else if (value instanceof String text) {
      appender.append(text);
    } else if (value instanceof Double number) {
      appender.append(number.doubleValue());
    } else if (value instanceof Long number) {
      appender.append(number.longValue());
    } else if (value instanceof Boolean flag) {
      appender.append(flag.booleanValue());
    } else {
      throw new IllegalStateException("no DuckDB appender mapping for " + type + " value of "
          + value.getClass().getName() + "; add one in DuckDbFile");
    }
  }

  /**
   * Creates every table, not just those with rows yet, so views and ./chalkstream query always
   * work; in one transaction, so a file this version cannot write is left as it was.
   */
  private static void createTables(Path path, Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    try {
      for (Table table : Table.values()) {
        try (Statement s = connection.createStatement()) {
          s.execute(createTable(table));
        }
        List<String> existing = columns(connection, table);
        if (isEarlierVersion(table, existing)) {
          upgrade(connection, table, existing);
          existing = columns(connection, table);
        }
        if (!existing.equals(table.columnNames())) {
          throw new IllegalStateException("DuckDB file " + path + ": table " + table.tableName()
              + " has columns " + existing + " but this version writes " + table.columnNames()
              + "; move the file aside or choose another --duckdbPath");
        }
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      rollback(connection, e);
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  static String createTable(Table table) {
    return createTable(table, quote(table.tableName()));
  }

  private static String createTable(Table table, String name) {
    List<String> columns = new ArrayList<>();
    for (TableFieldSchema f : table.tableSchema().getFields()) {
      columns.add(quote(f.getName()) + " " + duckDbType(table, f)
          + ("REQUIRED".equals(f.getMode()) ? " NOT NULL" : ""));
    }
    return "CREATE TABLE IF NOT EXISTS " + name + " (\n  " + String.join(",\n  ", columns)
        + "\n)";
  }

  /**
   * The columns that make writes idempotent: one row per message (and stage, for dead letters)
   * per replay, where {@code replayed_at} is null for the live stream. Empty where every row is
   * new by nature.
   */
  private static List<String> keyOf(Table table) {
    return switch (table) {
      case ROSTER_CHANGES, COURSEWORK_CHANGES, SUBMISSION_CHANGES ->
          List.of("message_id", "replayed_at");
      case DEAD_LETTERS -> List.of("stage", "message_id", "replayed_at");
      // Each renewal attempt and each difference found is a row of its own.
      case REGISTRATIONS, RECONCILIATION -> List.of();
    };
  }

  private static String duckDbType(Table table, TableFieldSchema f) {
    if ("REPEATED".equals(f.getMode())) {
      throw unmapped(table, f);
    }
    return switch (f.getType()) {
      case "STRING" -> "VARCHAR";
      case "TIMESTAMP" -> "TIMESTAMP";
      case "FLOAT", "FLOAT64" -> "DOUBLE";
      case "BOOLEAN", "BOOL" -> "BOOLEAN";
      case "BYTES" -> "BLOB";
      case "INTEGER", "INT64" -> "BIGINT";
      default -> throw unmapped(table, f);
    };
  }

  private static IllegalStateException unmapped(Table table, TableFieldSchema f) {
    return new IllegalStateException("schemas/" + table.tableName() + ".json: column "
        + f.getName() + " (" + f.getMode() + " " + f.getType()
        + ") has no DuckDB mapping in DuckDbFile; add one");
  }

  /**
   * Whether {@code existing} are the columns an earlier version wrote: the current ones less some
   * trailing NULLABLE ones added since (e.g. {@code replayed_at}).
   */
  private static boolean isEarlierVersion(Table table, List<String> existing) {
    List<String> current = table.columnNames();
    if (existing.size() >= current.size() || !current.subList(0, existing.size()).equals(existing)) {
      return false;
    }
    return table.tableSchema().getFields().subList(existing.size(), current.size()).stream()
        .allMatch(f -> !"REQUIRED".equals(f.getMode()));
  }

  /**
   * Brings a table of an earlier version to this one inside the caller's transaction: rebuilt
   * rather than altered, because earlier versions kept their key as a constraint (on
   * {@code message_id}) that DuckDB cannot drop and that would refuse a replayed row.
   */
  private static void upgrade(Connection connection, Table table, List<String> existing)
      throws SQLException {
    String name = quote(table.tableName());
    String rebuilt = quote(table.tableName() + "_upgrading");
    List<String> copied = existing.stream().map(DuckDbFile::quote).toList();
    try (Statement s = connection.createStatement()) {
      s.execute(createTable(table, rebuilt));
      s.execute("INSERT INTO " + rebuilt + " (" + String.join(", ", copied) + ") SELECT "
          + String.join(", ", copied) + " FROM " + name);
      s.execute("DROP TABLE " + name);
      s.execute("ALTER TABLE " + rebuilt + " RENAME TO " + name);
    }
  }

  /** Rolls back after {@code cause}; a failed rollback is attached to it rather than hiding it. */
  private static void rollback(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static List<String> columns(Connection connection, Table table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement q = connection.prepareStatement(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = "
            + "current_database() AND table_schema = 'main' AND table_name = ? "
            + "ORDER BY ordinal_position")) {
      q.setString(1, table.tableName());
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
