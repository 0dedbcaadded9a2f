package io.chalkstream.pipeline;

import io.chalkstream.query.ReadHistory;
import io.chalkstream.sink.BigQuerySink;
import io.chalkstream.sink.DuckDbSink;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where a batch command's history lives, read and written alike: the BigQuery dataset of
 * {@code --bigQueryDataset} when given, the DuckDB file of {@code --duckdbPath} otherwise.
 */
final class Warehouse {
  private final ChalkstreamOptions options;
  private final @Nullable BigQuerySink bigQuery;
  private final @Nullable BigQueryServices testServices;

  private Warehouse(ChalkstreamOptions options, @Nullable BigQueryServices testServices) {
    this.options = options;
    this.bigQuery = options.getBigQueryDataset() == null ? null : BigQuerySink.from(options);
    this.testServices = testServices;
  }

  /** The history of {@code options}; {@code testServices} (Beam's fakes) in place of BigQuery. */
  static Warehouse of(ChalkstreamOptions options, @Nullable BigQueryServices testServices) {
    return new Warehouse(options, testServices);
  }

  boolean isBigQuery() {
    return bigQuery != null;
  }

  /** For messages: where the rows are. */
  String describe() {
    return bigQuery != null ? "BigQuery dataset " + options.getBigQueryDataset()
        : "--duckdbPath=" + options.getDuckdbPath();
  }

  /** How a person looks at the rows of {@code sql}, with the table names it uses. */
  String howToQuery(String sql) {
    return bigQuery != null
        ? "bq query --use_legacy_sql=false --project_id=" + bigQuery.project() + " \""
            + sql.replaceAll("\\b(roster_changes|coursework_changes|submission_changes"
                + "|dead_letters|reconciliation)\\b", bigQuery.dataset() + ".$1") + "\""
        : "./chalkstream query --duckdbPath=" + options.getDuckdbPath() + " \"" + sql + "\"";
  }

  PTransform<PCollectionTuple, PDone> writer() {
    if (bigQuery != null) {
      return testServices == null ? bigQuery : bigQuery.withTestServices(testServices);
    }
    DuckDbSink duckDb = DuckDbSink.to(options.getDuckdbPath());
    duckDb.openNow();
    return duckDb;
  }

  /**
   * The rows of {@code template} (SQL over the history, table names prefixed with
   * {@link io.chalkstream.query.Views#DATASET}), read in the pipeline.
   */
  <T> ReadHistory<T> read(String template, SerializableFunction<Map<String, Object>, T> parse,
      Coder<T> coder) {
    if (bigQuery == null) {
      return ReadHistory.fromDuckDb(options.getDuckdbPath(), template, parse, coder);
    }
    if (options.getTempLocation() == null || options.getTempLocation().isBlank()) {
      throw new IllegalArgumentException("reading the history from BigQuery needs "
          + "--tempLocation=gs://BUCKET/tmp: BigQuery exports the query's result there for the "
          + "pipeline to read");
    }
    GcpOptions gcp = options.as(GcpOptions.class);
    if (gcp.getProject() == null) {
      gcp.setProject(bigQuery.project()); // the query job runs in the dataset's project
    }
    return ReadHistory.fromBigQuery(bigQuery.project(), bigQuery.dataset(), testServices,
        template, parse, coder);
  }
}
