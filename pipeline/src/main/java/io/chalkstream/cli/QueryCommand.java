package io.chalkstream.cli;

import io.chalkstream.history.Views;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code ./chalkstream query [SQL | view name]}: runs SQL on the local DuckDB file, opened
 * read-only, and prints the result as an aligned text table. The views of {@link Views} can be
 * named in the SQL; with no argument it lists the tables and views.
 */
public final class QueryCommand {
  public static final int OK = 0;
  public static final int QUERY_ERROR = 1;
  public static final int USAGE = 2;

  private static final int MAX_ROWS = 200;
  private static final int MAX_WIDTH = 60;
  private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
      .toFormatter();
  private static final Set<Integer> NUMERIC = Set.of(Types.TINYINT, Types.SMALLINT,
      Types.INTEGER, Types.BIGINT, Types.FLOAT, Types.REAL, Types.DOUBLE, Types.NUMERIC,
      Types.DECIMAL);

  private QueryCommand() {}

  /**
   * Runs {@code sqlOrViewName} (a view name, any SQL, or null/blank for the listing) on the DuckDB
   * file at {@code duckdbPath}. Returns {@link #OK}, {@link #QUERY_ERROR} or {@link #USAGE}.
   */
  public static int run(String duckdbPath, @Nullable String sqlOrViewName, PrintStream out,
      PrintStream err) {
    if (!Files.isRegularFile(Path.of(duckdbPath))) {
      err.println("no database at " + duckdbPath
          + ": run ./chalkstream stream first (or pass --duckdbPath)");
      return USAGE;
    }
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    Connection connection;
    try {
      connection = DriverManager.getConnection("jdbc:duckdb:" + duckdbPath, readOnly);
    } catch (SQLException e) {
      // DuckDB lets no other process read a file while one writes it.
      err.println("cannot open " + duckdbPath + ": " + oneLine(e)
          + (String.valueOf(e.getMessage()).contains("lock")
              ? "; is ./chalkstream stream still writing it? stop it first" : ""));
      return QUERY_ERROR;
    }
    try (connection) {
      Map<String, String> unavailable = createViews(connection);
      String arg = sqlOrViewName == null ? "" : sqlOrViewName.strip();
      if (arg.isEmpty()) {
        list(connection, duckdbPath, unavailable, out);
        return OK;
      }
      if (unavailable.containsKey(arg)) {
        err.println("view " + arg + " is unavailable in " + duckdbPath + ": "
            + unavailable.get(arg));
        return QUERY_ERROR;
      }
      String sql = Views.names().contains(arg) ? "SELECT * FROM " + arg : arg;
      // A fresh statement per query: DuckDB closes a statement that failed.
      try (Statement s = connection.createStatement()) {
        if (s.execute(sql)) {
          try (ResultSet rs = s.getResultSet()) {
            print(rs, out);
          }
        } else {
          out.println("OK");
        }
      }
      return OK;
    } catch (SQLException e) {
      err.println(oneLine(e));
      return QUERY_ERROR;
    }
  }

  /**
   * Creates every view as a TEMP view (allowed on a read-only connection), so SQL can name them.
   * Returns the views that cannot be created here, with DuckDB's reason (e.g. a missing table).
   */
  private static Map<String, String> createViews(Connection connection) {
    Map<String, String> unavailable = new LinkedHashMap<>();
    for (String view : Views.names()) {
      try (Statement s = connection.createStatement()) {
        s.execute("CREATE TEMP VIEW " + quote(view) + " AS " + Views.sql(view, ""));
      } catch (SQLException e) {
        unavailable.put(view, oneLine(e));
      }
    }
    return unavailable;
  }

