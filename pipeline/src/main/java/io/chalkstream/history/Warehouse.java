package io.chalkstream.history;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PDone;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where a batch command's history lives, read and written alike: the BigQuery dataset of
 * {@code --bigQueryDataset} when given, the DuckDB file of {@code --duckdbPath} otherwise.
 */
public final class Warehouse {
  private static final String TABLE_NAMES = Arrays.stream(Table.values()).map(Table::tableName)
      .collect(Collectors.joining("|"));

  private final HistoryOptions options;
  private final @Nullable BigQuerySink bigQuery;
  private final @Nullable DuckDbSink duckDb;
  private final @Nullable BigQueryServices testServices;

  /** Refuses, with what to do, a dataset that is not PROJECT:DATASET or a file never writable. */
  private Warehouse(HistoryOptions options, @Nullable BigQueryServices testServices) {
    this.options = options;
    this.bigQuery = options.getBigQueryDataset() == null ? null : BigQuerySink.from(options);
    this.duckDb = bigQuery != null ? null : DuckDbSink.to(options.getDuckdbPath());
    this.testServices = testServices;
  }

  /** The history of {@code options}; {@code testServices} (Beam's fakes) in place of BigQuery. */
  public static Warehouse of(HistoryOptions options, @Nullable BigQueryServices testServices) {
    return new Warehouse(options, testServices);
  }

  /** Refuses a DuckDB file that does not exist: nothing to {@code what}. */
  public void requireExisting(String what) {
    if (duckDb != null && !Files.isRegularFile(Path.of(options.getDuckdbPath()))) {
      throw new IllegalArgumentException("--duckdbPath=" + options.getDuckdbPath() + ": no such "
          + "file, so no " + what + "; name the file the stream wrote");
    }
  }

  public boolean isBigQuery() {
    return bigQuery != null;
  }

  /** For messages: where the rows are. */
  public String describe() {
    return bigQuery != null ? "BigQuery dataset " + options.getBigQueryDataset()
        : "--duckdbPath=" + options.getDuckdbPath();
  }

  /** How a person looks at the rows of {@code sql}, with the table names it uses. */
  public String howToQuery(String sql) {
    return bigQuery != null
        ? "bq query --use_legacy_sql=false --project_id=" + bigQuery.project() + " \""
            + sql.replaceAll("\\b(" + TABLE_NAMES + ")\\b", bigQuery.dataset() + ".$1") + "\""
        : "./chalkstream query --duckdbPath=" + options.getDuckdbPath() + " \"" + sql + "\"";
  }

  /**
   * The sink of the history. A DuckDB file is opened now, so that a file this run cannot write
   * stops it before any message is read (and so before any is acknowledged without its row).
   */
  public PTransform<HistoryRows, PDone> writer() {
    if (bigQuery != null) {
      return testServices == null ? bigQuery : bigQuery.withTestServices(testServices);
    }
    duckDb.openNow();
    return duckDb;
  }

  /**
   * The rows of {@code template} (SQL over the history, table names prefixed with
   * {@link io.chalkstream.history.Views#DATASET}), read in the pipeline.
   */
  public <T> ReadHistory<T> read(String template, SerializableFunction<Map<String, Object>, T> parse,
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
