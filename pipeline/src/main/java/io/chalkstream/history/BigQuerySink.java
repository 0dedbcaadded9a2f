package io.chalkstream.history;

import com.google.api.services.bigquery.model.Clustering;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TimePartitioning;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.DeadLetterCoder;
import io.chalkstream.deadletter.GlobalWindow;
import io.chalkstream.deadletter.Stage;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryHelpers;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryStorageApiInsertError;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryUtils;
import org.apache.beam.sdk.io.gcp.bigquery.WriteResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link TableRows} to BigQuery with the Storage Write API. Rows BigQuery refuses become
 * {@code WRITE} dead letters (carrying the row as JSON) in {@code dead_letters}; a dead letter that
 * BigQuery refuses too is logged with its message id and counted, the last place it can go.
 */
public final class BigQuerySink extends PTransform<HistoryRows, PDone> {
  private static final Logger LOG = LoggerFactory.getLogger(BigQuerySink.class);

  private final String project;
  private final String dataset;
  private final BigQueryIO.Write.Method method;
  private final Duration triggering;
  private final int streams;
  private final @Nullable BigQueryServices testServices;

  private BigQuerySink(String project, String dataset, BigQueryIO.Write.Method method,
      Duration triggering, int streams, @Nullable BigQueryServices testServices) {
    this.project = project;
    this.dataset = dataset;
    this.method = method;
    this.triggering = triggering;
    this.streams = streams;
    this.testServices = testServices;
  }

  public static BigQuerySink from(BigQuerySinkOptions options) {
    String spec = options.getBigQueryDataset();
    if (spec == null || !spec.matches("[a-z][a-z0-9.:-]{4,61}[a-z0-9]:[A-Za-z0-9_]{1,1024}")) {
      throw new IllegalArgumentException("--bigQueryDataset=" + spec
          + " is not PROJECT:DATASET (e.g. my-project:classroom)");
    }
    int colon = spec.lastIndexOf(':');
    BigQueryIO.Write.Method method;
    try {
      method = BigQueryIO.Write.Method.valueOf(options.getBigQueryWriteMethod());
    } catch (IllegalArgumentException e) {
      method = null;
    }
    if (method != BigQueryIO.Write.Method.STORAGE_WRITE_API
        && method != BigQueryIO.Write.Method.STORAGE_API_AT_LEAST_ONCE) {
      throw new IllegalArgumentException("--bigQueryWriteMethod=" + options.getBigQueryWriteMethod()
          + " is not STORAGE_WRITE_API or STORAGE_API_AT_LEAST_ONCE");
    }
    return new BigQuerySink(spec.substring(0, colon), spec.substring(colon + 1), method,
        Duration.standardSeconds(options.getBigQueryTriggeringSeconds()),
        options.getBigQueryWriteStreams(), null);
  }

  /** The project of {@code --bigQueryDataset}. */
  public String project() {
    return project;
  }

  /** The dataset of {@code --bigQueryDataset}. */
  public String dataset() {
    return dataset;
  }

  /** Beam's fake dataset service (or any other) in place of BigQuery, for tests. */
  public BigQuerySink withTestServices(BigQueryServices services) {
    return new BigQuerySink(project, dataset, method, triggering, streams, services);
  }

  @Override
  public PDone expand(HistoryRows rows) {
    // Rows BigQuery refuses become WRITE dead letters; dead letters it refuses are logged.
    PCollectionList<DeadLetter> refused = PCollectionList.empty(rows.getPipeline());
    for (Table table : Table.values()) {
      if (table == Table.DEAD_LETTERS || !rows.has(table)) {
        continue;
      }
      WriteResult result = rows.get(table)
          .apply("Write " + table.tableName(), write(table, rows.get(table)));
      countWritten(table, result);
      refused = refused.and(result.getFailedStorageApiInserts()
          .apply("Refused " + table.tableName(), refusedAsDeadLetters(table))
          .setCoder(DeadLetterCoder.of())
          .apply("Refused " + table.tableName() + " to global window", GlobalWindow.of()));
    }
    PCollectionList<Row> deadLetterRows = PCollectionList.of(refused
        .apply("FlattenRefused", Flatten.pCollections())
        .setCoder(DeadLetterCoder.of())
        .apply("RefusedToRows", new TableRows.FromDeadLetters()));
    if (rows.has(Table.DEAD_LETTERS)) {
      deadLetterRows = deadLetterRows.and(rows.get(Table.DEAD_LETTERS));
    }
    PCollection<Row> deadLetters = deadLetterRows.apply("FlattenDeadLetters", Flatten.pCollections());
    WriteResult deadLetterResult =
        deadLetters.apply("Write dead_letters", write(Table.DEAD_LETTERS, deadLetters));
    countWritten(Table.DEAD_LETTERS, deadLetterResult);
    deadLetterResult.getFailedStorageApiInserts()
        .apply("LogLostDeadLetters", ParDo.of(new LogLostFn()));
    return PDone.in(rows.getPipeline());
  }

