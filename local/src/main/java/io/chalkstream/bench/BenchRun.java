package io.chalkstream.bench;

import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.classroom.PagedLists;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.history.DuckDbSink;
import io.chalkstream.history.HistoryRows;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Counters;
import io.chalkstream.simulator.EmbeddedNotificationSource;
import io.chalkstream.simulator.NotificationChannel;
import io.chalkstream.simulator.Quotas;
import io.chalkstream.stream.ProcessNotifications;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * One run: a streaming pipeline on the DirectRunner reading a replay of a workload from the
 * embedded source, through the production transforms ({@link ProcessNotifications}, with or
 * without course lists) or the {@link NaiveEnricher}, into a sink, against the Classroom test
 * server. It ends when every message read has its row (or at its time limit) and measures what
 * {@link Result} holds.
 */
final class BenchRun {
  private static final String[] CHANGE_TABLES =
      {"roster_changes", "coursework_changes", "submission_changes"};

  /**
   * What a run measured. Calls, requests and quota refusals (429 {@code RESOURCE_EXHAUSTED}) are
   * counted by the test server; the coalescing minimum (distinct resources per pane) and the
   * course-list floors (pages of 1,000 and of 30, {@link PaneResources}) are -1 where the run has
   * no panes or no in-memory sink.
   */
  record Result(long notifications, long rows, double seconds, boolean cut, long calls,
      long requests, long quotaRefusals, long failedRows, long coalescingMinimum, long floor,
      long floorOf30, long maxCallsIn60s, double drainShare, long peakHeapBytes, long p50Millis,
      long p99Millis) {
    double perSecond() {
      return rows / Math.max(seconds, 1e-3);
    }
  }

  /**
   * Cancelling a DirectRunner run makes its driver log a SEVERE RejectedExecutionException for
   * timers it can no longer deliver: expected at the end of every run, so not shown.
   */
  private static final java.util.logging.Logger DRIVER_LOG =
      java.util.logging.Logger.getLogger("org.apache.beam.runners.direct.QuiescenceDriver");

  static {
    DRIVER_LOG.setLevel(java.util.logging.Level.OFF);
  }

  private final BenchOptions options;
  private final ClassroomSimulator server;
  private final Enricher enricher;
  private final int throttlePerMinute;
  private final Quotas quotas;

  /**
   * {@code throttlePerMinute} is the job's call budget, 0 for none; the test server holds the
   * run's calls to {@code quotas}.
   */
  BenchRun(BenchOptions options, ClassroomSimulator server, Enricher enricher,
      int throttlePerMinute, Quotas quotas) {
    this.options = options;
    this.server = server;
    this.enricher = enricher;
    this.throttlePerMinute = throttlePerMinute;
    this.quotas = quotas;
  }

