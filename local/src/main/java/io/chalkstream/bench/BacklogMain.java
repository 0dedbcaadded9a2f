package io.chalkstream.bench;

import io.chalkstream.simulator.ActivityGenerator;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.NotificationChannel;
import io.chalkstream.simulator.Quotas;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The backlog scenario, run by {@link BenchCommand} in a child JVM with a fixed heap: a backlog of
 * messages (mixed school life, cycled) waits in the channel before the pipeline starts, and the
 * production pipeline drains it. Prints one {@value #RESULT} line.
 */
public final class BacklogMain {
  static final String RESULT = "BACKLOG_RESULT";

  private BacklogMain() {}

  public static void main(String[] args) throws Exception {
    PipelineOptionsFactory.register(BenchOptions.class);
    BenchOptions options = PipelineOptionsFactory.fromArgs(args).as(BenchOptions.class);
    options.as(DirectOptions.class).setEnforceImmutability(false);
    options.as(DirectOptions.class).setEnforceEncodability(false);
    try (ClassroomSimulator server =
        ClassroomSimulator.start(Scenario.BACKLOG.school(BenchCommand.SEED))) {
      NotificationChannel recorder = NotificationChannel.open("bench-recorder");
      Workload workload = Scenario.BACKLOG.workload(
          new ActivityGenerator(server, recorder, BenchCommand.SEED), recorder, server.school(),
          false);
      recorder.close();
      BenchRun.Result r = new BenchRun(options, server, Enricher.LISTS, 0, Quotas.OFF)
          .run(workload, options.getBacklogMessages(), options.getRunMaxSeconds() * 1000L);
      System.out.printf("%s rows=%d of %d seconds=%.1f perSecond=%.0f peakHeapMiB=%d "
              + "maxHeapMiB=%d calls=%d coalescingMinimum=%d cut=%s%n", RESULT, r.rows(),
          r.notifications(), r.seconds(), r.perSecond(), r.peakHeapBytes() >> 20,
          Runtime.getRuntime().maxMemory() >> 20, r.calls(), r.coalescingMinimum(), r.cut());
    }
    System.exit(0);
  }
}
