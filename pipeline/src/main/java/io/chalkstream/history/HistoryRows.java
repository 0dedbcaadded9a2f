package io.chalkstream.history;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The rows bound for the history, per {@link Table}: what the pipelines produce and every sink
 * consumes. Tables are named by {@link Table}, not by shared static tags; each instance makes its
 * own tags (as Beam's {@code rrio} {@code Result} does), so the rows of two steps never meet
 * under one tag by accident.
 */
public final class HistoryRows implements PInput, POutput {
  private final Pipeline pipeline;
  private final Map<Table, PCollection<Row>> rows;
  private final Map<Table, TupleTag<Row>> tags = new EnumMap<>(Table.class);

  private HistoryRows(Pipeline pipeline, Map<Table, PCollection<Row>> rows) {
    this.pipeline = pipeline;
    this.rows = Collections.unmodifiableMap(rows);
    for (Table table : rows.keySet()) {
      tags.put(table, new TupleTag<>());
    }
  }

  public static HistoryRows empty(Pipeline pipeline) {
    return new HistoryRows(pipeline, new EnumMap<>(Table.class));
  }

  public static HistoryRows of(Table table, PCollection<Row> rows) {
    return empty(rows.getPipeline()).and(table, rows);
  }

  /** These rows and {@code more} for {@code table}, which must not have rows here yet. */
  public HistoryRows and(Table table, PCollection<Row> more) {
    if (rows.containsKey(table)) {
      throw new IllegalArgumentException("rows for " + table.tableName() + " given twice; "
          + "flatten them into one PCollection first");
    }
    Map<Table, PCollection<Row>> all = new EnumMap<>(Table.class);
    all.putAll(rows);
    all.put(table, more);
    return new HistoryRows(pipeline, all);
  }

  public boolean has(Table table) {
    return rows.containsKey(table);
  }

  /** The rows of {@code table}; see {@link #has}. */
  public PCollection<Row> get(Table table) {
    PCollection<Row> r = rows.get(table);
    if (r == null) {
      throw new IllegalArgumentException("no rows for " + table.tableName() + " here; these "
          + "rows are for " + tables());
    }
    return r;
  }

  /** The tables with rows here, in the order of {@link Table}. */
  public Set<Table> tables() {
    return rows.keySet();
  }

  public <O extends POutput> O apply(PTransform<HistoryRows, O> transform) {
    return Pipeline.applyTransform(this, transform);
  }

  public <O extends POutput> O apply(String name, PTransform<HistoryRows, O> transform) {
    return Pipeline.applyTransform(name, this, transform);
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    Map<TupleTag<?>, PValue> out = new LinkedHashMap<>();
    rows.forEach((table, r) -> out.put(tags.get(table), r));
    return out;
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input,
      PTransform<?, ?> transform) {}
}