  private BigQueryIO.Write<Row> write(Table table, PCollection<Row> input) {
    BigQueryIO.Write<Row> write =
        BigQueryIO.<Row>write()
            .to(new TableReference().setProjectId(project).setDatasetId(dataset)
                .setTableId(table.tableName()))
            .withSchema(table.tableSchema())
            .withFormatFunction(BigQueryUtils.toTableRow())
            .withTimePartitioning(
                new TimePartitioning().setType("DAY").setField(table.partitionField()))
            .withCreateDisposition(BigQueryIO.Write.CreateDisposition.CREATE_IF_NEEDED)
            .withWriteDisposition(BigQueryIO.Write.WriteDisposition.WRITE_APPEND)
            .withMethod(method)
            // Rows BigQuery took come back (their first column only) to be counted.
            .withPropagateSuccessfulStorageApiWrites(new OnlyColumn(table.columnNames().get(0)));
    if (!table.clusteringFields().isEmpty()) {
      write = write.withClustering(new Clustering().setFields(table.clusteringFields()));
    }
    if (method == BigQueryIO.Write.Method.STORAGE_WRITE_API
        && input.isBounded() == PCollection.IsBounded.UNBOUNDED) {
      // Streaming exactly-once needs a commit cadence and a stream count (or auto-sharding).
      write = write.withTriggeringFrequency(triggering);
      write = streams > 0 ? write.withNumStorageWriteApiStreams(streams) : write.withAutoSharding();
    }
    return testServices == null ? write : write.withTestServices(testServices);
  }

  private static MapElements<BigQueryStorageApiInsertError, DeadLetter> refusedAsDeadLetters(
      Table table) {
    return MapElements.into(TypeDescriptor.of(DeadLetter.class))
        .via(error -> {
          TableRow row = error.getRow();
          Object messageId = row.get("message_id");
          return new DeadLetter(Instant.now().getMillis(), Stage.WRITE,
              "BigQuery refused the row for " + table.tableName() + ": " + error.getErrorMessage(),
              messageId == null ? null : messageId.toString(), null,
              Map.of("table", table.tableName()),
              BigQueryHelpers.toJsonString(row).getBytes(StandardCharsets.UTF_8));
        });
  }

  /**
   * Counts the rows BigQuery accepted as {@code rows_written_<table>}, as DuckDbSink does: the
   * progress line and a local run's stop rule ("every message read has its row") read them.
   */
  private static void countWritten(Table table, WriteResult result) {
    result.getSuccessfulStorageApiInserts()
        .apply("Count " + table.tableName(), ParDo.of(new CountFn(table)));
  }

  /** Which columns of an accepted row come back: one is enough to count. */
  private record OnlyColumn(String name)
      implements java.util.function.Predicate<String>, java.io.Serializable {
    @Override
    public boolean test(String column) {
      return column.equals(name);
    }
  }

  static final class CountFn extends DoFn<TableRow, Void> {
    private final Counter written;

    CountFn(Table table) {
      this.written = Metrics.counter("chalkstream", "rows_written_" + table.tableName());
    }

    @ProcessElement
    public void process() {
      written.inc();
    }
  }

  /** The end of the line: BigQuery refused a dead letter too. */
  static final class LogLostFn extends DoFn<BigQueryStorageApiInsertError, Void> {
    private final Counter lost = Metrics.counter("chalkstream", "dead_letters_unwritable");

    @ProcessElement
    public void process(@Element BigQueryStorageApiInsertError error) {
      lost.inc();
      // The row itself may carry student data: log only its id and a redacted, short reason.
      String reason = String.valueOf(error.getErrorMessage())
          .replaceAll("[^\\s\"'=]+@[^\\s\"',}]+", "<email>");
      LOG.error("dead_letters refused a row (message_id {}), it is lost: {}",
          error.getRow().get("message_id"), reason.length() > 200 ? reason.substring(0, 200) : reason);
    }
  }
}
