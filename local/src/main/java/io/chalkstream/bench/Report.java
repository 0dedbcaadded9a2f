package io.chalkstream.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Formats the benchmark's figures: one line per run, then Markdown tables of medians and ratios. */
final class Report {
  private Report() {}

  static String line(BenchRun.Result r) {
    return String.format(Locale.ROOT, "%d/%d rows in %.1f s%s = %.0f/s | %d get calls (minimum %s)"
            + " in %d HTTP requests | max %d calls in 60 s, drain %s | heap %d MiB | "
            + "p50 %d ms, p99 %d ms", r.rows(), r.notifications(), r.seconds(),
        r.cut() ? " (cut)" : "", r.perSecond(), r.calls(),
        r.coalescingMinimum() < 0 ? "-" : String.valueOf(r.coalescingMinimum()), r.requests(),
        r.maxCallsIn60s(), pct(r.drainShare()), r.peakHeapBytes() >> 20, r.p50Millis(),
        r.p99Millis());
  }

  static void print(PrintStream out, List<BenchCommand.Outcome> outcomes, BenchOptions options) {
    if (outcomes.isEmpty()) {
      return;
    }
    out.println();
    out.println("Medians of " + options.getRepetitions() + " run(s). Calls and HTTP requests are "
        + "counted by the test server; the coalescing minimum is the distinct resources per pane.");
    out.println();
    out.println("| scenario | enricher | notifications | notifications/s | get calls / notification"
        + " | coalescing minimum / notification | HTTP requests / get call | max calls in a 60 s "
        + "span | drain, % of throttle | peak heap MiB | publish-to-row p50 / p99 ms |");
    out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (BenchCommand.Outcome o : outcomes) {
      row(out, o, "production", o.coalescing(), o.coalescing());
      row(out, o, "naive", o.naive(), o.coalescing());
    }
    out.println();
    out.println("Ratios to the naive enricher, taken within each run pair, median:");
    out.println();
    out.println("| scenario | throughput x | get calls / naive | HTTP requests / naive | peak heap "
        + "/ naive | p50 / naive |");
    out.println("|---|---:|---:|---:|---:|---:|");
    for (BenchCommand.Outcome o : outcomes) {
      out.printf(Locale.ROOT, "| %s | %.1f | %.3f | %.4f | %.2f | %.2f |%n", o.scenario().id,
          ratio(o, BenchRun.Result::perSecond), ratio(o, r -> perNotification(r, r.calls())),
          ratio(o, r -> perNotification(r, r.requests())),
          ratio(o, r -> (double) r.peakHeapBytes()), ratio(o, r -> (double) r.p50Millis()));
    }
  }

  private static void row(PrintStream out, BenchCommand.Outcome o, String enricher,
      List<BenchRun.Result> runs, List<BenchRun.Result> production) {
    double minimum = BenchCommand.median(production,
        r -> perNotification(r, r.coalescingMinimum()));
    boolean cut = runs.stream().anyMatch(BenchRun.Result::cut);
    out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f%s | %.3f | %.3f | %.3f | %s | %s | %.0f | "
            + "%.0f / %.0f |%n", o.scenario().id, enricher,
        BenchCommand.median(runs, r -> r.notifications()),
        BenchCommand.median(runs, BenchRun.Result::perSecond), cut ? " (cut)" : "",
        BenchCommand.median(runs, r -> perNotification(r, r.calls())), minimum,
        BenchCommand.median(runs, r -> r.requests() / (double) Math.max(1, r.calls())),
        o.throttle() == 0 ? "-" : String.format(Locale.ROOT, "%.0f",
            BenchCommand.median(runs, r -> r.maxCallsIn60s())),
        o.scenario() == Scenario.THROTTLE_DRAIN
            ? pct(BenchCommand.median(runs, BenchRun.Result::drainShare)) : "-",
        BenchCommand.median(runs, r -> r.peakHeapBytes() >> 20),
        BenchCommand.median(runs, r -> r.p50Millis() < 0 ? Double.NaN : r.p50Millis()),
        BenchCommand.median(runs, r -> r.p99Millis() < 0 ? Double.NaN : r.p99Millis()));
  }

  /** Calls or requests per notification that has its row (a cut run counts what it did). */
  private static double perNotification(BenchRun.Result r, long count) {
    return r.rows() == 0 ? Double.NaN : count / (double) r.rows();
  }

  private static double ratio(BenchCommand.Outcome o, ToDoubleFunction<BenchRun.Result> metric) {
    return BenchCommand.medianRatio(o.coalescing(), o.naive(), metric);
  }

  private static String pct(double share) {
    return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f %%", share * 100);
  }
}
