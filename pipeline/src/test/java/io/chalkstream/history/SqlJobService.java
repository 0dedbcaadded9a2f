package io.chalkstream.history;

import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import java.io.IOException;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;

/**
 * Beam's fake job service with a query engine: a query job runs its SQL in DuckDB over a copy of
 * the fake dataset's tables (as BigQuery runs it over its own), and its result goes on through
 * the fake's export to BigQueryIO's reader as a real result would. SQL written for both engines
 * (the views, replay's query) runs as sent, but for the {@code `project.dataset`.} prefix of its
 * table names. A test aid: BigQuery itself cannot be reached from here.
 */
public final class SqlJobService extends FakeJobService {
  private final String project;
  private final String dataset;

  public SqlJobService(String project, String dataset) {
    this.project = project;
    this.dataset = dataset;
  }

  @Override
  public JobStatistics dryRunQuery(String projectId, JobConfigurationQuery query,
      String location) {
    return new JobStatistics().setTotalBytesProcessed(1L).setQuery(new JobStatistics2()
        .setTotalBytesProcessed(1L).setReferencedTables(List.of()));
  }

  @Override
  public void startQueryJob(JobReference jobRef, JobConfigurationQuery query) {
    try {
      Result result = run(query.getQuery());
      super.startQueryJob(jobRef, query.clone().setQuery(FakeBigQueryServices.encodeQueryResult(
          new com.google.api.services.bigquery.model.Table().setSchema(result.schema()),
          result.rows())));
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("query failed: " + e.getMessage() + "\n" + query.getQuery(),
          e);
    }
  }

  /** A query's result as BigQuery gives it: TIMESTAMP values in microseconds. */
  public record Result(TableSchema schema, List<TableRow> rows) {
    /** The rows as maps, TIMESTAMP values as microseconds. */
    public List<Map<String, Object>> maps() {
      List<Map<String, Object>> out = new ArrayList<>();
      for (TableRow row : rows) {
        out.add(new HashMap<>(row));
      }
      return out;
    }
  }

  /** Runs {@code sql} over the current rows of the fake dataset. */
  public Result run(String sql) throws SQLException, IOException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      load(c);
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery(sql.replace("`" + project + "." + dataset + "`.", ""))) {
        ResultSetMetaData meta = r.getMetaData();
        List<TableFieldSchema> fields = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          fields.add(new TableFieldSchema().setName(meta.getColumnName(i)).setMode("NULLABLE")
              .setType(bigQueryType(meta.getColumnTypeName(i))));
        }
        List<TableRow> rows = new ArrayList<>();
        while (r.next()) {
          TableRow row = new TableRow();
          for (int i = 1; i <= fields.size(); i++) {
            Object value = r.getObject(i);
            if (value != null && "TIMESTAMP".equals(fields.get(i - 1).getType())) {
              LocalDateTime t = r.getObject(i, LocalDateTime.class);
              value = t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000;
            }
            row.set(fields.get(i - 1).getName(), value);
          }
          rows.add(row);
        }
        return new Result(new TableSchema().setFields(fields), rows);
      }
    }
  }

  private static String bigQueryType(String duckDbType) {
    return switch (duckDbType) {
      case "VARCHAR" -> "STRING";
      case "TIMESTAMP" -> "TIMESTAMP";
      case "DOUBLE", "FLOAT" -> "FLOAT";
      case "BIGINT", "INTEGER", "HUGEINT" -> "INTEGER";
      case "BOOLEAN" -> "BOOLEAN";
      default -> throw new IllegalArgumentException("no BigQuery type for DuckDB " + duckDbType);
    };
  }

  /** Every table of the fake dataset into DuckDB, each column typed as schemas/ says. */
  private void load(Connection c) throws SQLException, IOException {
    FakeDatasetService datasets = new FakeDatasetService();
    for (Table table : Table.values()) {
      try (Statement s = c.createStatement()) {
        s.execute(DuckDbFile.createTable(table));
      }
      TableReference ref = new TableReference().setProjectId(project).setDatasetId(dataset)
          .setTableId(table.tableName());
      List<TableRow> rows;
      try {
        rows = datasets.getTable(ref) == null ? List.of()
            : datasets.getAllRows(project, dataset, table.tableName());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      List<TableFieldSchema> fields = table.tableSchema().getFields();
      String marks = String.join(", ", java.util.Collections.nCopies(fields.size(), "?"));
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table.tableName()
          + " VALUES (" + marks + ")")) {
        for (TableRow row : rows) {
          for (int i = 0; i < fields.size(); i++) {
            insert.setObject(i + 1, typed(fields.get(i), row.get(fields.get(i).getName())));
          }
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
  }

  /** A value as the fake holds it (text) in the type of its column. */
  private static Object typed(TableFieldSchema field, Object value) {
    if (value == null) {
      return null;
    }
    String text = String.valueOf(value);
    return switch (field.getType()) {
      // The fake keeps Storage Write API timestamps as "2023-11-14 T22:13:20.5".
      case "TIMESTAMP" -> LocalDateTime.parse(text.replace(" T", "T").replace(" UTC", "")
          .replace("Z", ""));
      case "BYTES" -> Base64.getDecoder().decode(text);
      case "FLOAT" -> Double.parseDouble(text);
      case "INTEGER" -> Long.parseLong(text);
      case "BOOLEAN" -> Boolean.parseBoolean(text);
      default -> text;
    };
  }
}
