package io.chalkstream.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Formats the benchmark's figures: one line per run, then Markdown tables of medians and ratios. */
final class Report {
  private Report() {}

  static String line(BenchRun.Result r) {
    return String.format(Locale.ROOT, "%d/%d rows in %.1f s%s = %.0f/s | %d calls (minimum %s, "
            + "list floor %s, of 30: %s) in %d HTTP requests | %d quota 429s, %d FAILED | max %d "
            + "calls in 60 s, drain %s | heap %d MiB | p50 %d ms, p99 %d ms", r.rows(),
        r.notifications(), r.seconds(), r.cut() ? " (cut)" : "", r.perSecond(), r.calls(),
        count(r.coalescingMinimum()), count(r.floor()), count(r.floorOf30()), r.requests(),
        r.quotaRefusals(), r.failedRows(), r.maxCallsIn60s(), pct(r.drainShare()),
        r.peakHeapBytes() >> 20, r.p50Millis(), r.p99Millis());
  }

  static void print(PrintStream out, List<BenchCommand.Outcome> outcomes, BenchOptions options) {
    if (outcomes.isEmpty()) {
      return;
    }
    out.println();
    out.println("Medians of " + options.getRepetitions() + " run(s). Calls, HTTP requests and "
        + "429s are counted by the test server; the coalescing minimum is the distinct resources "
        + "per pane; the course-list floor is, per list of a pane, the smaller of its distinct "
        + "resources and its pages (of 1,000, and of 30).");
    out.println();
    out.println("| scenario | enricher | notifications | seconds to drain | notifications/s | calls "
        + "| calls / notification | coalescing minimum | course-list floor (pages of 1,000 / 30) "
        + "| quota 429s | rows FAILED | HTTP requests / call | max calls in a 60 s span | drain, % "
        + "of budget | peak heap MiB | publish-to-row p50 / p99 ms |");
    out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (BenchCommand.Outcome o : outcomes) {
      for (Enricher e : o.scenario().enrichers) {
        row(out, o, e, o.of(e));
      }
    }
    out.println();
    out.println("Ratios to the naive enricher, taken within each run pair, median:");
    out.println();
    out.println("| scenario | enricher | throughput x | calls / naive | HTTP requests / naive | "
        + "peak heap / naive | p50 / naive |");
    out.println("|---|---|---:|---:|---:|---:|---:|");
    for (BenchCommand.Outcome o : outcomes) {
      for (Enricher e : o.scenario().enrichers) {
        if (e == Enricher.NAIVE || o.of(Enricher.NAIVE).isEmpty()) {
          continue;
        }
        List<BenchRun.Result> runs = o.of(e);
        List<BenchRun.Result> naive = o.of(Enricher.NAIVE);
        out.printf(Locale.ROOT, "| %s | %s | %.1f | %.3f | %.4f | %.2f | %.2f |%n",
            o.scenario().id, e.label,
            BenchCommand.medianRatio(runs, naive, BenchRun.Result::perSecond),
            BenchCommand.medianRatio(runs, naive, r -> perNotification(r, r.calls())),
            BenchCommand.medianRatio(runs, naive, r -> perNotification(r, r.requests())),
            BenchCommand.medianRatio(runs, naive, r -> (double) r.peakHeapBytes()),
            BenchCommand.medianRatio(runs, naive, r -> (double) r.p50Millis()));
      }
    }
    if (outcomes.stream().noneMatch(o -> !o.of(Enricher.GETS).isEmpty())) {
      return;
    }
    out.println();
    out.println("Course lists against one get per resource and against the floor, within each run,"
        + " median:");
    out.println();
    out.println("| scenario | gets / lists (calls) | lists / floor | lists / floor of 30-item pages "
        + "| gets / floor | lists p99 / gets p99 |");
    out.println("|---|---:|---:|---:|---:|---:|");
    for (BenchCommand.Outcome o : outcomes) {
      List<BenchRun.Result> gets = o.of(Enricher.GETS);
      List<BenchRun.Result> lists = o.of(Enricher.LISTS);
      if (gets.isEmpty() || lists.isEmpty()) {
        continue;
      }
      out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", o.scenario().id,
          BenchCommand.medianRatio(gets, lists, r -> (double) r.calls()),
          BenchCommand.median(lists, r -> r.calls() / (double) r.floor()),
          BenchCommand.median(lists, r -> r.calls() / (double) r.floorOf30()),
          BenchCommand.median(gets, r -> r.calls() / (double) r.floor()),
          BenchCommand.medianRatio(lists, gets, r -> (double) r.p99Millis()));
    }
  }

  private static void row(PrintStream out, BenchCommand.Outcome o, Enricher e,
      List<BenchRun.Result> runs) {
    boolean cut = runs.stream().anyMatch(BenchRun.Result::cut);
    out.printf(Locale.ROOT, "| %s | %s | %.0f | %.1f%s | %.0f | %.0f | %.3f | %s | %s / %s | %.0f "
            + "| %.0f | %.3f | %s | %s | %.0f | %.0f / %.0f |%n", o.scenario().id, e.label,
        BenchCommand.median(runs, r -> r.notifications()),
        BenchCommand.median(runs, BenchRun.Result::seconds), cut ? " (cut)" : "",
        BenchCommand.median(runs, BenchRun.Result::perSecond),
        BenchCommand.median(runs, r -> r.calls()),
        BenchCommand.median(runs, r -> perNotification(r, r.calls())),
        medianCount(runs, BenchRun.Result::coalescingMinimum),
        medianCount(runs, BenchRun.Result::floor), medianCount(runs, BenchRun.Result::floorOf30),
        BenchCommand.median(runs, r -> r.quotaRefusals()),
        BenchCommand.median(runs, r -> r.failedRows()),
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

  private static String medianCount(List<BenchRun.Result> runs,
      ToDoubleFunction<BenchRun.Result> metric) {
    double m = BenchCommand.median(runs, r -> metric.applyAsDouble(r) < 0 ? Double.NaN
        : metric.applyAsDouble(r));
    return Double.isNaN(m) ? "-" : String.format(Locale.ROOT, "%.0f", m);
  }

  private static String count(long value) {
    return value < 0 ? "-" : String.valueOf(value);
  }

  private static String pct(double share) {
    return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f %%", share * 100);
  }
}