  /**
   * Replays {@code workload} live (publish time = now, bursts at their offsets) into a running
   * pipeline; with {@code backlog} > 0, publishes that many messages (cycling the workload)
   * before the pipeline starts instead.
   */
  Result run(Workload workload, int backlog, long maxMillis) throws Exception {
    String runId = "bench-" + System.nanoTime();
    NotificationChannel channel = NotificationChannel.open(runId);
    Path duckDir = "duckdb".equals(options.getSink()) ? Files.createTempDirectory("bench") : null;
    HeapSampler heap = new HeapSampler();
    try {
      server.counters().reset();
      server.quotas(quotas); // empty windows: each run starts as after a quiet minute
      long total = backlog > 0 ? prePublish(channel, workload, backlog) : workload.size();
      Pipeline pipeline = pipeline(channel, runId, duckDir);
      System.gc();
      heap.start();
      PipelineResult result = pipeline.run();
      long t0;
      Thread feeder = null;
      if (backlog > 0) {
        channel.finish();
        t0 = System.currentTimeMillis();
      } else {
        Thread.sleep(300); // let the runner start its reader before the clock starts
        t0 = System.currentTimeMillis();
        feeder = feed(channel, workload, t0);
      }
      long end;
      long accounted;
      boolean cut = false;
      Map<String, Long> c;
      while (true) {
        Thread.sleep(20);
        c = counters(result);
        accounted = accounted(c);
        end = System.currentTimeMillis();
        if (accounted >= total) {
          break;
        }
        if (end - t0 > maxMillis) {
          cut = true;
          break;
        }
      }
      heap.stop();
      if (feeder != null) {
        feeder.interrupt();
        feeder.join();
      }
      channel.finish();
      result.cancel();
      long calls = server.counters().calls();
      boolean naive = enricher == Enricher.NAIVE;
      long minimum = naive ? -1 : c.getOrDefault("rows_ok", 0L)
          + c.getOrDefault("rows_not_found", 0L) + c.getOrDefault("rows_permission_denied", 0L)
          + c.getOrDefault("rows_failed", 0L) - c.getOrDefault("get_calls_saved_by_coalescing", 0L);
      PaneResources panes = PaneResources.named(runId);
      long floor = naive ? -1 : panes.floor(server.school(), PagedLists.PAGE_SIZE);
      long floorOf30 = naive ? -1 : panes.floor(server.school(), 30);
      long[] latency = duckDir == null ? quantiles(LatencyHistogram.named(runId))
          : quantiles(duckDir.resolve("bench.duckdb"));
      return new Result(total, accounted, (end - t0) / 1000.0, cut, calls,
          server.counters().requests(), server.counters().quotaRefusals(),
          c.getOrDefault("rows_failed", 0L), minimum, floor, floorOf30,
          server.counters().maxCallsInAnySpan(60_000), drainShare(server.counters()), heap.peak(),
          latency[0], latency[1]);
    } finally {
      heap.stop();
      LatencyHistogram.forget(runId);
      PaneResources.forget(runId);
      channel.close();
      if (duckDir != null) {
        try (var files = Files.walk(duckDir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private Pipeline pipeline(NotificationChannel channel, String runId, Path duckDir) {
    ClassroomOptions classroom = options.as(ClassroomOptions.class);
    classroom.setClassroomRootUrl(server.rootUrl());
    classroom.setMaxCallsPerMinute(throttlePerMinute);
    classroom.setCourseLevelFetch(enricher == Enricher.LISTS);
    options.as(StreamingOptions.class).setStreaming(true);
    options.setRunner(DirectRunner.class);
    options.as(DirectOptions.class).setBlockOnRun(false);
    options.as(GcpOptions.class).setCredentialFactoryClass(NoopCredentialFactory.class);
    Pipeline pipeline = Pipeline.create(options);
    PCollection<PubsubMessage> messages =
        pipeline.apply("ReadEmbeddedNotifications",
            Read.from(new EmbeddedNotificationSource(channel)));
    ClassroomClientConfig config = ClassroomClientConfig.forGets(classroom);
    HistoryRows rows = enricher == Enricher.NAIVE
        ? messages.apply("NaiveEnricher", new NaiveEnricher(config))
        : messages.apply("ProcessNotifications", new ProcessNotifications(
            Duration.standardSeconds(options.getWindowSeconds()), Duration.standardHours(48),
            config, RetryPolicy.from(classroom)));
    rows.apply("Write", duckDir == null ? new CountingSink(runId)
        : DuckDbSink.to(duckDir.resolve("bench.duckdb").toString()));
    return pipeline;
  }

  private static long prePublish(NotificationChannel channel, Workload workload, int messages) {
    long n = 0;
    while (n < messages) {
      for (Workload.Burst burst : workload.bursts()) {
        for (PubsubMessage m : burst.messages()) {
          if (n++ >= messages) {
            return messages;
          }
          channel.publish(m.getPayload(), m.getAttributeMap());
        }
      }
    }
    return n;
  }

  private static Thread feed(NotificationChannel channel, Workload workload, long t0) {
    Thread feeder = new Thread(() -> {
      try {
        for (Workload.Burst burst : workload.bursts()) {
          long wait = t0 + burst.offsetMillis() - System.currentTimeMillis();
          if (wait > 0) {
            Thread.sleep(wait);
          }
          for (PubsubMessage m : burst.messages()) {
            channel.publish(m.getPayload(), m.getAttributeMap());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "bench-feeder");
    feeder.setDaemon(true);
    feeder.start();
    return feeder;
  }

  /** Messages with their row: change rows plus PARSE/FILTER dead letters. */
  static long accounted(Map<String, Long> c) {
    long rows = c.getOrDefault("rows_written_dead_letters", 0L)
        + c.getOrDefault("rows_already_written_dead_letters", 0L)
        - c.getOrDefault("dead_letters_enrich", 0L);
    for (String table : CHANGE_TABLES) {
      rows += c.getOrDefault("rows_written_" + table, 0L)
          + c.getOrDefault("rows_already_written_" + table, 0L);
    }
    return rows;
  }

  static Map<String, Long> counters(PipelineResult result) {
    Map<String, Long> totals = new HashMap<>();
    for (MetricResult<Long> m : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.inNamespace("chalkstream")).build()).getCounters()) {
      totals.merge(m.getName().getName(), m.getAttempted(), Long::sum);
    }
    return totals;
  }

  /**
   * Calls per minute while the throttle drained, as a share of its limit: the busiest 60 s
   * span when the drain lasted a minute or more; else the calls charged between the first start
   * and the last (all but the last batch: a strict pace starts each batch one interval per call
   * of the previous ones later) over that time.
   */
  private double drainShare(Counters counters) {
    long[] t = counters.callTimesMillis();
    if (throttlePerMinute <= 0 || t.length < 2 || t[t.length - 1] == t[0]) {
      return Double.NaN;
    }
    long span = t[t.length - 1] - t[0];
    if (span >= 60_000) {
      return counters.maxCallsInAnySpan(60_000) / (double) throttlePerMinute;
    }
    int lastBatch = 0;
    while (lastBatch < t.length && t[t.length - 1] - t[t.length - 1 - lastBatch] < 25) {
      lastBatch++;
    }
    return (t.length - lastBatch) / (span / 60_000.0) / throttlePerMinute;
  }

  private static long[] quantiles(LatencyHistogram h) {
    return new long[] {h.quantile(0.5), h.quantile(0.99)};
  }

  private static long[] quantiles(Path file) throws SQLException {
    DuckDbSink.closeAll();
    String union = String.join(" UNION ALL ", java.util.Arrays.stream(CHANGE_TABLES)
        .map(t -> "SELECT epoch_ms(ingested_at) - epoch_ms(publish_time) AS ms FROM " + t)
        .toList());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT quantile_disc(ms, 0.5), quantile_disc(ms, 0.99) "
            + "FROM (" + union + ")")) {
      r.next();
      return new long[] {r.getLong(1), r.getLong(2)};
    }
  }

  /** Samples the used heap every 20 ms. */
  private static final class HeapSampler {
    private final AtomicLong peak = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    void start() {
      running = true;
      thread = new Thread(() -> {
        while (running) {
          peak.accumulateAndGet(
              ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-heap");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() {
      running = false;
    }

    long peak() {
      return peak.get();
    }
  }
}
