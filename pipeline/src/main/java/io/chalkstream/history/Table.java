package io.chalkstream.history;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryHelpers;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryUtils;
import org.apache.beam.sdk.schemas.Schema;

/**
 * The tables Chalkstream writes. Their columns come from {@code schemas/<name>.json} in the jar
 * (the single source of truth, also used by {@code bq mk}); nothing here repeats them.
 */
public enum Table {
  ROSTER_CHANGES("roster_changes", "publish_time"),
  COURSEWORK_CHANGES("coursework_changes", "publish_time"),
  SUBMISSION_CHANGES("submission_changes", "publish_time"),
  DEAD_LETTERS("dead_letters", "failed_at"),
  REGISTRATIONS("registrations", "attempted_at"),
  RECONCILIATION("reconciliation", "checked_at");

  /** The tables of change history, one per notification collection family. */
  public static final List<Table> CHANGE_TABLES =
      List.of(ROSTER_CHANGES, COURSEWORK_CHANGES, SUBMISSION_CHANGES);

  private final String tableName;
  private final String partitionField;
  private transient TableSchema tableSchema;
  private transient Schema beamSchema;

  Table(String tableName, String partitionField) {
    this.tableName = tableName;
    this.partitionField = partitionField;
  }

  public String tableName() {
    return tableName;
  }

  /** The TIMESTAMP column BigQuery partitions the table by day on. */
  public String partitionField() {
    return partitionField;
  }

  /** Clustered by {@code course_id} where the table has one. */
  public List<String> clusteringFields() {
    return beamSchema().hasField("course_id") ? List.of("course_id") : List.of();
  }

  public synchronized TableSchema tableSchema() {
    if (tableSchema == null) {
      String resource = "/schemas/" + tableName + ".json";
      try (InputStream in = Table.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " is missing from the jar; rebuild it");
        }
        String fields = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        tableSchema = BigQueryHelpers.fromJsonString("{\"fields\":" + fields + "}",
            TableSchema.class);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return tableSchema;
  }

  /** The same columns as a Beam schema (TIMESTAMP becomes DATETIME, FLOAT becomes DOUBLE). */
  public synchronized Schema beamSchema() {
    if (beamSchema == null) {
      beamSchema = BigQueryUtils.fromTableSchema(tableSchema());
    }
    return beamSchema;
  }

  public List<String> columnNames() {
    return tableSchema().getFields().stream().map(TableFieldSchema::getName).toList();
  }
}
