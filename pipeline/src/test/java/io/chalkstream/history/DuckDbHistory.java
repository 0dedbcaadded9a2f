package io.chalkstream.history;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads back what a run wrote to a DuckDB file, for end-to-end checks. */
public final class DuckDbHistory {
  static final List<String> CHANGE_TABLES =
      List.of("roster_changes", "coursework_changes", "submission_changes");

  private DuckDbHistory() {}

  public static List<Map<String, Object>> rows(String path, String sql) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + path,
            readOnly());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      ResultSetMetaData meta = r.getMetaData();
      while (r.next()) {
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnName(i), r.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /**
   * How often each message id appears as a change row or a PARSE/FILTER dead letter of the live
   * stream (replays are attempts of their own): the invariant of DESIGN.md wants every id read
   * exactly once.
   */
  public static Map<String, Integer> accounted(String path) throws SQLException {
    Map<String, Integer> seen = new TreeMap<>();
    StringBuilder sql = new StringBuilder();
    for (String table : CHANGE_TABLES) {
      sql.append("SELECT message_id FROM ").append(table)
          .append(" WHERE replayed_at IS NULL UNION ALL ");
    }
    sql.append("SELECT message_id FROM dead_letters WHERE stage IN ('PARSE', 'FILTER') "
        + "AND replayed_at IS NULL");
    for (Map<String, Object> row : rows(path, sql.toString())) {
      seen.merge((String) row.get("message_id"), 1, Integer::sum);
    }
    return seen;
  }

  private static java.util.Properties readOnly() {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("duckdb.read_only", "true");
    return p;
  }
}
