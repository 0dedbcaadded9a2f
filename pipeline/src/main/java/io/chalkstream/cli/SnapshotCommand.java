package io.chalkstream.cli;

import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.history.DuckDbSink;
import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import io.chalkstream.history.TableRows;
import io.chalkstream.history.Warehouse;
import io.chalkstream.privacy.PiiPolicy;
import io.chalkstream.registration.CourseSelection;
import io.chalkstream.snapshot.SnapshotClassroom;
import io.chalkstream.stream.ChalkstreamOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * {@code ./chalkstream snapshot}: the current state of the chosen courses, one {@code SNAPSHOT}
 * change row per resource, written into the same change tables as the stream (a batch pipeline;
 * locally, or on Dataflow into BigQuery). With no Classroom endpoint or credentials given it reads
 * the simulated school kept beside the DuckDB file, the one {@code ./chalkstream stream} runs on.
 * Exits 1 when any list could not be read (its dead letter says which).
 */
final class SnapshotCommand {
  static final String USAGE = "usage: ./chalkstream snapshot [--courses=ALL|ID,ID] "
      + "[--name=value ...]\n\nWrites the current state of the chosen courses (students, "
      + "teachers, course work, submissions) as\nSNAPSHOT rows of the change tables, so the "
      + "views show everything from day one. With no\n--classroomRootUrl or credentials it reads "
      + "the simulated school of ./chalkstream stream.";

  /** The option interfaces snapshot uses, for its --help. */
  static final List<Class<?>> OPTIONS = List.of(io.chalkstream.classroom.ClassroomOptions.class,
      io.chalkstream.privacy.PrivacyOptions.class, io.chalkstream.history.BigQuerySinkOptions.class);

  /** Options that name a real Classroom: with none of them, the simulated school is read. */
  private static final List<String> REAL_CLASSROOM = List.of("classroomRootUrl",
      "classroomCredentialsFile", "classroomCredentialsSecret", "classroomDelegatedUser",
      "bigQueryDataset", "runner");

  private SnapshotCommand() {}

  /** Runs the command; {@code bigQuery} (Beam's fakes, for tests) in place of BigQuery. */
  static int run(String[] args, PrintStream out, @Nullable BigQueryServices bigQuery)
      throws Exception {
    ChalkstreamOptions options = Cli.parse(args, ChalkstreamOptions.class, "snapshot");
    try (Simulator.Served school = simulatedSchoolUnlessReal("snapshot", args, options, out)) {
      Instant at = Instant.now();
      Pipeline pipeline = Pipeline.create(options);
      SnapshotClassroom.Result snapshot =
          pipeline.apply("SnapshotClassroom", snapshot(options, at));
      rows(snapshot, options).apply("WriteSnapshot", Warehouse.of(options, bigQuery).writer());
      Map<String, Long> c = runToEnd(pipeline, options, out);
      if (c == null) {
        return 0;
      }
      long failed = c.getOrDefault("rows_written_dead_letters", 0L);
      out.println("Snapshot " + at + ": " + c.getOrDefault("snapshot_resources", 0L)
          + " resources (roster " + c.getOrDefault("rows_written_roster_changes", 0L)
          + ", course work " + c.getOrDefault("rows_written_coursework_changes", 0L)
          + ", submissions " + c.getOrDefault("rows_written_submission_changes", 0L) + "); "
          + c.getOrDefault("list_calls", 0L) + " list calls in "
          + c.getOrDefault("list_batch_requests", 0L) + " batch requests, "
          + c.getOrDefault("list_retries", 0L) + " retried; " + failed + " list(s) failed.");
      if (failed > 0) {
        out.println("Failed lists are in dead_letters (stage ENRICH, message_id snapshot/" + at
            + "/...); fix the cause and run the snapshot again.");
      }
      return failed == 0 ? 0 : 1;
    }
  }

  static SnapshotClassroom snapshot(ChalkstreamOptions options, Instant at) {
    return new SnapshotClassroom(ClassroomClientConfig.forSnapshots(options),
        RetryPolicy.from(options), CourseSelection.parse(options.getCourses(), true), at);
  }

  /** The snapshot's rows: changes as the stream writes them (personal data as configured). */
  static HistoryRows rows(SnapshotClassroom.Result snapshot, ChalkstreamOptions options) {
    return snapshot.changes()
        .apply("ToChangeRows", new TableRows.FromChanges(PiiPolicy.from(options)))
        .and(Table.DEAD_LETTERS, deadLetterRows(snapshot));
  }

  /** The snapshot's failed lists as {@code dead_letters} rows. */
  static PCollection<Row> deadLetterRows(SnapshotClassroom.Result snapshot) {
    return snapshot.deadLetters().apply("ToDeadLetterRows", new TableRows.FromDeadLetters());
  }

  /**
   * With none of {@link #REAL_CLASSROOM} given: serves the simulated school kept beside the
   * DuckDB file and points the options at it (no quota to protect, no credentials). Null when a
   * real Classroom is meant. Either way the options are checked for a batch run.
   */
  static Simulator.@Nullable Served simulatedSchoolUnlessReal(String command, String[] args,
      ChalkstreamOptions options, PrintStream out) throws java.io.IOException {
    Cli.checkRemote(options);
    options.as(StreamingOptions.class).setStreaming(false);
    boolean real = REAL_CLASSROOM.stream().anyMatch(o -> StreamCommand.given(args, o));
    if (real) {
      if (options.getBigQueryDataset() == null
          && ClassroomClientConfig.isLoopback(options.getClassroomRootUrl())) {
        Cli.withoutGoogleCredentials(options);
      }
      return null;
    }
    java.nio.file.Path file = StreamCommand.schoolFile(options);
    Simulator.Served server = Simulator.load(command).serve(file);
    options.setClassroomRootUrl(server.rootUrl());
    if (!StreamCommand.given(args, "maxCallsPerMinute")) {
      options.setMaxCallsPerMinute(0); // the simulator has no quota to protect
    }
    Cli.withoutGoogleCredentials(options);
    out.println("Reading the simulated school of " + file + " (no --classroomRootUrl or "
        + "credentials given).");
    return server;
  }

  /**
   * Runs a batch pipeline to its end and returns its counters; on Dataflow it only submits and
   * returns null.
   */
  static @Nullable Map<String, Long> runToEnd(Pipeline pipeline, ChalkstreamOptions options,
      PrintStream out) {
    try {
      PipelineResult result = pipeline.run();
      if (!Cli.isLocal(options)) {
        out.println("submitted: " + result.getState() + " (see the job in the Dataflow console)");
        return null;
      }
      result.waitUntilFinish();
      return LocalRun.counters(result);
    } finally {
      if (options.getBigQueryDataset() == null) {
        DuckDbSink.closeAll();
      }
    }
  }
}
