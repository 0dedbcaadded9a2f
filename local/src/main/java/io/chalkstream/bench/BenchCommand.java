package io.chalkstream.bench;

import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.simulator.ActivityGenerator;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.NotificationChannel;
import io.chalkstream.simulator.Quotas;
import io.chalkstream.simulator.School;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code ./chalkstream bench}: runs each scenario through its enrichers side by side in the same
 * run (the production pipeline on its defaults, with course lists; where the scenario compares
 * them, one get per resource; and the {@link NaiveEnricher}), against the Classroom test server
 * with the API's quotas on where the scenario has the budget on, and prints medians and ratios.
 * Exit status 1 when a bound that must always hold is broken: calls over 1.05 x the coalescing
 * minimum (lists: over it), a 60 s span over the budget, a quota 429 or a FAILED row under the
 * budget, start of term over 1.3 x the course-list floor or not 3 x fewer calls than gets, a run
 * that did not finish, the backlog not fitting its heap.
 */
public final class BenchCommand {
  static final long SEED = 20260901L;

  private BenchCommand() {}

  /** One scenario's runs, by enricher, one per repetition; {@code throttle} 0 when off. */
  record Outcome(Scenario scenario, Map<Enricher, List<BenchRun.Result>> runs, int throttle) {
    List<BenchRun.Result> of(Enricher enricher) {
      return runs.getOrDefault(enricher, List.of());
    }
  }

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
    int budget = jobBudget(options.as(ClassroomOptions.class));
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
      outcomes.add(runScenario(scenario, options, budget, out, failures));
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

  /** The job's budget as the product computes it on one JVM: the smaller of user and project. */
  private static int jobBudget(ClassroomOptions classroom) {
    int user = classroom.getMaxCallsPerMinute() == null ? 0 : classroom.getMaxCallsPerMinute();
    int project = classroom.getMaxProjectCallsPerMinute() == null ? 0
        : classroom.getMaxProjectCallsPerMinute();
    return user == 0 ? 0 : project == 0 ? user : Math.min(user, project);
  }

  static boolean given(String[] args, String option) {
    return Arrays.stream(args).anyMatch(a -> a.equals("--" + option)
        || a.startsWith("--" + option + "="));
  }

  private static Outcome runScenario(Scenario scenario, BenchOptions options, int budget,
      PrintStream out, List<String> failures) throws Exception {
    int throttle = scenario.quota ? budget : 0;
    Quotas quotas = scenario.quota ? Quotas.CLASSROOM : Quotas.OFF;
    try (ClassroomSimulator server = ClassroomSimulator.start(scenario.school(SEED))) {
      NotificationChannel recorder = NotificationChannel.open("bench-recorder");
      Workload workload;
      try {
        ActivityGenerator generator = new ActivityGenerator(server, recorder, SEED);
        workload = scenario.workload(generator, recorder, server.school(), options.getQuick());
      } finally {
        recorder.close();
      }
      server.faults().latencyMillis(scenario.latencyMillis);
      out.printf("%n== %s: %s (%d notifications, API latency %d ms, budget %s, quotas %s)%n",
          scenario.id, scenario.what, workload.size(), scenario.latencyMillis,
          throttle == 0 ? "off" : throttle + "/min",
          scenario.quota ? quotas.perUser() + "/min per user, " + quotas.perProject()
              + "/min per project" : "off");
      Map<Enricher, List<BenchRun.Result>> runs = new EnumMap<>(Enricher.class);
      long max = options.getRunMaxSeconds() * 1000L;
      for (int rep = 1; rep <= options.getRepetitions(); rep++) {
        for (Enricher enricher : scenario.enrichers) {
          BenchRun.Result r = new BenchRun(options, server, enricher, throttle, quotas)
              .run(workload, 0, enricher == Enricher.NAIVE
                  ? Math.min(max, options.getNaiveMaxSeconds() * 1000L) : max);
          out.printf("  run %d %-16s %s%n", rep, enricher.label + ":", Report.line(r));
          runs.computeIfAbsent(enricher, e -> new ArrayList<>()).add(r);
          check(scenario, enricher, r, throttle, failures);
        }
        List<BenchRun.Result> gets = runs.get(Enricher.GETS);
        if (scenario == Scenario.START_OF_TERM && gets != null) {
          BenchRun.Result g = gets.get(rep - 1);
          BenchRun.Result l = runs.get(Enricher.LISTS).get(rep - 1);
          if (l.calls() * 3 > g.calls()) {
            failures.add(scenario.id + ": course lists made " + l.calls() + " calls, not 3 x "
                + "fewer than the " + g.calls() + " of gets");
          }
        }
      }
      return new Outcome(scenario, runs, throttle);
    }
  }

  /** The bounds one run must keep; each broken one is a line of {@code failures}. */
  private static void check(Scenario scenario, Enricher enricher, BenchRun.Result r, int throttle,
      List<String> failures) {
    String run = scenario.id + " (" + enricher.label + ")";
    if (throttle > 0 && r.maxCallsIn60s() > throttle) {
      failures.add(run + ": " + r.maxCallsIn60s() + " calls in a 60 s span, over the budget of "
          + throttle);
    }
    if (enricher == Enricher.NAIVE) {
      return; // the baseline: cut short by design, no retries
    }
    if (r.cut()) {
      failures.add(run + ": did not finish within the run time limit (--runMaxSeconds)");
    }
    if (r.calls() > 1.05 * r.coalescingMinimum()) {
      failures.add(run + ": " + r.calls() + " calls, over 1.05 x the coalescing minimum "
          + r.coalescingMinimum());
    }
    if (enricher == Enricher.LISTS && r.coalescingMinimum() >= 0
        && r.calls() > r.coalescingMinimum()) {
      failures.add(run + ": " + r.calls() + " calls, more than one get per distinct resource ("
          + r.coalescingMinimum() + "): the rule listed where gets were cheaper");
    }
    if (scenario.quota && (r.quotaRefusals() > 0 || r.failedRows() > 0)) {
      failures.add(run + ": " + r.quotaRefusals() + " quota 429s received, " + r.failedRows()
          + " rows FAILED (both must be 0 under the default budget)");
    }
    if (scenario == Scenario.START_OF_TERM && enricher == Enricher.LISTS && r.floor() > 0
        && r.calls() > 1.3 * r.floor()) {
      failures.add(run + ": " + r.calls() + " calls, over 1.3 x the course-list floor "
          + r.floor());
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
