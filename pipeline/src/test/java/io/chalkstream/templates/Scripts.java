package io.chalkstream.templates;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@code templates/*.sh} with bash, with test doubles named {@code gcloud}, {@code bq} and
 * {@code mvn} first on the PATH (so the real tools, installed or not, are never reached). Each
 * double records its arguments exactly; how it answers depends on the {@link Cloud} it plays.
 */
final class Scripts {
  static final String PROJECT = "school-1";
  static final String REGION = "europe-west1";
  static final String DATASET = "classroom";
  /** The project number the doubles answer {@code gcloud projects describe} with. */
  static final String PROJECT_NUMBER = "123456789012";

  /** What the doubles play. */
  enum Cloud {
    /** Any call fails: dry runs must make none. */
    FORBIDDEN,
    /** Nothing exists: every describe and show fails. */
    EMPTY,
    /** Everything exists: every describe and show succeeds. */
    SET_UP
  }

  private static final String DOUBLE = """
      #!/usr/bin/env bash
      # Test double of gcloud, bq and mvn: records the call, then answers as FAKE_CLOUD says.
      tool="$(basename "$0")"
      { printf '%s\\0' "$tool" "$@"; printf '\\1\\0'; } >>"$FAKE_CLOUD_LOG"
      if [ "$FAKE_CLOUD" = FORBIDDEN ]; then
        echo "$tool must not be called here" >&2
        exit 99
      fi
      if [ "$tool" = gcloud ] && [ "${1:-}" = projects ] && [ "${2:-}" = describe ]; then
        echo NUMBER
        exit 0
      fi
      if [ "$tool" = gcloud ] && [ "${1:-}" = dataflow ] && [ "${3:-}" = list ]; then
        printf '%s' "${FAKE_CLOUD_JOBS:-}"
        exit 0
      fi
      for arg in "$@"; do
        case "$arg" in
          describe | show) [ "$FAKE_CLOUD" = SET_UP ]; exit ;;
        esac
      done
      exit 0
      """.replace("NUMBER", PROJECT_NUMBER);

  /** One call of a double: the tool's name, then its arguments. */
  record Call(List<String> argv) {
    String tool() {
      return argv.get(0);
    }

    /** True when the arguments start with these words, after the tool's name. */
    boolean is(String... words) {
      return argv.size() > words.length
          && argv.subList(1, words.length + 1).equals(Arrays.asList(words));
    }

    boolean has(String word) {
      return argv.contains(word);
    }

    /** The value of {@code --name=value}, or null. */
    String flag(String name) {
      for (String arg : argv) {
        if (arg.startsWith("--" + name + "=")) {
          return arg.substring(name.length() + 3);
        }
      }
      return null;
    }

    String last() {
      return argv.get(argv.size() - 1);
    }

    @Override
    public String toString() {
      return String.join(" ", argv);
    }
  }

  /** A finished run: exit code, what it printed, and the calls the doubles saw. */
  record Result(int exit, String out, String err, List<Call> calls) {
    /** Lines of stdout that are commands, not # notes. */
    List<String> commandLines() {
      return out.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }
  }

  private Scripts() {}

  /** Runs {@code templates/SCRIPT ARGS...} against {@code cloud}, stdin closed. */
  static Result run(String script, Cloud cloud, String... args) {
    return run(script, cloud, Map.of(), null, args);
  }

  /**
   * Runs {@code templates/SCRIPT ARGS...} against {@code cloud} with {@code env} added (CHALKSTREAM_
   * variables of the caller's environment are left out) and {@code stdin} (null: closed).
   */
  static Result run(String script, Cloud cloud, Map<String, String> env, String stdin,
      String... args) {
    List<String> command = new ArrayList<>(List.of("bash",
        Repo.root().resolve("templates").resolve(script).toString()));
    command.addAll(List.of(args));
    return bash(command, cloud, env, stdin);
  }

  /** Runs what a dry run printed, as the reader would by pasting it, against {@code cloud}. */
  static List<Call> execute(String transcript, Cloud cloud) {
    try {
      Path file = Files.createTempFile("transcript", ".sh");
      Files.writeString(file, transcript, StandardCharsets.UTF_8);
      Result result = bash(List.of("bash", file.toString()), cloud, Map.of(), null);
      Files.delete(file);
      if (result.exit() != 0) {
        throw new AssertionError("the dry run's commands failed (" + result.exit() + "): "
            + result.err());
      }
      return result.calls();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Result bash(List<String> command, Cloud cloud, Map<String, String> env,
      String stdin) {
    try {
      Path dir = Files.createTempDirectory("templates-test");
      Path bin = Files.createDirectory(dir.resolve("bin"));
      for (String tool : List.of("gcloud", "bq", "mvn")) {
        Path fake = bin.resolve(tool);
        Files.writeString(fake, DOUBLE, StandardCharsets.UTF_8);
        if (!fake.toFile().setExecutable(true)) {
          throw new IOException("cannot make " + fake + " executable");
        }
      }
      Path log = Files.createFile(dir.resolve("calls"));
      Path out = dir.resolve("out");
      Path err = dir.resolve("err");
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(Repo.root().toFile())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      Map<String, String> environment = builder.environment();
      environment.keySet().removeIf(k -> k.startsWith("CHALKSTREAM_"));
      environment.put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
      environment.put("FAKE_CLOUD", cloud.name());
      environment.put("FAKE_CLOUD_LOG", log.toString());
      environment.putAll(env);
      if (stdin == null) {
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      }
      Process process = builder.start();
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish within 120 s");
      }
      Result result = new Result(process.exitValue(), Files.readString(out),
          Files.readString(err), calls(Files.readString(log)));
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static List<Call> calls(String log) {
    List<Call> calls = new ArrayList<>();
    List<String> argv = new ArrayList<>();
    for (String field : log.split("\0")) {
      if (field.equals("\1")) {
        calls.add(new Call(List.copyOf(argv)));
        argv.clear();
      } else {
        argv.add(field);
      }
    }
    return calls;
  }
}
