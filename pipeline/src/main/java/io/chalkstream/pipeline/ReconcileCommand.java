package io.chalkstream.pipeline;

import io.chalkstream.local.ClassroomTestServer;
import io.chalkstream.privacy.PiiMode;
import io.chalkstream.query.Views;
import io.chalkstream.sink.DuckDbSink;
import io.chalkstream.sink.Table;
import io.chalkstream.sink.TableRows;
import io.chalkstream.snapshot.Drift;
import io.chalkstream.snapshot.ReconcileWithHistory;
import io.chalkstream.snapshot.SnapshotClassroom;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.joda.time.Instant;

/**
 * {@code ./chalkstream reconcile}: takes a fresh snapshot and compares it with the state the
 * history tables give (the {@code *_current} views); every difference is a row of
 * {@code reconciliation}, and {@code --repair} writes the snapshot rows that bring the history in
 * line. A rising count means notifications are being missed (a lapsed registration, a revoked
 * grant). Exits 0 when the comparison was complete, whatever it found; 1 when a list could not
 * be read.
 */
final class ReconcileCommand {
  static final String USAGE = "usage: ./chalkstream reconcile [--repair] [--courses=ALL|ID,ID] "
      + "[--name=value ...]\n\nCompares a fresh snapshot of Classroom with the history in "
      + "--duckdbPath (the *_current views),\nwrites each difference to the reconciliation table "
      + "and, with --repair, the SNAPSHOT rows\nthat make the history whole. With no "
      + "--classroomRootUrl or credentials it reads the simulated\nschool of ./chalkstream stream.";

  /** The option interfaces reconcile uses, for its --help. */
  static final List<Class<?>> OPTIONS = List.of(Options.class,
      io.chalkstream.enrich.ClassroomOptions.class, io.chalkstream.privacy.PrivacyOptions.class);

  /** Reconcile's own option, beside the stream's. */
  public interface Options extends ChalkstreamOptions {
    @Description("Also write, for each difference, the SNAPSHOT change row that brings the "
        + "history in line (Classroom's current state, or NOT_FOUND for what is gone), so the next "
        + "reconcile is clean.")
    @Default.Boolean(false)
    Boolean getRepair();

    void setRepair(Boolean value);
  }

  private ReconcileCommand() {}

  static int run(String[] args, PrintStream out) throws Exception {
    Options options = Cli.parse(args, Options.class, "reconcile");
    if (options.getBigQueryDataset() != null) {
      throw new IllegalArgumentException("reconcile reads the history of a local DuckDB file "
          + "(--duckdbPath); reading it from BigQuery is not built yet");
    }
    if (options.getPiiMode() == PiiMode.DROP) {
      throw new IllegalArgumentException("--piiMode=DROP leaves user ids null, so roster "
          + "changes cannot be matched with Classroom; reconcile with HASH or KEEP");
    }
    if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(options.getDuckdbPath()))) {
      throw new IllegalArgumentException("--duckdbPath=" + options.getDuckdbPath() + ": no such "
          + "file, so no history to reconcile; name the file the stream wrote");
    }
    try (ClassroomTestServer school =
        SnapshotCommand.simulatedSchoolUnlessReal(args, options, out)) {
      Instant at = Instant.now();
      boolean repair = Boolean.TRUE.equals(options.getRepair());
      var sink = SnapshotCommand.sink(options);
      ReconcileWithHistory.History history = history(options.getDuckdbPath());
      Pipeline pipeline = Pipeline.create(options);
      PCollectionTuple snapshot = pipeline.apply("SnapshotClassroom",
          SnapshotCommand.snapshot(options, at));
      PCollectionTuple rows = SnapshotCommand.rows(snapshot, options);
      PCollectionTuple compared = rows
          .and(SnapshotClassroom.READ, snapshot.get(SnapshotClassroom.READ))
          .apply("ReconcileWithHistory", new ReconcileWithHistory(history, at, repair));
      compared.and(TableRows.tag(Table.DEAD_LETTERS), rows.get(TableRows.tag(Table.DEAD_LETTERS)))
          .apply("WriteReconciliation", sink);
      Map<String, Long> c = SnapshotCommand.runToEnd(pipeline, options, out);
      return report(c, options, at, repair, out);
    }
  }

  /** The history's current state: the {@code *_current} views of the DuckDB file at {@code path}. */
  private static ReconcileWithHistory.History history(String path) {
    return table -> DuckDbSink.query(path, Views.sql(Drift.currentView(table), "")).stream()
        .map(row -> Drift.of(table, row)).toList();
  }

  private static int report(Map<String, Long> c, Options options, Instant at, boolean repair,
      PrintStream out) {
    long found = c.getOrDefault("reconciliation_differences", 0L);
    long failed = c.getOrDefault("rows_written_dead_letters", 0L);
    out.println("Reconciled " + c.getOrDefault("snapshot_resources", 0L) + " resources of "
        + "Classroom with the history at " + at + ": " + found + " difference(s) (missing in "
        + "history " + c.getOrDefault("reconciliation_missing_in_history", 0L) + ", gone in "
        + "Classroom " + c.getOrDefault("reconciliation_gone_in_classroom", 0L) + ", state differs "
        + c.getOrDefault("reconciliation_state_differs", 0L) + ")"
        + (repair ? "; " + c.getOrDefault("reconciliation_repaired", 0L) + " repaired" : "")
        + "; " + c.getOrDefault("list_calls", 0L) + " list calls.");
    if (failed > 0) {
      out.println(failed + " list(s) could not be read (dead_letters, message_id snapshot/" + at
          + "/...): the comparison left them out; run reconcile again once they can be read.");
    }
    if (found > 0) {
      String checked = "checked_at = " + Cli.sqlTimestamp(at);
      out.println("  ./chalkstream query --duckdbPath=" + options.getDuckdbPath()
          + " \"SELECT kind, collection, course_id, history_value, classroom_value FROM "
          + "reconciliation WHERE " + checked + "\"");
      if (!repair) {
        out.println("Notifications were missed (a lapsed registration or a revoked grant?); "
            + "--repair writes the current state into the history.");
      }
    }
    return failed == 0 ? 0 : 1;
  }
}
