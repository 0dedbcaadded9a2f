package io.chalkstream.pipeline;

import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.ReplayOptions;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.enrich.ClassroomClientConfig;
import io.chalkstream.sink.DuckDbSink;
import io.chalkstream.sink.TableRows;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * {@code ./chalkstream replay}: sends the original messages of unresolved dead letters (a stage and
 * a time range) through the same transforms as the stream again, once their cause is fixed, as a
 * batch pipeline on this machine. Every row it writes carries the replay's start in
 * {@code replayed_at}. Only unresolved dead letters are read, so a second replay sends only what
 * failed again. Exits 1 when any message failed again.
 */
final class ReplayCommand {
  static final String USAGE = "usage: ./chalkstream replay [--stage=ENRICH|PARSE|FILTER] "
      + "[--since=T] [--until=T] [--name=value ...]\n\nSends the original messages of the "
      + "unresolved dead letters of one stage in --duckdbPath through the\npipeline again, once "
      + "the cause is fixed; rows it writes carry replayed_at. Give it the\nsame --piiMode and "
      + "key as the stream that wrote the file.";

  /** The option interfaces replay uses, for its --help. */
  static final List<Class<?>> OPTIONS = List.of(ReplayOptions.class,
      io.chalkstream.enrich.ClassroomOptions.class, io.chalkstream.privacy.PrivacyOptions.class);

  /** Replay's options: the stream's (Classroom, privacy, window) and which dead letters. */
  public interface Options extends ChalkstreamOptions, ReplayOptions {}

  private ReplayCommand() {}

  static int run(String[] args, PrintStream out) throws Exception {
    Options options = Cli.parse(args, Options.class, "replay");
    if (!Cli.isLocal(options)) {
      throw new IllegalArgumentException("replay runs on this machine (--runner is not for it)");
    }
    if (options.getBigQueryDataset() != null) {
      throw new IllegalArgumentException("replay reads the dead letters of a local DuckDB file "
          + "(--duckdbPath); reading them from BigQuery is not built yet");
    }
    Stage stage = ReplayOptions.stage(options);
    Instant started = Instant.now();
    long since = ReplayOptions.instant("since", options.getSince(), 0L);
    long until = ReplayOptions.instant("until", options.getUntil(), started.getMillis());
    if (since >= until) {
      throw new IllegalArgumentException("--since=" + new Instant(since) + " is not before --until="
          + new Instant(until) + "; nothing could match");
    }
    if (!Files.isRegularFile(Path.of(options.getDuckdbPath()))) {
      throw new IllegalArgumentException("--duckdbPath=" + options.getDuckdbPath() + ": no such "
          + "file, so no dead letters to replay; name the file the stream wrote");
    }
    DuckDbSink sink = DuckDbSink.to(options.getDuckdbPath());
    try {
      List<DeadLetter> letters =
          DuckDbSink.unresolvedDeadLetters(options.getDuckdbPath(), stage, since, until);
      out.println("Replaying " + letters.size() + " unresolved " + stage + " dead letter(s) of "
          + options.getDuckdbPath() + " that failed from " + new Instant(since) + " to "
          + new Instant(until) + "; their rows get replayed_at " + started + ".");
      if (letters.isEmpty()) {
        return 0;
      }
      PipelineResult result = replay(options, letters, started, sink);
      return report(LocalRun.counters(result), letters.size(), options, started, out);
    } finally {
      DuckDbSink.closeAll();
    }
  }

  private static PipelineResult replay(Options options, List<DeadLetter> letters, Instant started,
      DuckDbSink sink) {
    options.as(StreamingOptions.class).setStreaming(false);
    if (ClassroomClientConfig.isLoopback(options.getClassroomRootUrl())) {
      Cli.withoutGoogleCredentials(options);
    }
    List<TimestampedValue<PubsubMessage>> messages = new ArrayList<>();
    for (DeadLetter d : letters) {
      // The publish time is the element timestamp, as PubsubIO gives it, so rows keep theirs.
      long publishTime = d.publishTimeMillis() != null ? d.publishTimeMillis() : d.failedAtMillis();
      messages.add(TimestampedValue.of(
          new PubsubMessage(d.payload(), d.attributes(), d.messageId()), new Instant(publishTime)));
    }
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("UnresolvedDeadLetters", Create.timestamped(messages)
            .withCoder(PubsubMessageWithAttributesAndMessageIdCoder.of()))
        // The dead letters are one per message already; no redelivery to drop.
        .apply("ProcessNotifications",
            ProcessNotifications.from(options).withDedupe(Duration.ZERO))
        .apply("MarkReplayed", new TableRows.MarkReplayed(started))
        .apply("WriteHistory", sink);
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }

  private static int report(Map<String, Long> c, int replayed, Options options, Instant started,
      PrintStream out) {
    long failedAgain = c.getOrDefault("rows_written_dead_letters", 0L);
    out.println("Replayed " + replayed + " message(s): OK " + c.getOrDefault("rows_ok", 0L)
        + ", NOT_FOUND " + c.getOrDefault("rows_not_found", 0L) + ", PERMISSION_DENIED "
        + c.getOrDefault("rows_permission_denied", 0L) + ", SKIPPED "
        + c.getOrDefault("rows_skipped", 0L) + "; failed again: " + failedAgain + " (parse "
        + c.getOrDefault("dead_letters_parse", 0L) + ", enrich "
        + c.getOrDefault("dead_letters_enrich", 0L) + ").");
    String db = " --duckdbPath=" + options.getDuckdbPath();
    String at = "replayed_at = " + Cli.sqlTimestamp(started);
    out.println("Rows of this replay:");
    out.println("  ./chalkstream query" + db + " \"SELECT enrichment_status, count(*) FROM "
        + "roster_changes WHERE " + at + " GROUP BY 1\"");
    if (failedAgain > 0) {
      out.println("  ./chalkstream query" + db + " \"SELECT stage, message_id, error FROM "
          + "dead_letters WHERE " + at + "\"");
      out.println("Fix the cause and run the same replay again: it sends only what is still "
          + "unresolved.");
    }
    return failedAgain == 0 ? 0 : 1;
  }
}
