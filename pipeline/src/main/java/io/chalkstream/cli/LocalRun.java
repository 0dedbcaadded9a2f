package io.chalkstream.cli;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * Watches a local (DirectRunner) run: prints a progress line every few seconds from the pipeline's
 * counters and decides when to stop. The stop rule is "every message read has its row" (change
 * rows plus PARSE/FILTER dead letters written equal messages read), never "the windows closed":
 * the Pub/Sub reader on the DirectRunner may hold its watermark forever.
 */
final class LocalRun {
  static final String NS = "chalkstream";
  private static final long PROGRESS_MILLIS = 3_000;

  private final PipelineResult result;
  private final PrintStream out;
  private final long startedAt = System.currentTimeMillis();
  private volatile boolean stopRequested;
  private final CountDownLatch finished = new CountDownLatch(1);

  LocalRun(PipelineResult result, PrintStream out) {
    this.result = result;
    this.out = out;
  }

  /** Counter totals by name in the chalkstream namespace (attempted: the run is still going). */
  Map<String, Long> counters() {
    return counters(result);
  }

  /** Counter totals by name of any run, in the chalkstream namespace. */
  static Map<String, Long> counters(PipelineResult result) {
    MetricQueryResults metrics = result.metrics().queryMetrics(
        MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(NS)).build());
    Map<String, Long> totals = new HashMap<>();
    for (MetricResult<Long> c : metrics.getCounters()) {
      totals.merge(c.getName().getName(), c.getAttempted(), Long::sum);
    }
    return totals;
  }

  /** Rows of {@code table} in the sink, counting redelivered rows that were already there. */
  static long durable(Map<String, Long> c, String table) {
    return c.getOrDefault("rows_written_" + table, 0L)
        + c.getOrDefault("rows_already_written_" + table, 0L);
  }

  /**
   * Every message read has its change row or its PARSE/FILTER dead letter in the sink, and every
   * renewal attempt its registrations row.
   */
  static boolean everyMessageHasItsRow(Map<String, Long> c) {
    long read = c.getOrDefault("messages_read", 0L);
    long accounted = durable(c, "roster_changes") + durable(c, "coursework_changes")
        + durable(c, "submission_changes") + durable(c, "dead_letters")
        - c.getOrDefault("dead_letters_enrich", 0L);
    long renewals = c.getOrDefault("registrations_ok", 0L)
        + c.getOrDefault("registrations_failed", 0L);
    return accounted >= read && durable(c, "registrations") >= renewals;
  }

  String progressLine(Map<String, Long> c) {
    double seconds = Math.max(1, (System.currentTimeMillis() - startedAt) / 1000.0);
    long calls = c.getOrDefault("get_calls", 0L);
    return String.format(
        "[%4.0fs] messages %d | roster %d, coursework %d, submissions %d | dead letters %d | "
            + "get calls %d (%d saved by coalescing, %d batches) | %.1f calls/s",
        seconds, c.getOrDefault("messages_read", 0L),
        c.getOrDefault("rows_written_roster_changes", 0L),
        c.getOrDefault("rows_written_coursework_changes", 0L),
        c.getOrDefault("rows_written_submission_changes", 0L),
        c.getOrDefault("rows_written_dead_letters", 0L), calls,
        c.getOrDefault("get_calls_saved_by_coalescing", 0L),
        c.getOrDefault("batch_requests", 0L), calls / seconds);
  }

  /** Ctrl-C or SIGTERM: ask the loop to drain and stop, and wait for it (bounded). */
  void installShutdownHook(Runnable onStopRequested) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopRequested = true;
      onStopRequested.run();
      try {
        finished.await(5, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "chalkstream-graceful-stop"));
  }

  boolean stopRequested() {
    return stopRequested;
  }

  /** Marks the run as fully wound down (database closed): the shutdown hook may return. */
  void markFinished() {
    finished.countDown();
  }

  /**
   * Runs until the pipeline finishes by itself, or {@code shouldStop} says so and every message
   * read has its row (then cancels). Returns the last counters.
   */
  Map<String, Long> await(BooleanSupplier shouldStop, long drainTimeoutMillis) throws Exception {
    long lastPrint = 0;
    long stopSince = -1;
    while (true) {
      PipelineResult.State state = result.waitUntilFinish(org.joda.time.Duration.millis(500));
      Map<String, Long> c = counters();
      if (state != null && state.isTerminal()) {
        if (state != PipelineResult.State.DONE) {
          throw new IllegalStateException("the pipeline ended in state " + state);
        }
        out.println(progressLine(c));
        return c;
      }
      long now = System.currentTimeMillis();
      if (now - lastPrint >= PROGRESS_MILLIS) {
        out.println(progressLine(c));
        lastPrint = now;
      }
      if (shouldStop.getAsBoolean()) {
        if (stopSince < 0) {
          stopSince = now;
        }
        if (everyMessageHasItsRow(c) || now - stopSince > drainTimeoutMillis) {
          if (!everyMessageHasItsRow(c)) {
            out.println("warning: gave up waiting after " + drainTimeoutMillis / 1000
                + " s: some messages read have no row yet (see the counts below)");
          }
          result.cancel();
          out.println(progressLine(c));
          return c;
        }
      } else {
        stopSince = -1;
      }
    }
  }
}
