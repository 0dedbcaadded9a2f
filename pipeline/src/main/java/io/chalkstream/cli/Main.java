package io.chalkstream.cli;

import io.chalkstream.stream.ChalkstreamOptions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/** Entry point of the jar: the commands of {@link #usage}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, null);
  }

  /**
   * {@link #run(String[], PrintStream, PrintStream)} with {@code bigQuery} (Beam's fakes, for
   * tests) in place of BigQuery for the batch commands that read it.
   */
  static int run(String[] args, PrintStream out, PrintStream err,
      @Nullable BigQueryServices bigQuery) {
    if (args.length == 0 || List.of("--help", "-h", "help").contains(args[0])) {
      usage(out);
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    boolean verbose = Arrays.asList(rest).contains("--verbose");
    quietLogs(verbose);
    try {
      switch (command) {
        case "stream":
          return helped(rest, out, STREAM_USAGE, ChalkstreamOptions.class,
              StreamCommand.OWN_OPTIONS, Set.of()) ? 0 : StreamCommand.run(rest, out);
        case "renew":
          return helped(rest, out, RenewCommand.USAGE, ChalkstreamOptions.class,
              RenewCommand.OPTIONS, Set.of("duckdbPath")) ? 0 : RenewCommand.run(rest, out, err);
        case "replay":
          return helped(rest, out, ReplayCommand.USAGE, ReplayCommand.Options.class,
              ReplayCommand.OPTIONS, Set.of("duckdbPath", "windowSeconds"))
              ? 0 : ReplayCommand.run(rest, out, bigQuery);
        case "snapshot":
          return helped(rest, out, SnapshotCommand.USAGE, ChalkstreamOptions.class,
              SnapshotCommand.OPTIONS, Set.of("duckdbPath", "courses"))
              ? 0 : SnapshotCommand.run(rest, out, bigQuery);
        case "reconcile":
          return helped(rest, out, ReconcileCommand.USAGE, ReconcileCommand.Options.class,
              ReconcileCommand.OPTIONS, Set.of("duckdbPath", "courses"))
              ? 0 : ReconcileCommand.run(rest, out, bigQuery);
        case "query":
          return query(rest, out, err);
        default:
          LocalCommand local = LocalCommand.named(command).orElse(null);
          if (local == null) {
            err.println("chalkstream: unknown command '" + command + "'");
            usage(err);
            return 2;
          }
          return helped(rest, out, local.usage(), local.options(), List.of(local.options()),
              Set.of()) ? 0 : local.run(rest, out);
      }
    } catch (Cli.UsageError | IllegalArgumentException e) {
      err.println("chalkstream " + command + ": " + e.getMessage());
      if (verbose) {
        e.printStackTrace(err);
      }
      return 2;
    } catch (Exception e) {
      err.println("chalkstream " + command + ": " + rootMessage(e));
      if (verbose) {
        e.printStackTrace(err);
      } else {
        err.println("(run again with --verbose for the stack trace)");
      }
      return 1;
    }
  }

  /** Prints a command's options when {@code --help} is among its arguments; says whether it did. */
  private static boolean helped(String[] args, PrintStream out, String usage,
      Class<? extends PipelineOptions> options, List<Class<?>> ours, Set<String> alsoNamed) {
    if (!Arrays.asList(args).contains("--help")) {
      return false;
    }
    OptionsHelp.print(out, usage, options, ours, alsoNamed);
    return true;
  }

  private static final String STREAM_USAGE = "usage: ./chalkstream stream [--name=value ...]\n\n"
      + "Runs the streaming pipeline. With no --subscription it runs on embedded defaults:\na "
      + "simulated school, an in-process notification source and the DuckDB file --duckdbPath.";

  /** {@code query [--duckdbPath=FILE] [SQL | view]}: the SQL may come in several words. */
  private static int query(String[] args, PrintStream out, PrintStream err) {
    String path = "chalkstream.duckdb";
    StringBuilder sql = new StringBuilder();
    for (String arg : args) {
      if (arg.startsWith("--duckdbPath=")) {
        path = arg.substring("--duckdbPath=".length());
      } else if (arg.equals("--verbose")) {
        continue;
      } else if (arg.startsWith("--")) {
        throw new Cli.UsageError("unknown option " + arg + "; usage: ./chalkstream query "
            + "[--duckdbPath=FILE] [SQL | view name]");
      } else {
        sql.append(sql.length() == 0 ? "" : " ").append(arg);
      }
    }
    return QueryCommand.run(path, sql.length() == 0 ? null : sql.toString(),
        out, err);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return t == e ? message : message + " (" + e.getClass().getSimpleName() + ")";
  }

  /** Beam's INFO lines would bury the progress lines; --verbose brings them back. */
  private static void quietLogs(boolean verbose) {
    java.util.logging.Level level = verbose ? java.util.logging.Level.INFO
        : java.util.logging.Level.WARNING;
    java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
    root.setLevel(level);
    for (java.util.logging.Handler h : root.getHandlers()) {
      h.setLevel(level);
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: ./chalkstream <command> [--name=value ...]");
    out.println();
    out.println("commands:");
    out.println("  stream    run the pipeline (embedded simulated school by default)");
    out.println("  renew     one pass of registration renewal (for cron or Cloud Scheduler)");
    out.println("  replay    send unresolved dead letters through the pipeline again, cause fixed");
    out.println("  snapshot  write the current state of the courses as SNAPSHOT change rows");
    out.println("  reconcile compare a fresh snapshot with the history; --repair fills the gaps");
    out.println("  query     run SQL or a named view on the local DuckDB file");
    for (LocalCommand local : LocalCommand.all()) {
      out.printf("  %-9s %s%n", local.name(), local.summary());
    }
    out.println();
    out.println("./chalkstream <command> --help lists the options of a command.");
  }
}
