package io.chalkstream.history;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Where the history lives ({@link Warehouse}): a BigQuery dataset, else a local DuckDB file. */
public interface HistoryOptions extends BigQuerySinkOptions {
  @Description("Local DuckDB file of the history: written to (created when absent, appended "
      + "to when present), and read by replay, reconcile and the FILTER stage.")
  @Default.String("chalkstream.duckdb")
  String getDuckdbPath();

  void setDuckdbPath(String value);
}
