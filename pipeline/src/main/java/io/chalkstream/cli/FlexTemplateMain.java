package io.chalkstream.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of the Dataflow flex template ({@code FLEX_TEMPLATE_JAVA_MAIN_CLASS}, set by
 * {@code templates/build.sh}). The launcher calls it with the template parameters and Dataflow's
 * own options, all as {@code --name=value} ({@code --project}, {@code --region},
 * {@code --templateLocation}, {@code --runner=DataflowRunner}, ...); this checks them and runs
 * {@code ./chalkstream stream} on Dataflow with them, logging at INFO for the launcher's console
 * log.
 */
public final class FlexTemplateMain {
  /**
   * The template parameters every launch must give (and that {@code templates/metadata.json} marks
   * {@code isOptional: false}), each with an example value. On Dataflow the worker's own
   * credentials cannot call Classroom, so the OAuth grant in Secret Manager is required too.
   */
  public static final Map<String, String> REQUIRED_PARAMETERS = ordered(
      "subscription", "projects/PROJECT/subscriptions/SUBSCRIPTION",
      "bigQueryDataset", "PROJECT:DATASET",
      "classroomCredentialsSecret", "projects/PROJECT/secrets/SECRET/versions/latest");

  /**
   * Options of {@code ./chalkstream stream} that make sense on a local run only, each with the
   * reason: they are not template parameters, and a launch that gives one is refused.
   */
  public static final Map<String, String> LOCAL_ONLY_OPTIONS = ordered(
      "duckdbPath", "Dataflow workers write to BigQuery (bigQueryDataset), not to a local "
          + "DuckDB file",
      "stopAfterIdleSeconds", "a Dataflow job runs until it is drained or cancelled",
      "simulationMessages", "the simulated school drives embedded local runs only",
      "simulationPaceMillis", "the simulated school drives embedded local runs only",
      "simulationDropPercent", "the simulated school drives embedded local runs only",
      "classroomCredentialsFile", Cli.CREDENTIALS_FILE_IS_LOCAL,
      "piiKeyFile", Cli.KEY_FILE_IS_LOCAL);

  private FlexTemplateMain() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    String[] stream;
    try {
      stream = streamArguments(args);
    } catch (Cli.UsageError e) {
      err.println("chalkstream flex template: " + e.getMessage());
      return 2;
    }
    return Main.run(stream, out, err);
  }

  /** The {@code ./chalkstream stream} command line for the launcher's arguments. */
  static String[] streamArguments(String[] args) {
    Map<String, String> given = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        throw new Cli.UsageError("unexpected argument '" + arg + "': the flex template takes "
            + "--name=value only (template parameters and Dataflow options)");
      }
      int equals = arg.indexOf('=');
      // A bare --flag is a boolean option set to true, as Beam reads it.
      given.put(arg.substring(2, equals < 0 ? arg.length() : equals),
          equals < 0 ? "true" : arg.substring(equals + 1));
    }
    for (String name : given.keySet()) {
      if (LOCAL_ONLY_OPTIONS.containsKey(name)) {
        throw new Cli.UsageError("--" + name + " is for local runs only ("
            + LOCAL_ONLY_OPTIONS.get(name) + "); remove it from the template parameters");
      }
    }
    for (Map.Entry<String, String> required : REQUIRED_PARAMETERS.entrySet()) {
      String value = given.get(required.getKey());
      if (value == null || value.isBlank()) {
        throw new Cli.UsageError("the template parameter " + required.getKey() + " is missing; "
            + "launch with --parameters=" + required.getKey() + "=" + required.getValue()
            + " (templates/run.sh passes it)");
      }
    }
    String runner = given.get("runner");
    if (runner != null && !runner.equals("DataflowRunner")
        && !runner.endsWith(".DataflowRunner")) {
      throw new Cli.UsageError("--runner=" + runner + ": the flex template runs on Dataflow only; "
          + "drop --runner, or run ./chalkstream stream for other runners");
    }
    List<String> stream = new ArrayList<>();
    stream.add("stream");
    if (runner == null) {
      stream.add("--runner=DataflowRunner");
    }
    stream.addAll(List.of(args));
    stream.add("--verbose");
    return stream.toArray(new String[0]);
  }

  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }
}
