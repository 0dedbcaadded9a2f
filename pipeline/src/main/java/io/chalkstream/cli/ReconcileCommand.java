package io.chalkstream.cli;

import io.chalkstream.history.Table;
import io.chalkstream.history.Views;
import io.chalkstream.history.Warehouse;
import io.chalkstream.privacy.PiiMode;
import io.chalkstream.privacy.PiiPolicy;
import io.chalkstream.snapshot.Drift;
import io.chalkstream.snapshot.DriftCoder;
import io.chalkstream.snapshot.ReconcileWithHistory;
import io.chalkstream.snapshot.SnapshotClassroom;
import io.chalkstream.stream.ChalkstreamOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.checkerframework.checker.nullness.qual.Nullable;
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
      + "--duckdbPath or --bigQueryDataset\n(the *_current views), writes each difference to the "
      + "reconciliation table and, with\n--repair, the SNAPSHOT rows that make the history whole. "
      + "With no --classroomRootUrl or\ncredentials it reads the simulated school of "
      + "./chalkstream stream.";

  /** The option interfaces reconcile uses, for its --help. */
  static final List<Class<?>> OPTIONS = List.of(Options.class,
      io.chalkstream.classroom.ClassroomOptions.class, io.chalkstream.privacy.PrivacyOptions.class,
      io.chalkstream.history.BigQuerySinkOptions.class);

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

  /** Runs the command; {@code bigQuery} (Beam's fakes, for tests) in place of BigQuery. */
  static int run(String[] args, PrintStream out, @Nullable BigQueryServices bigQuery)
      throws Exception {
    Options options = Cli.parse(args, Options.class, "reconcile");
    if (options.getPiiMode() == PiiMode.DROP) {
      throw new IllegalArgumentException("--piiMode=DROP leaves user ids null, so roster "
          + "changes cannot be matched with Classroom; reconcile with HASH or KEEP");
    }
    Warehouse warehouse = Warehouse.of(options, bigQuery);
    warehouse.requireExisting("history to reconcile");
    try (Simulator.Served school =
        SnapshotCommand.simulatedSchoolUnlessReal("reconcile", args, options, out)) {
      Instant at = Instant.now();
      boolean repair = Boolean.TRUE.equals(options.getRepair());
      Pipeline pipeline = Pipeline.create(options);
      SnapshotClassroom.Result snapshot = pipeline.apply("SnapshotClassroom",
          SnapshotCommand.snapshot(options, at));
      snapshot.apply("ReconcileWithHistory",
              new ReconcileWithHistory(history(warehouse), at, repair, PiiPolicy.from(options)))
          .and(Table.DEAD_LETTERS, SnapshotCommand.deadLetterRows(snapshot))
          .apply("WriteReconciliation", warehouse.writer());
      Map<String, Long> c = SnapshotCommand.runToEnd(pipeline, options, out);
      return c == null ? 0 : report(c, warehouse, at, repair, out);
    }
  }

  /** The history's current state: the {@code *_current} views, on DuckDB or BigQuery. */
  private static ReconcileWithHistory.History history(Warehouse warehouse) {
    return table -> warehouse.read(Views.template(Drift.currentView(table)),
        row -> Drift.of(table, row), DriftCoder.of());
  }

  private static int report(Map<String, Long> c, Warehouse warehouse, Instant at,
      boolean repair, PrintStream out) {
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
      out.println("  " + warehouse.howToQuery("SELECT kind, collection, course_id, history_value, "
          + "classroom_value FROM reconciliation WHERE checked_at = " + Views.timestamp(at)));
      if (!repair) {
        out.println("Notifications were missed (a lapsed registration or a revoked grant?); "
            + "--repair writes the current state into the history.");
      }
    }
    return failed == 0 ? 0 : 1;
  }
}
