package io.chalkstream.cli;

import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.history.DuckDbSink;
import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import io.chalkstream.history.Warehouse;
import io.chalkstream.registration.RegistrationOptions;
import io.chalkstream.registration.RenewRegistrations;
import io.chalkstream.stream.ChalkstreamOptions;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * {@code ./chalkstream renew}: one renewal pass as a small batch pipeline on the DirectRunner,
 * its attempts written to the {@code registrations} table (DuckDB or BigQuery); for cron or
 * Cloud Scheduler. Exits 1 when any attempt failed, after saying what to do about it.
 */
final class RenewCommand {
  static final String USAGE = "usage: ./chalkstream renew --registrationTopic=projects/P/topics/T "
      + "[--name=value ...]\n\nRuns one pass of registration renewal: registrations.create for "
      + "every desired feed, each attempt a row\nof the registrations table in --duckdbPath or "
      + "--bigQueryDataset.";

  /** The option interfaces renew uses, for its --help. */
  static final List<Class<?>> OPTIONS = List.of(RegistrationOptions.class,
      io.chalkstream.classroom.ClassroomOptions.class, io.chalkstream.history.BigQuerySinkOptions.class);

  private RenewCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    ChalkstreamOptions options = Cli.parse(args, ChalkstreamOptions.class, "renew");
    if (!Cli.isLocal(options)) {
      throw new IllegalArgumentException("renew runs on this machine (--runner is not for it); "
          + "on Dataflow, --renewRegistrations=true renews inside the streaming job");
    }
    RenewRegistrations renewal = RenewRegistrations.from(options).renewingEveryFeed();
    Warehouse history = Warehouse.of(options, null);
    options.as(StreamingOptions.class).setStreaming(false);
    if (options.getBigQueryDataset() == null
        && ClassroomClientConfig.isLoopback(options.getClassroomRootUrl())) {
      Cli.withoutGoogleCredentials(options);
    }
    Instant started = Instant.now();
    Pipeline pipeline = Pipeline.create(options);
    PCollection<Row> rows = pipeline
        .apply("Tick", Create.of(started).withCoder(InstantCoder.of()))
        .apply("RenewRegistrations", renewal)
        .rows();
    HistoryRows.of(Table.REGISTRATIONS, rows).apply("WriteRegistrations", history.writer());
    Map<String, Long> c = SnapshotCommand.runToEnd(pipeline, options, out);
    long ok = c.getOrDefault("registrations_ok", 0L);
    long failed = c.getOrDefault("registrations_failed", 0L);
    out.println("Renewal pass: " + ok + " registration(s) OK, " + failed + " failed; "
        + c.getOrDefault("registration_calls", 0L) + " registrations.create calls in "
        + c.getOrDefault("registration_batch_requests", 0L) + " batch requests, "
        + c.getOrDefault("registration_retries", 0L) + " retried.");
    if (options.getBigQueryDataset() == null) {
      printFailures(options.getDuckdbPath(), started, err);
      out.println("Rows: ./chalkstream query --duckdbPath=" + options.getDuckdbPath()
          + " \"SELECT * FROM registrations ORDER BY attempted_at DESC LIMIT 20\"");
    } else {
      out.println("Rows are in " + options.getBigQueryDataset() + ".registrations.");
    }
    return failed == 0 ? 0 : 1;
  }

  private static void printFailures(String path, Instant since, PrintStream err)
      throws SQLException {
    List<String> errors = DuckDbSink.registrationErrorsSince(path, since.getMillis());
    for (String error : errors) {
      err.println("FAILED: " + error);
    }
  }
}
