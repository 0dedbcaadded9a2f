package io.chalkstream.replay;

import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/**
 * Marks every row that has a {@code replayed_at} column with {@code replayedAt}: the rows of one
 * {@code ./chalkstream replay}, told apart from the live stream's and keyed apart from the failed
 * attempt they follow.
 */
public final class MarkReplayed extends PTransform<HistoryRows, HistoryRows> {
  static final String COLUMN = "replayed_at";
  private final Instant replayedAt;

  public MarkReplayed(Instant replayedAt) {
    this.replayedAt = replayedAt;
  }

  @Override
  public HistoryRows expand(HistoryRows rows) {
    HistoryRows out = HistoryRows.empty(rows.getPipeline());
    for (Table t : rows.tables()) {
      PCollection<Row> tableRows = rows.get(t);
      if (t.beamSchema().hasField(COLUMN)) {
        Instant at = replayedAt;
        tableRows = tableRows
            .apply("Mark " + t.tableName(), MapElements.into(TypeDescriptors.rows())
                .via((Row row) -> Row.fromRow(row).withFieldValue(COLUMN, at).build()))
            .setCoder(SchemaCoder.of(t.beamSchema()));
      }
      out = out.and(t, tableRows);
    }
    return out;
  }
}
