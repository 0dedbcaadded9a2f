package io.chalkstream.snapshot;

import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import io.chalkstream.history.TableRows;
import io.chalkstream.privacy.PiiPolicy;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Compares a snapshot (its change rows, personal data as configured) with the history's current
 * state ({@link Drift}s of the {@code *_current} views), per change table: each difference is a
 * {@code reconciliation} row, and with repair the snapshot row that brings the history in line
 * (a NOT_FOUND SNAPSHOT row for what is gone). A resource is called gone only when its list was
 * read to the end ({@link SnapshotClassroom.Result#readLists()}).
 */
public final class ReconcileWithHistory
    extends PTransform<SnapshotClassroom.Result, HistoryRows> {
  /**
   * The history's current state of a change table (e.g. its {@code *_current} view read from
   * DuckDB or BigQuery), read by the workers: a large history is not carried in the job graph.
   */
  @FunctionalInterface
  public interface History {
    PTransform<PBegin, PCollection<Drift>> current(Table table);
  }

  private final transient History history;
  private final Instant checkedAt;
  private final boolean repair;
  private final PiiPolicy pii;

  /** The snapshot's changes become rows with personal data as {@code pii} says, then compared. */
  public ReconcileWithHistory(History history, Instant checkedAt, boolean repair, PiiPolicy pii) {
    this.history = history;
    this.checkedAt = checkedAt;
    this.repair = repair;
    this.pii = pii;
  }

  @Override
  public HistoryRows expand(SnapshotClassroom.Result snapshot) {
    PCollectionView<List<String>> read = snapshot.readLists().apply("ReadLists", View.asList());
    HistoryRows rows = snapshot.changes().apply("ToChangeRows", new TableRows.FromChanges(pii));
    PCollectionList<Row> differences = PCollectionList.empty(snapshot.getPipeline());
    HistoryRows out = HistoryRows.empty(snapshot.getPipeline());
    for (Table table : Table.CHANGE_TABLES) {
      String name = table.tableName();
      TupleTag<Row> classroomTag = new TupleTag<>("classroom");
      TupleTag<Drift> historyTag = new TupleTag<>("history");
      TupleTag<Row> repairTag = new TupleTag<>();
      TupleTag<Row> differenceTag = new TupleTag<>();
      PCollection<KV<Integer, Row>> inClassroom = rows.get(table)
          .apply("Shard " + name, MapElements
              .into(TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptors.rows()))
              .via((Row row) -> KV.of(shard(Drift.of(table, row::getValue)), row)))
          .setCoder(KvCoder.of(VarIntCoder.of(), SchemaCoder.of(table.beamSchema())));
      PCollection<KV<Integer, Drift>> inHistory = snapshot.getPipeline()
          .apply("History " + name, history.current(table))
          .apply("Shard history " + name, MapElements
              .into(TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptor.of(Drift.class)))
              .via((Drift d) -> KV.of(shard(d), d)))
          .setCoder(KvCoder.of(VarIntCoder.of(), DriftCoder.of()));
      PCollectionTuple compared = KeyedPCollectionTuple.of(classroomTag, inClassroom)
          .and(historyTag, inHistory)
          .apply("Join " + name, CoGroupByKey.create())
          .apply("Compare " + name, ParDo.of(new CompareFn(table, classroomTag, historyTag,
                  repairTag, differenceTag, read, checkedAt, repair))
              .withSideInputs(read)
              .withOutputTags(differenceTag, TupleTagList.of(repairTag)));
      differences = differences.and(compared.get(differenceTag)
          .setCoder(SchemaCoder.of(Table.RECONCILIATION.beamSchema())));
      out = out.and(table, compared.get(repairTag)
          .setCoder(SchemaCoder.of(table.beamSchema())));
    }
    return out.and(Table.RECONCILIATION,
        differences.apply("FlattenDifferences", Flatten.pCollections())
            .setCoder(SchemaCoder.of(Table.RECONCILIATION.beamSchema())));
  }

  /**
   * The join is by resource within shards of resources, not by resource: a group per resource
   * would be a bundle per resource on the DirectRunner, each paying the runner's per-bundle cost.
   */
  private static final int SHARDS = 32;

  static int shard(Drift d) {
    return Math.floorMod(d.key().hashCode(), SHARDS);
  }

  static final class CompareFn extends DoFn<KV<Integer, CoGbkResult>, Row> {
    private final Table table;
    private final TupleTag<Row> classroomTag;
    private final TupleTag<Drift> historyTag;
    private final TupleTag<Row> repairTag;
    private final TupleTag<Row> differenceTag;
    private final PCollectionView<List<String>> read;
    private final Instant checkedAt;
    private final boolean repair;
    private final Counter differences =
        Metrics.counter("chalkstream", "reconciliation_differences");
    private final Counter repaired = Metrics.counter("chalkstream", "reconciliation_repaired");
    private transient Set<String> readLists;

    CompareFn(Table table, TupleTag<Row> classroomTag, TupleTag<Drift> historyTag,
        TupleTag<Row> repairTag, TupleTag<Row> differenceTag, PCollectionView<List<String>> read,
        Instant checkedAt, boolean repair) {
      this.table = table;
      this.classroomTag = classroomTag;
      this.historyTag = historyTag;
      this.repairTag = repairTag;
      this.differenceTag = differenceTag;
      this.read = read;
      this.checkedAt = checkedAt;
      this.repair = repair;
    }

    @StartBundle
    public void startBundle() {
      readLists = null;
    }

    @ProcessElement
    public void process(@Element KV<Integer, CoGbkResult> shard, ProcessContext context) {
      if (readLists == null) {
        readLists = new HashSet<>(context.sideInput(read));
      }
      Map<String, Row> classroomRows = new HashMap<>();
      Map<String, Drift> classroom = new HashMap<>();
      for (Row row : shard.getValue().getAll(classroomTag)) {
        Drift d = Drift.of(table, row::getValue);
        classroomRows.put(d.key(), row);
        classroom.put(d.key(), d);
      }
      Map<String, Drift> inHistory = new HashMap<>();
      for (Drift d : shard.getValue().getAll(historyTag)) {
        inHistory.put(d.key(), d);
      }
      Set<String> keys = new TreeSet<>(classroom.keySet());
      keys.addAll(inHistory.keySet());
      for (String key : keys) {
        compare(classroomRows.get(key), classroom.get(key), inHistory.get(key), context);
      }
    }

    private void compare(@Nullable Row classroomRow, @Nullable Drift inClassroom,
        @Nullable Drift inHistory, ProcessContext context) {
      Drift.Kind kind = Drift.compare(inHistory, inClassroom);
      if (kind == null) {
        return;
      }
      if (kind == Drift.Kind.GONE_IN_CLASSROOM && !readLists.contains(inHistory.listName())) {
        return; // not read (a failed list, or a course left out of the snapshot): not gone
      }
      Drift any = inClassroom != null ? inClassroom : inHistory;
      differences.inc();
      Metrics.counter("chalkstream", "reconciliation_" + kind.name().toLowerCase()).inc();
      context.output(differenceTag, difference(any, kind, inHistory, inClassroom));
      if (repair) {
        repaired.inc();
        context.output(repairTag, kind == Drift.Kind.GONE_IN_CLASSROOM
            ? inHistory.goneRow(checkedAt, System.currentTimeMillis()) : classroomRow);
      }
    }

    private Row difference(Drift d, Drift.Kind kind, @Nullable Drift history,
        @Nullable Drift classroom) {
      List<String> ids = d.ids();
      boolean roster = table == Table.ROSTER_CHANGES;
      return Row.withSchema(Table.RECONCILIATION.beamSchema())
          .withFieldValue("checked_at", checkedAt)
          .withFieldValue("course_id", d.courseId())
          .withFieldValue("collection", d.collection().wireName())
          .withFieldValue("user_id", roster ? ids.get(1) : null)
          .withFieldValue("course_work_id", roster ? null : ids.get(1))
          .withFieldValue("submission_id", table == Table.SUBMISSION_CHANGES ? ids.get(2) : null)
          .withFieldValue("kind", kind.name())
          .withFieldValue("history_value", history == null ? null : valueOrUnknown(history))
          .withFieldValue("classroom_value", classroom == null ? null : classroom.value())
          .withFieldValue("repaired", repair)
          .build();
    }

    private static String valueOrUnknown(Drift d) {
      return d.value() != null ? d.value() : "present (state unknown: its get failed)";
    }
  }
}
