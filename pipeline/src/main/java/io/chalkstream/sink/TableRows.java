package io.chalkstream.sink;

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

/**
 * The rows bound for each table, as one {@link PCollectionTuple} tagged by {@link #tag(Table)}:
 * what every sink consumes.
 */
public final class TableRows {
  private static final Map<Table, TupleTag<Row>> TAGS = new EnumMap<>(Table.class);

  static {
    for (Table t : Table.values()) {
      TAGS.put(t, new TupleTag<>(t.tableName()));
    }
  }

  private TableRows() {}

  public static TupleTag<Row> tag(Table table) {
    return TAGS.get(table);
  }

  /** Splits enriched changes into rows of the three change tables, personal data as configured. */
  public static final class FromChanges
      extends PTransform<PCollection<EnrichedChange>, PCollectionTuple> {
    private final PiiPolicy pii;

    public FromChanges() {
      this(PiiPolicy.keep());
    }

    public FromChanges(PiiPolicy pii) {
      this.pii = pii;
    }

    @Override
    public PCollectionTuple expand(PCollection<EnrichedChange> changes) {
      PCollectionTuple out = changes.apply("RouteByCollection", ParDo.of(new ToRowFn(pii))
          .withOutputTags(tag(Table.ROSTER_CHANGES),
              TupleTagList.of(tag(Table.COURSEWORK_CHANGES)).and(tag(Table.SUBMISSION_CHANGES))));
      for (Table t : Table.CHANGE_TABLES) {
        out.get(tag(t)).setCoder(SchemaCoder.of(t.beamSchema()));
      }
      return out;
    }
  }

  static final class ToRowFn extends DoFn<EnrichedChange, Row> {
    private final PiiPolicy pii;
    private final Distribution latency =
        Metrics.distribution("chalkstream", "publish_to_row_millis");
    private transient PiiPolicy.Scrubber scrubber;

    ToRowFn(PiiPolicy pii) {
      this.pii = pii;
    }

    @Setup
    public void setup() {
      scrubber = pii.load();
    }

    @ProcessElement
    public void process(@Element EnrichedChange change, MultiOutputReceiver receiver) {
      long now = Instant.now().getMillis();
      latency.update(now - change.notification().publishTimeMillis());
      Table table = ChangeRows.tableOf(change.notification().collection());
      receiver.get(tag(table)).output(
          scrubber.scrub(table.tableName(), ChangeRows.toRow(change, now)));
    }
  }

  /**
   * Marks every row that has a {@code replayed_at} column with {@code replayedAt}: the rows of
   * one {@code ./chalkstream replay}, told apart from the live stream's and keyed apart from the
   * failed attempt they follow.
   */
  public static final class MarkReplayed extends PTransform<PCollectionTuple, PCollectionTuple> {
    static final String COLUMN = "replayed_at";
    private final Instant replayedAt;

    public MarkReplayed(Instant replayedAt) {
      this.replayedAt = replayedAt;
    }

    @Override
    public PCollectionTuple expand(PCollectionTuple rows) {
      PCollectionTuple out = PCollectionTuple.empty(rows.getPipeline());
      for (Table t : Table.values()) {
        if (!rows.has(tag(t))) {
          continue;
        }
        PCollection<Row> tableRows = rows.get(tag(t));
        if (t.beamSchema().hasField(COLUMN)) {
          Instant at = replayedAt;
          tableRows = tableRows
              .apply("Mark " + t.tableName(), MapElements.into(TypeDescriptors.rows())
                  .via((Row row) -> Row.fromRow(row).withFieldValue(COLUMN, at).build()))
              .setCoder(SchemaCoder.of(t.beamSchema()));
        }
        out = out.and(tag(t), tableRows);
      }
      return out;
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
