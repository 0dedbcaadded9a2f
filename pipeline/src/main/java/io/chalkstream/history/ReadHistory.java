package io.chalkstream.history;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Reads the rows of a query over the history (SQL written once for both, table names prefixed
 * with {@link Views#DATASET}) from the local DuckDB file or from BigQuery, each row handed to
 * {@code parse} as a map of column to value in one form for both: strings, numbers, booleans,
 * and TIMESTAMP columns as {@link Instant}s.
 *
 * <p>DuckDB is read by a worker at run time, not carried in the job graph; BigQuery through
 * BigQueryIO (a query job whose result is exported to {@code --tempLocation} and read in
 * parallel), so a large history or a large replay scales on Dataflow.
 */
public final class ReadHistory<T> extends PTransform<PBegin, PCollection<T>> {
  private final @Nullable String duckdbPath;
  private final @Nullable String project;
  private final @Nullable String dataset;
  private final @Nullable BigQueryServices testServices;
  private final String template;
  private final SerializableFunction<Map<String, Object>, T> parse;
  private final Coder<T> coder;

  private ReadHistory(@Nullable String duckdbPath, @Nullable String project,
      @Nullable String dataset, @Nullable BigQueryServices testServices, String template,
      SerializableFunction<Map<String, Object>, T> parse, Coder<T> coder) {
    this.duckdbPath = duckdbPath;
    this.project = project;
    this.dataset = dataset;
    this.testServices = testServices;
    this.template = template;
    this.parse = parse;
    this.coder = coder;
  }

  /** The rows of {@code template} on the DuckDB file at {@code path}. */
  public static <T> ReadHistory<T> fromDuckDb(String path, String template,
      SerializableFunction<Map<String, Object>, T> parse, Coder<T> coder) {
    return new ReadHistory<>(path, null, null, null, template, parse, coder);
  }

  /**
   * The rows of {@code template} on BigQuery dataset {@code project.dataset}; {@code testServices}
   * (Beam's fakes) in place of BigQuery when not null.
   */
  public static <T> ReadHistory<T> fromBigQuery(String project, String dataset,
      @Nullable BigQueryServices testServices, String template,
      SerializableFunction<Map<String, Object>, T> parse, Coder<T> coder) {
    return new ReadHistory<>(null, project, dataset, testServices, template, parse, coder);
  }

  /** The SQL as it runs: the template with its tables' dataset filled in. */
  public String sql() {
    return duckdbPath != null ? template.replace(Views.DATASET, "")
        : template.replace(Views.DATASET, "`" + project + "." + dataset + "`.");
  }

  @Override
  public PCollection<T> expand(PBegin input) {
    if (duckdbPath != null) {
      return input.apply("Query", Create.of(sql()))
          .apply("Rows", ParDo.of(new QueryDuckDbFn<>(duckdbPath, parse)))
          .setCoder(coder);
    }
    SerializableFunction<Map<String, Object>, T> parse = this.parse;
    BigQueryIO.TypedRead<T> read = BigQueryIO
        .read(record -> parse.apply(columns(record.getRecord())))
        .fromQuery(sql())
        .usingStandardSql()
        // The result's temporary table goes in the history's dataset, where the job may write,
        // rather than in a new dataset, which would need a project-wide role to create.
        .withQueryTempDataset(dataset)
        .withCoder(coder);
    return input.apply("Query", testServices == null ? read : read.withTestServices(testServices));
  }

  /** A row of BigQuery's Avro export in the form DuckDB's rows are given. */
  static Map<String, Object> columns(GenericRecord record) {
    Map<String, Object> row = new HashMap<>();
    for (Schema.Field field : record.getSchema().getFields()) {
      row.put(field.name(), value(field.schema(), record.get(field.pos())));
    }
    return row;
  }

  private static @Nullable Object value(Schema schema, @Nullable Object value) {
    if (value instanceof CharSequence text) {
      return text.toString();
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return bytes;
    }
    if (value instanceof Long micros && isTimestamp(schema)) {
      return new Instant(Math.floorDiv(micros, 1000L));
    }
    return value;
  }

  /** BigQuery exports TIMESTAMP as an Avro long of microseconds, logical type timestamp-micros. */
  private static boolean isTimestamp(Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      return schema.getTypes().stream().anyMatch(ReadHistory::isTimestamp);
    }
    return "timestamp-micros".equals(schema.getProp("logicalType"))
        || (schema.getLogicalType() != null
            && "timestamp-micros".equals(schema.getLogicalType().getName()));
  }

  static final class QueryDuckDbFn<T> extends DoFn<String, T> {
    private final String path;
    private final SerializableFunction<Map<String, Object>, T> parse;

    QueryDuckDbFn(String path, SerializableFunction<Map<String, Object>, T> parse) {
      this.path = path;
      this.parse = parse;
    }

    @ProcessElement
    public void process(@Element String sql, OutputReceiver<T> out) {
      for (Map<String, Object> row : DuckDbSink.query(path, sql)) {
        out.output(parse.apply(row));
      }
    }
  }
}
