package io.chalkstream.cli;

import io.chalkstream.stream.ChalkstreamOptions;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Turns command-line arguments into options, with one-line errors a person can act on. */
final class Cli {
  private Cli() {}

  /** Whether the pipeline runs on this machine: the DirectRunner, Beam's default. */
  static boolean isLocal(PipelineOptions options) {
    return options.getRunner() == null || options.getRunner() == DirectRunner.class;
  }

  /** For runs where nothing talks to Google Cloud: Beam must not look up default credentials. */
  static void withoutGoogleCredentials(PipelineOptions options) {
    options.as(GcpOptions.class).setCredentialFactoryClass(NoopCredentialFactory.class);
  }

  /** Why a remote runner cannot take {@code --classroomCredentialsFile}, and what instead. */
  static final String CREDENTIALS_FILE_IS_LOCAL = "workers cannot read a file of the launching "
      + "machine; store the grant in Secret Manager and give classroomCredentialsSecret";

  /** Why a remote runner cannot take {@code --piiKeyFile}, and what instead. */
  static final String KEY_FILE_IS_LOCAL = "workers cannot read a file of the launching machine; "
      + "store the HMAC key in Secret Manager and give piiKeySecret";

  /**
   * Refuses, before anything is submitted, a run on a remote runner (Dataflow) that names what
   * only this machine has: a DuckDB file, a credentials file, a key file. Its workers would fail
   * every call instead.
   */
  static void checkRemote(ChalkstreamOptions options) {
    if (isLocal(options)) {
      return;
    }
    String runner = "--runner=" + options.getRunner().getSimpleName();
    if (options.getBigQueryDataset() == null) {
      throw new IllegalArgumentException(runner + " needs --bigQueryDataset: workers cannot read "
          + "or write a local DuckDB file");
    }
    if (options.getClassroomCredentialsFile() != null) {
      throw new IllegalArgumentException(runner + " cannot take --classroomCredentialsFile: "
          + CREDENTIALS_FILE_IS_LOCAL);
    }
    if (options.getPiiKeyFile() != null) {
      throw new IllegalArgumentException(runner + " cannot take --piiKeyFile: "
          + KEY_FILE_IS_LOCAL);
    }
  }

  /** A mistake in how the command was called: exit code 2, no stack trace. */
  static final class UsageError extends RuntimeException {
    UsageError(String message) {
      super(message);
    }
  }

  static <T extends PipelineOptions> T parse(String[] args, Class<T> type, String command) {
    List<String> kept = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        throw new UsageError("unexpected argument '" + arg + "': options look like --name=value; "
            + "see ./chalkstream " + command + " --help");
      }
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (!names.add(name)) {
        throw new UsageError(name + " is given more than once; give it once");
      }
      if (!arg.equals("--verbose")) {
        kept.add(arg);
      }
    }
    PipelineOptionsFactory.register(type);
    try {
      return PipelineOptionsFactory.fromArgs(kept.toArray(new String[0])).as(type);
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      int property = message.indexOf("missing a property named '");
      if (property >= 0) {
        String name = message.substring(property + 26, message.indexOf('\'', property + 26));
        throw new UsageError("unknown option --" + name + "; see ./chalkstream " + command
            + " --help");
      }
      throw new UsageError(message.lines().findFirst().orElse(message)
          + "; see ./chalkstream " + command + " --help");
    }
  }
}