  private static void list(Connection connection, String duckdbPath,
      Map<String, String> unavailable, PrintStream out) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables "
            + "WHERE table_catalog = current_database() AND table_type = 'BASE TABLE' "
            + "ORDER BY table_name")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    List<String> views = Views.names();
    int width = 0;
    for (String name : tables) {
      width = Math.max(width, length(name));
    }
    for (String name : views) {
      width = Math.max(width, length(name));
    }
    out.println("DuckDB file " + duckdbPath + " (read-only)");
    out.println();
    out.println("Tables:");
    for (String table : tables) {
      out.println("  " + pad(table, width) + "  " + rowCount(connection, table));
    }
    out.println();
    out.println("Views (schemas/views/*.sql):");
    for (String view : views) {
      out.println("  " + pad(view, width) + "  " + (unavailable.containsKey(view)
          ? "unavailable: " + unavailable.get(view) : rowCount(connection, view)));
    }
    out.println();
    out.println("Examples:");
    out.println("  ./chalkstream query roster_current");
    out.println("  ./chalkstream query \"SELECT course_id, count(*) AS students FROM roster_current"
        + " WHERE role = 'STUDENT' GROUP BY course_id\"");
    out.println("  ./chalkstream query \"DESCRIBE submission_changes\"");
    out.println("  ./chalkstream query \"SELECT stage, error FROM dead_letters"
        + " ORDER BY failed_at DESC LIMIT 20\"");
  }

  private static String rowCount(Connection connection, String relation) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quote(relation))) {
      rs.next();
      long n = rs.getLong(1);
      return n + (n == 1 ? " row" : " rows");
    }
  }

  private static void print(ResultSet rs, PrintStream out) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    int columns = meta.getColumnCount();
    String[] header = new String[columns];
    boolean[] right = new boolean[columns];
    int[] widths = new int[columns];
    for (int c = 0; c < columns; c++) {
      header[c] = cell(meta.getColumnLabel(c + 1));
      right[c] = NUMERIC.contains(meta.getColumnType(c + 1));
      widths[c] = length(header[c]);
    }
    List<String[]> shown = new ArrayList<>();
    long total = 0;
    while (rs.next()) {
      total++;
      if (shown.size() < MAX_ROWS) {
        String[] row = new String[columns];
        for (int c = 0; c < columns; c++) {
          String value = value(rs, c + 1, meta.getColumnType(c + 1));
          row[c] = value == null ? "NULL" : cell(value);
          widths[c] = Math.max(widths[c], length(row[c]));
        }
        shown.add(row);
      }
    }
    out.println(line(header, widths, right));
    StringBuilder separator = new StringBuilder();
    for (int c = 0; c < columns; c++) {
      separator.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
    }
    out.println(separator);
    for (String[] row : shown) {
      out.println(line(row, widths, right));
    }
    if (total > shown.size()) {
      out.println("… " + (total - shown.size()) + " more rows not shown (narrow the query with "
          + "WHERE or LIMIT … OFFSET)");
    }
    out.println("(" + total + (total == 1 ? " row)" : " rows)"));
  }

  private static String line(String[] cells, int[] widths, boolean[] right) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      String pad = " ".repeat(widths[c] - length(cells[c]));
      line.append(c == 0 ? "" : " | ").append(right[c] ? pad + cells[c] : cells[c] + pad);
    }
    return line.toString().stripTrailing();
  }

  private static @Nullable String value(ResultSet rs, int column, int type) throws SQLException {
    if (type == Types.TIMESTAMP) {
      // As DuckDB prints it (getString gives java.sql.Timestamp's "10:00:00.0").
      LocalDateTime t = rs.getObject(column, LocalDateTime.class);
      return t == null ? null : TIMESTAMP.format(t);
    }
    return rs.getString(column);
  }

  /** One line, at most MAX_WIDTH columns wide: control characters escaped, the rest cut with …. */
  private static String cell(String value) {
    String flat = value.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    if (length(flat) <= MAX_WIDTH) {
      return flat;
    }
    StringBuilder cut = new StringBuilder();
    int width = 0;
    for (int cp : flat.codePoints().toArray()) {
      width += width(cp);
      if (width > MAX_WIDTH - 1) {
        break;
      }
      cut.appendCodePoint(cp);
    }
    return cut + "…";
  }

  /** Terminal columns: titles carry emoji, which (like East Asian wide letters) take two. */
  private static int length(String s) {
    return s.codePoints().map(QueryCommand::width).sum();
  }

  private static int width(int cp) {
    int type = Character.getType(cp);
    if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
        || type == Character.FORMAT) {
      return 0; // combining accents, variation selectors, zero-width joiners
    }
    boolean wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF)
        || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60)
        || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F6FF)
        || (cp >= 0x1F900 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD);
    return wide ? 2 : 1;
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - length(s));
  }

  /** DuckDB's message up to its first blank line (what follows repeats the SQL with a caret). */
  private static String oneLine(SQLException e) {
    String message = String.valueOf(e.getMessage()).strip();
    int blank = message.indexOf("\n\n");
    return (blank < 0 ? message : message.substring(0, blank)).replaceAll("\\s*\n\\s*", " ");
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
