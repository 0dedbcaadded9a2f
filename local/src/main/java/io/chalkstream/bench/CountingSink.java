package io.chalkstream.bench;

import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/**
 * An in-memory sink for the benchmark: counts the rows of each table under the production sinks'
 * counter names ({@code rows_written_<table>}) and records each change row's publish-to-row
 * latency ({@code ingested_at - publish_time}) and its resource in its pane's list
 * ({@link PaneResources}).
 */
final class CountingSink extends PTransform<HistoryRows, PDone> {
  private final String runId;

  CountingSink(String runId) {
    this.runId = runId;
  }

  @Override
  public PDone expand(HistoryRows rows) {
    for (Table table : Table.values()) {
      if (rows.has(table)) {
        rows.get(table)
            .apply("Count " + table.tableName(), ParDo.of(new CountFn(runId, table)));
      }
    }
    return PDone.in(rows.getPipeline());
  }

  static final class CountFn extends DoFn<Row, Void> {
    private final String runId;
    private final Table table;
    private final boolean change;
    private final Counter written;

    CountFn(String runId, Table table) {
      this.runId = runId;
      this.table = table;
      this.change = Table.CHANGE_TABLES.contains(table);
      this.written = Metrics.counter("chalkstream", "rows_written_" + table.tableName());
    }

    @ProcessElement
    public void process(@Element Row row, BoundedWindow window, PaneInfo pane) {
      written.inc();
      if (change) {
        ReadableInstant published = row.getDateTime("publish_time");
        ReadableInstant ingested = row.getDateTime("ingested_at");
        LatencyHistogram.named(runId).record(ingested.getMillis() - published.getMillis());
        if (!"SKIPPED".equals(row.getString("enrichment_status"))) { // deletions: no call
          PaneResources.named(runId).record(group(row, window, pane), resource(row));
        }
      }
    }

    private PaneResources.Group group(Row row, BoundedWindow window, PaneInfo pane) {
      String collection = row.getString("collection");
      boolean submission = collection.endsWith("studentSubmissions");
      return new PaneResources.Group(collection, row.getString("course_id"),
          submission ? row.getString("course_work_id") : null,
          window.maxTimestamp().getMillis() + "/" + pane.getIndex());
    }

    private String resource(Row row) {
      String id = table == Table.ROSTER_CHANGES ? row.getString("user_id")
          : table == Table.COURSEWORK_CHANGES ? row.getString("course_work_id")
          : row.getString("submission_id");
      return id != null ? id : row.getString("message_id");
    }
  }
}
