package io.chalkstream.history;

import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.enrich.EnrichedChange;
import io.chalkstream.privacy.PiiPolicy;
import java.util.EnumMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/** The steps that turn what the pipeline learned into {@link HistoryRows}. */
public final class TableRows {
  private TableRows() {}

  /** Splits enriched changes into rows of the three change tables, personal data as configured. */
  public static final class FromChanges
      extends PTransform<PCollection<EnrichedChange>, HistoryRows> {
    private final PiiPolicy pii;

    public FromChanges() {
      this(PiiPolicy.keep());
    }

    public FromChanges(PiiPolicy pii) {
      this.pii = pii;
    }

    @Override
    public HistoryRows expand(PCollection<EnrichedChange> changes) {
      Map<Table, TupleTag<Row>> tags = new EnumMap<>(Table.class);
      for (Table t : Table.CHANGE_TABLES) {
        tags.put(t, new TupleTag<>(t.tableName()));
      }
      PCollectionTuple out = changes.apply("RouteByCollection", ParDo.of(new ToRowFn(pii, tags))
          .withOutputTags(tags.get(Table.ROSTER_CHANGES), TupleTagList.of(
              tags.get(Table.COURSEWORK_CHANGES)).and(tags.get(Table.SUBMISSION_CHANGES))));
      HistoryRows rows = HistoryRows.empty(changes.getPipeline());
      for (Table t : Table.CHANGE_TABLES) {
        rows = rows.and(t, out.get(tags.get(t)).setCoder(SchemaCoder.of(t.beamSchema())));
      }
      return rows;
    }
  }

  static final class ToRowFn extends DoFn<EnrichedChange, Row> {
    private final PiiPolicy pii;
    private final Map<Table, TupleTag<Row>> tags;
    private final Distribution latency =
        Metrics.distribution("chalkstream", "publish_to_row_millis");
    private transient PiiPolicy.Scrubber scrubber;

    ToRowFn(PiiPolicy pii, Map<Table, TupleTag<Row>> tags) {
      this.pii = pii;
      this.tags = tags;
    }

    @Setup
    public void setup() {
      scrubber = pii.load();
    }

    /** The scrubber holds the HASH key: no reference to it outlives the DoFn instance. */
    @Teardown
    public void teardown() {
      scrubber = null;
    }

    @ProcessElement
    public void process(@Element EnrichedChange change, MultiOutputReceiver receiver) {
      long now = Instant.now().getMillis();
      latency.update(now - change.notification().publishTimeMillis());
      Table table = ChangeRows.tableOf(change.notification().collection());
      receiver.get(tags.get(table)).output(
          scrubber.scrub(table.tableName(), ChangeRows.toRow(change, now)));
    }
  }

  /** Turns dead letters into {@code dead_letters} rows. */
  public static final class FromDeadLetters extends PTransform<PCollection<DeadLetter>, PCollection<Row>> {
    @Override
    public PCollection<Row> expand(PCollection<DeadLetter> deadLetters) {
      return deadLetters
          .apply("ToDeadLetterRows",
              MapElements.into(TypeDescriptors.rows()).via(DeadLetterRows::toRow))
          .setCoder(SchemaCoder.of(Table.DEAD_LETTERS.beamSchema()));
    }
  }
}
