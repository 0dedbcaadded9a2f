package io.chalkstream.cli;

import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.DeadLetterCoder;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.history.Views;
import io.chalkstream.history.Warehouse;
import io.chalkstream.replay.MarkReplayed;
import io.chalkstream.replay.ReplayOptions;
import io.chalkstream.replay.UnresolvedDeadLetters;
import io.chalkstream.stream.ChalkstreamOptions;
import io.chalkstream.stream.ProcessNotifications;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * {@code ./chalkstream replay}: sends the original messages of unresolved dead letters (a stage and
 * a time range) through the same transforms as the stream again, once their cause is fixed, as a
 * batch pipeline. Every row it writes carries the replay's start in
 * {@code replayed_at}. Only unresolved dead letters are read, so a second replay sends only what
 * failed again. Reads and writes the DuckDB file, or BigQuery (also as a Dataflow job). Exits 1
 * when any message failed again.
 */
final class ReplayCommand {
  static final String USAGE = "usage: ./chalkstream replay [--stage=ENRICH|PARSE|FILTER] "
      + "[--since=T] [--until=T] [--name=value ...]\n\nSends the original messages of the "
      + "unresolved dead letters of one stage in --duckdbPath\n(or --bigQueryDataset) through the "
      + "pipeline again, once the cause is fixed; rows it writes\ncarry replayed_at. Give it the "
      + "same --piiMode and key as the stream that wrote them.";

  /** The option interfaces replay uses, for its --help. */
  static final List<Class<?>> OPTIONS = List.of(ReplayOptions.class,
      io.chalkstream.classroom.ClassroomOptions.class, io.chalkstream.privacy.PrivacyOptions.class,
      io.chalkstream.history.BigQuerySinkOptions.class);

  /** Replay's options: the stream's (Classroom, privacy, window) and which dead letters. */
  public interface Options extends ChalkstreamOptions, ReplayOptions {}

  private ReplayCommand() {}

  /** Runs the command; {@code bigQuery} (Beam's fakes, for tests) in place of BigQuery. */
  static int run(String[] args, PrintStream out, @Nullable BigQueryServices bigQuery)
      throws Exception {
    Options options = Cli.parse(args, Options.class, "replay");
    Stage stage = ReplayOptions.stage(options);
    Instant started = Instant.now();
    long since = ReplayOptions.instant("since", options.getSince(), 0L);
    long until = ReplayOptions.instant("until", options.getUntil(), started.getMillis());
    if (since >= until) {
      throw new IllegalArgumentException("--since=" + new Instant(since) + " is not before --until="
          + new Instant(until) + "; nothing could match");
    }
    Cli.checkRemote(options);
    Warehouse warehouse = Warehouse.of(options, bigQuery);
    warehouse.requireExisting("dead letters to replay");
    options.as(StreamingOptions.class).setStreaming(false);
    if (options.getBigQueryDataset() == null
        && ClassroomClientConfig.isLoopback(options.getClassroomRootUrl())) {
      Cli.withoutGoogleCredentials(options);
    }
    out.println("Replaying the unresolved " + stage + " dead letters of " + warehouse.describe()
        + " that failed from " + new Instant(since) + " to " + new Instant(until)
        + "; their rows get replayed_at " + started + ".");
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("UnresolvedDeadLetters", warehouse.read(
            UnresolvedDeadLetters.sql(stage, new Instant(since), new Instant(until)),
            UnresolvedDeadLetters.parse(stage), DeadLetterCoder.of()))
        .apply("OriginalMessages", new OriginalMessages())
        // The dead letters are one per message already; no redelivery to drop.
        .apply("ProcessNotifications",
            ProcessNotifications.from(options).withDedupe(Duration.ZERO))
        .apply("MarkReplayed", new MarkReplayed(started))
        .apply("WriteHistory", warehouse.writer());
    Map<String, Long> counters = SnapshotCommand.runToEnd(pipeline, options, out);
    return counters == null ? 0 : report(counters, warehouse, started, out);
  }

  /**
   * The message each dead letter keeps: its bytes, attributes and id, at its publish time (the
   * element timestamp PubsubIO gives), so its rows keep theirs and window as they did.
   */
  static final class OriginalMessages
      extends PTransform<PCollection<DeadLetter>, PCollection<PubsubMessage>> {
    @Override
    public PCollection<PubsubMessage> expand(PCollection<DeadLetter> letters) {
      return letters.apply("AtPublishTime", ParDo.of(new AtPublishTimeFn()))
          .setCoder(PubsubMessageWithAttributesAndMessageIdCoder.of());
    }
  }

  /** Read rows carry the earliest timestamp, so moving each to its publish time is forward. */
  static final class AtPublishTimeFn extends DoFn<DeadLetter, PubsubMessage> {
    private final Counter replayed = Metrics.counter("chalkstream", "replay_messages");

    @ProcessElement
    public void process(@Element DeadLetter d, OutputReceiver<PubsubMessage> out) {
      replayed.inc();
      long at = d.publishTimeMillis() != null ? d.publishTimeMillis() : d.failedAtMillis();
      out.outputWithTimestamp(new PubsubMessage(d.payload(), d.attributes(), d.messageId()),
          new Instant(at));
    }
  }

  private static int report(Map<String, Long> c, Warehouse warehouse, Instant started,
      PrintStream out) {
    long failedAgain = c.getOrDefault("rows_written_dead_letters", 0L);
    out.println("Replayed " + c.getOrDefault("replay_messages", 0L) + " message(s): OK "
        + c.getOrDefault("rows_ok", 0L) + ", NOT_FOUND " + c.getOrDefault("rows_not_found", 0L)
        + ", PERMISSION_DENIED " + c.getOrDefault("rows_permission_denied", 0L) + ", SKIPPED "
        + c.getOrDefault("rows_skipped", 0L) + "; failed again: " + failedAgain + " (parse "
        + c.getOrDefault("dead_letters_parse", 0L) + ", enrich "
        + c.getOrDefault("dead_letters_enrich", 0L) + ").");
    if (c.getOrDefault("replay_messages", 0L) == 0) {
      return 0;
    }
    String at = "replayed_at = " + Views.timestamp(started);
    out.println("Rows of this replay:");
    out.println("  " + warehouse.howToQuery("SELECT enrichment_status, count(*) FROM "
        + "roster_changes WHERE " + at + " GROUP BY 1"));
    if (failedAgain > 0) {
      out.println("  " + warehouse.howToQuery("SELECT stage, message_id, error FROM "
          + "dead_letters WHERE " + at));
      out.println("Fix the cause and run the same replay again: it sends only what is still "
          + "unresolved.");
    }
    return failedAgain == 0 ? 0 : 1;
  }
}
