package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.chalkstream.history.DuckDbHistory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * SIGTERM (what Ctrl-C's SIGINT and a container stop also do) in the middle of a run: the job
 * stops taking new activity, flushes every buffered window, closes the database and prints its
 * summary; every message read is in the file exactly once. Runs {@code Main} in a child JVM, the
 * only way to send it a real signal.
 */
public class GracefulStopTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final Pattern PROGRESS = Pattern.compile("^\\[\\s*\\d+s\\] messages (\\d+) ");
  private static final long START_TIMEOUT_MILLIS = 120_000;
  private static final long STOP_TIMEOUT_MILLIS = 120_000;

  @Test
  public void sigtermMidStreamFlushesEveryOpenWindowAndLosesNothing() throws Exception {
    Path db = tmp.getRoot().toPath().resolve("stopped.duckdb");
    // Windows of 30 s: at the signal, most messages sit in windows nothing has fired yet.
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "stream",
        "--simulationMessages=1000000", "--simulationPaceMillis=10", "--windowSeconds=30",
        "--duckdbPath=" + db)
        .redirectErrorStream(true);
    builder.environment().put("NO_GCE_CHECK", "true");
    Process process = builder.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (java.io.IOException e) {
        lines.add("(output closed: " + e + ")");
      }
    });
    reader.start();
    try {
      long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
      while (messagesSoFar(lines) < 300) {
        if (!process.isAlive() || System.currentTimeMillis() > deadline) {
          fail("no progress line with 300 messages; output:\n" + String.join("\n", lines));
        }
        Thread.sleep(200);
      }
      // SIGTERM; Process.destroy() would also close the pipe the summary comes through.
      assertTrue(process.toHandle().destroy());
      assertTrue("stopped within " + STOP_TIMEOUT_MILLIS / 1000 + " s; output:\n"
              + String.join("\n", lines),
          process.waitFor(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
    } finally {
      process.toHandle().destroyForcibly();
    }
    reader.join(10_000);
    String output = String.join("\n", lines);

    Matcher done = RunCommand.DONE.matcher(output);
    assertTrue(output, done.find());
    long read = Long.parseLong(done.group(1));
    assertEquals("every message the simulation published was read: " + output,
        done.group(2), done.group(1));
    assertThat(read, greaterThanOrEqualTo(300L));
    assertThat(output, containsString("Try next:"));

    // The file is closed (it opens here) and holds every message read exactly once.
    Map<String, Integer> accounted = DuckDbHistory.accounted(db.toString());
    assertEquals(output, read, accounted.size());
    assertEquals("no message twice", List.of(),
        accounted.entrySet().stream().filter(e -> e.getValue() != 1).toList());
  }

  private static long messagesSoFar(List<String> lines) {
    long most = 0;
    for (String line : lines) {
      Matcher m = PROGRESS.matcher(line);
      if (m.find()) {
        most = Math.max(most, Long.parseLong(m.group(1)));
      }
    }
    return most;
  }
}
