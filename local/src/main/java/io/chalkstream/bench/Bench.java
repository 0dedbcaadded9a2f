package io.chalkstream.bench;

import io.chalkstream.cli.LocalCommand;
import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code ./chalkstream bench} as the command line finds it (registered for ServiceLoader). */
public final class Bench implements LocalCommand {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "measure throughput and quota use against a naive enricher";
  }

  @Override
  public String usage() {
    return "usage: ./chalkstream bench [--name=value ...]\n\n"
        + "Runs the benchmark scenarios of issue 6 through the production pipeline and a naive\n"
        + "enricher side by side, against the built-in Classroom simulator, on the DirectRunner.\n"
        + "Beam's DirectRunner options (--targetParallelism, --enforceImmutability, ...) apply.";
  }

  @Override
  public Class<? extends PipelineOptions> options() {
    return BenchOptions.class;
  }

  @Override
  public int run(String[] args, PrintStream out) throws Exception {
    return BenchCommand.run(args, out);
  }
}
