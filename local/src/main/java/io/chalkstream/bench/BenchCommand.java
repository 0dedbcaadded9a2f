package io.chalkstream.bench;

import io.chalkstream.simulator.ActivityGenerator;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.NotificationChannel;
import io.chalkstream.simulator.School;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code ./chalkstream bench}: runs each scenario through the production pipeline and, side by
 * side in the same run, through the {@link NaiveEnricher}, against the Classroom test server, and
 * prints the figures of issue 6 as medians and as ratios to the naive enricher. Exit status 1
 * when a bound that must always hold is broken (get calls over 1.05 x the coalescing minimum, a
 * 60 s span over the throttle, a run that did not finish, the backlog not fitting its heap).
 */
public final class BenchCommand {
  static final long SEED = 20260901L;
  static final int COURSES = 20;
  static final int STUDENTS_PER_COURSE = 30;

  private BenchCommand() {}

  /** One scenario's runs: pairs of (coalescing, naive) results. */
  record Outcome(Scenario scenario, List<BenchRun.Result> coalescing, List<BenchRun.Result> naive,
      int throttle) {}

  public static int run(String[] args, PrintStream out) throws Exception {
    PipelineOptionsFactory.register(BenchOptions.class);
    BenchOptions options = PipelineOptionsFactory.fromArgs(args).withValidation()
        .as(BenchOptions.class);
    if (options.getQuick()) {
      quickDefaults(options, args);
    }
    DirectOptions direct = options.as(DirectOptions.class);
    if (!given(args, "enforceImmutability")) {
      direct.setEnforceImmutability(false); // per-element deep copies: a test aid, not runtime
    }
    if (!given(args, "enforceEncodability")) {
      direct.setEnforceEncodability(false);
    }
    List<Scenario> scenarios = options.getScenarios().equals("all") ? List.of(Scenario.values())
        : Arrays.stream(options.getScenarios().split(",")).map(String::trim)
            .map(Scenario::byId).toList();
    Runtime rt = Runtime.getRuntime();
    out.printf("chalkstream bench %s: %d cores, %d MiB max heap, DirectRunner parallelism %d, "
            + "window %d s, %d repetition(s), sink %s%n", LocalDate.now(), rt.availableProcessors(),
        rt.maxMemory() >> 20, direct.getTargetParallelism(), options.getWindowSeconds(),
        options.getRepetitions(), options.getSink());
    List<Outcome> outcomes = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      if (scenario == Scenario.BACKLOG) {
        backlog(options, out, failures);
        continue;
      }
      outcomes.add(runScenario(scenario, options, out, failures));
    }
    Report.print(out, outcomes, options);
    for (String failure : failures) {
      out.println("FAILED: " + failure);
    }
    return failures.isEmpty() ? 0 : 1;
  }

  private static void quickDefaults(BenchOptions options, String[] args) {
    if (!given(args, "repetitions")) {
      options.setRepetitions(1);
    }
    if (!given(args, "windowSeconds")) {
      options.setWindowSeconds(1);
    }
    if (!given(args, "naiveMaxSeconds")) {
      options.setNaiveMaxSeconds(3);
    }
    if (!given(args, "runMaxSeconds")) {
      options.setRunMaxSeconds(30);
    }
    if (!given(args, "backlogMessages")) {
      options.setBacklogMessages(2_000);
    }
  }

  static boolean given(String[] args, String option) {
    return Arrays.stream(args).anyMatch(a -> a.equals("--" + option)
        || a.startsWith("--" + option + "="));
  }

  private static Outcome runScenario(Scenario scenario, BenchOptions options, PrintStream out,
      List<String> failures) throws Exception {
    int throttle = scenario.throttled ? options.getThrottleCallsPerMinute() : 0;
    try (ClassroomSimulator server = ClassroomSimulator.start(
        School.synthetic(SEED, COURSES, STUDENTS_PER_COURSE, 3))) {
      NotificationChannel recorder = NotificationChannel.open("bench-recorder");
      Workload workload;
      try {
        ActivityGenerator generator = new ActivityGenerator(server, recorder, SEED);
        workload = scenario.workload(generator, recorder, server.school(), options.getQuick());
      } finally {
        recorder.close();
      }
      server.faults().latencyMillis(scenario.latencyMillis);
      out.printf("%n== %s: %s (%d notifications, API latency %d ms, throttle %s)%n", scenario.id,
          scenario.what, workload.size(), scenario.latencyMillis,
          throttle == 0 ? "off" : throttle + "/min");
      List<BenchRun.Result> coalescing = new ArrayList<>();
      List<BenchRun.Result> naive = new ArrayList<>();
      long max = options.getRunMaxSeconds() * 1000L;
      for (int rep = 1; rep <= options.getRepetitions(); rep++) {
        BenchRun.Result c = new BenchRun(options, server, false, throttle).run(workload, 0, max);
        out.println("  run " + rep + " production: " + Report.line(c));
        BenchRun.Result n = new BenchRun(options, server, true, throttle)
            .run(workload, 0, Math.min(max, options.getNaiveMaxSeconds() * 1000L));
        out.println("  run " + rep + " naive:      " + Report.line(n));
        coalescing.add(c);
        naive.add(n);
        if (c.cut()) {
          failures.add(scenario.id + ": the production run did not finish within "
              + options.getRunMaxSeconds() + " s");
        }
        if (c.calls() > 1.05 * c.coalescingMinimum()) {
          failures.add(scenario.id + ": " + c.calls() + " get calls, over 1.05 x the coalescing "
              + "minimum " + c.coalescingMinimum());
        }
        if (throttle > 0 && Math.max(c.maxCallsIn60s(), n.maxCallsIn60s()) > throttle) {
          failures.add(scenario.id + ": a 60 s span held more than " + throttle + " calls");
        }
      }
      return new Outcome(scenario, coalescing, naive, throttle);
    }
  }

  /** The backlog scenario in a child JVM with its own heap limit. */
  private static void backlog(BenchOptions options, PrintStream out, List<String> failures)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + options.getBacklogHeap(),
        "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
        BacklogMain.class.getName(), "--backlogMessages=" + options.getBacklogMessages(),
        "--windowSeconds=" + options.getWindowSeconds(), "--sink=" + options.getSink(),
        "--runMaxSeconds=" + options.getRunMaxSeconds(),
        "--targetParallelism=" + options.as(DirectOptions.class).getTargetParallelism()));
    out.printf("%n== backlog: %d messages read from the start, coalescing pipeline, -Xmx%s%n",
        options.getBacklogMessages(), options.getBacklogHeap());
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String result = null;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        out.println("  " + line);
        if (line.startsWith(BacklogMain.RESULT)) {
          result = line;
        }
      }
    }
    int status = child.waitFor();
    if (status != 0 || result == null) {
      failures.add("backlog: the child JVM with -Xmx" + options.getBacklogHeap() + " failed (exit "
          + "status " + status + "; -XX:+ExitOnOutOfMemoryError makes a full heap one)");
    } else if (result.contains("cut=true")) {
      out.println("  (not drained within --runMaxSeconds=" + options.getRunMaxSeconds()
          + ": the peak heap is that of the part read)");
    }
  }

  static double median(List<BenchRun.Result> runs, ToDoubleFunction<BenchRun.Result> metric) {
    double[] values = runs.stream().mapToDouble(metric).filter(v -> !Double.isNaN(v)).sorted()
        .toArray();
    if (values.length == 0) {
      return Double.NaN;
    }
    int mid = values.length / 2;
    return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  }

  static double medianRatio(List<BenchRun.Result> a, List<BenchRun.Result> b,
      ToDoubleFunction<BenchRun.Result> metric) {
    double[] ratios = new double[a.size()];
    for (int i = 0; i < a.size(); i++) {
      double base = metric.applyAsDouble(b.get(i));
      ratios[i] = base > 0 ? metric.applyAsDouble(a.get(i)) / base : Double.NaN;
    }
    ratios = Arrays.stream(ratios).filter(r -> !Double.isNaN(r)).sorted().toArray();
    if (ratios.length == 0) {
      return Double.NaN;
    }
    int mid = ratios.length / 2;
    return ratios.length % 2 == 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
  }
}
