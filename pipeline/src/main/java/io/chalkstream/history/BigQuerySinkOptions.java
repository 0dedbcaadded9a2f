package io.chalkstream.history;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where and how the change history is written. */
public interface BigQuerySinkOptions extends PipelineOptions {
  @Description(
      "BigQuery dataset of the history, PROJECT:DATASET: written to, and read by replay, "
          + "reconcile and the FILTER stage (query jobs; they need --tempLocation=gs://...). "
          + "Tables are created when missing from schemas/, day-partitioned and clustered by "
          + "course_id.")
  String getBigQueryDataset();

  void setBigQueryDataset(String value);

  @Description(
      "BigQuery write method: STORAGE_WRITE_API (exactly-once, the default) or "
          + "STORAGE_API_AT_LEAST_ONCE (cheaper, may duplicate rows; the views keep one row per "
          + "message_id).")
  @Default.String("STORAGE_WRITE_API")
  String getBigQueryWriteMethod();

  void setBigQueryWriteMethod(String value);

  @Description(
      "Streaming exactly-once writes: how often, in seconds, buffered rows are committed to "
          + "BigQuery.")
  @Default.Integer(5)
  Integer getBigQueryTriggeringSeconds();

  void setBigQueryTriggeringSeconds(Integer value);

  @Description(
      "Streaming exactly-once writes: Storage Write API streams per table; 0 lets the runner "
          + "shard automatically.")
  @Default.Integer(1)
  Integer getBigQueryWriteStreams();

  void setBigQueryWriteStreams(Integer value);
}
