package io.chalkstream.cli;

import java.io.PrintStream;
import java.util.Optional;
import java.util.ServiceLoader;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A command that only the local jar carries ({@code bench}, which needs the simulator): the local
 * module registers it for {@link ServiceLoader}, so {@link Main} lists and runs it without
 * importing the simulator.
 */
public interface LocalCommand {
  /** The word after {@code ./chalkstream}. */
  String name();

  /** One line for the list of commands. */
  String summary();

  /** The text {@code --help} prints above the options. */
  String usage();

  /** The options the command reads; their own are listed by {@code --help}. */
  Class<? extends PipelineOptions> options();

  int run(String[] args, PrintStream out) throws Exception;

  static Optional<LocalCommand> named(String name) {
    return ServiceLoader.load(LocalCommand.class).stream().map(ServiceLoader.Provider::get)
        .filter(c -> c.name().equals(name)).findFirst();
  }

  static Iterable<LocalCommand> all() {
    return ServiceLoader.load(LocalCommand.class);
  }
}
