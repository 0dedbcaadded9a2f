package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.history.BigQuerySinkOptions;
import io.chalkstream.history.DuckDbHistory;
import io.chalkstream.stream.ChalkstreamOptions;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.apache.beam.sdk.options.Description;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code ./chalkstream stream} as a user calls it: the real command, in process. */
public class StreamCommandTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static void assertOneLineError(RunCommand.Result r, String fragment) {
    assertEquals(r.toString(), 2, r.exit());
    assertEquals("one line: " + r.err(), 1, r.err().lines().count());
    assertThat(r.err(), containsString(fragment));
    assertThat(r.err(), not(containsString("\tat ")));
  }

  @Test
  public void aDuckDbPathInAMissingDirectoryIsOneLine() {
    String path = tmp.getRoot() + "/no/such/dir/x.duckdb";
    assertOneLineError(RunCommand.main("stream", "--duckdbPath=" + path),
        "chalkstream stream: --duckdbPath=" + path + ": directory " + tmp.getRoot()
            + "/no/such/dir does not exist; create it or choose another path");
  }

  @Test
  public void aMalformedSubscriptionIsOneLine() {
    assertOneLineError(RunCommand.main("stream", "--subscription=my-subscription"),
        "--subscription=my-subscription is not projects/PROJECT/subscriptions/SUBSCRIPTION");
  }

  @Test
  public void anUnknownOptionIsOneLine() {
    assertOneLineError(RunCommand.main("stream", "--windowSecs=5"),
        "unknown option --windowSecs; see ./chalkstream stream --help");
    assertOneLineError(RunCommand.main("stream", "windowSeconds=5"),
        "unexpected argument 'windowSeconds=5': options look like --name=value");
    assertOneLineError(RunCommand.main("stream", "--windowSeconds=5", "--windowSeconds=6"),
        "--windowSeconds is given more than once; give it once");
  }

  @Test
  public void anUnreachableEndpointIsOneLineAndVerboseAddsTheTrace() throws Exception {
    String classroom = "http://127.0.0.1:" + RunCommand.closedPort() + "/";
    String[] args = {"stream", "--subscription=projects/p/subscriptions/s",
        "--classroomRootUrl=" + classroom, "--duckdbPath=" + tmp.getRoot() + "/x.duckdb"};
    assertOneLineError(RunCommand.main(args), "--classroomRootUrl=" + classroom + " is unreachable (");

    String[] verbose = java.util.Arrays.copyOf(args, args.length + 1);
    verbose[args.length] = "--verbose";
    RunCommand.Result r = RunCommand.main(verbose);
    assertEquals(2, r.exit());
    assertThat(r.err(), containsString("\tat io.chalkstream.cli.StreamCommand"));

    String pubsub = "http://127.0.0.1:" + RunCommand.closedPort();
    try (io.chalkstream.simulator.ClassroomSimulator server = io.chalkstream.simulator.ClassroomSimulator
        .start(io.chalkstream.simulator.School.synthetic(1, 1, 1, 1))) {
      assertOneLineError(RunCommand.main("stream", "--subscription=projects/p/subscriptions/s",
          "--classroomRootUrl=" + server.rootUrl(), "--pubsubRootUrl=" + pubsub,
          "--duckdbPath=" + tmp.getRoot() + "/x.duckdb"),
          "--pubsubRootUrl=" + pubsub + " is unreachable (");
    }
  }

  @Test
  public void helpListsEveryOptionWithItsDescription() {
    RunCommand.Result r = RunCommand.main("stream", "--help");
    assertEquals(0, r.exit());
    int listed = 0;
    for (Class<?> options : List.of(ChalkstreamOptions.class, ClassroomOptions.class,
        BigQuerySinkOptions.class)) {
      for (Method getter : options.getDeclaredMethods()) {
        Description description = getter.getAnnotation(Description.class);
        if (description == null) {
          continue;
        }
        String name = Character.toLowerCase(getter.getName().charAt(3))
            + getter.getName().substring(4);
        assertThat(r.out(), containsString("\n  --" + name + "\n"));
        // The first words of the description follow the name, however the text is wrapped.
        String start = String.join(" ", List.of(description.value().split(" ")).subList(0, 3));
        assertThat(name, r.out().replaceAll("\n +", " "), containsString(start));
        listed++;
      }
    }
    assertThat(listed, greaterThan(15));
    assertThat(r.out(), containsString("--pubsubRootUrl"));
    assertThat(RunCommand.main("--help").out(), containsString("stream"));
  }

  @Test
  public void anEmbeddedRunAccountsForEveryMessageExactlyOnce() throws Exception {
    String path = tmp.getRoot() + "/embedded.duckdb";
    RunCommand.Result r = RunCommand.main("stream", "--simulationMessages=300", "--simulationPaceMillis=1",
        "--duckdbPath=" + path);
    assertEquals(r.err(), 0, r.exit());
    Matcher done = RunCommand.DONE.matcher(r.out());
    assertTrue(r.out(), done.find());
    long read = Long.parseLong(done.group(1));
    assertEquals("every message published was read", done.group(2), done.group(1));
    assertThat(read, greaterThanOrEqualTo(300L));
    assertThat(r.out(), containsString("./chalkstream query --duckdbPath=" + path
        + " roster_current"));

    Map<String, Integer> accounted = DuckDbHistory.accounted(path);
    assertEquals(read, accounted.size());
    assertEquals("no message twice", List.of(),
        accounted.entrySet().stream().filter(e -> e.getValue() != 1).toList());

    // Renewal ran against the simulator, and every change came from one of its registrations.
    List<Map<String, Object>> registrations = DuckDbHistory.rows(path,
        "SELECT DISTINCT feed_type, status FROM registrations");
    assertEquals(2, registrations.size());
    assertTrue(registrations.stream().allMatch(row -> row.get("status").equals("OK")));
    assertEquals(0L, DuckDbHistory.rows(path, "SELECT count(*) AS n FROM roster_changes r "
        + "WHERE registration_id NOT IN (SELECT registration_id FROM registrations)").get(0)
        .get("n"));
    assertEquals(0L, DuckDbHistory.rows(path, "SELECT count(*) AS n FROM dead_letters "
        + "WHERE stage = 'FILTER' AND error NOT LIKE 'unknown registration "
        + "registered-by-someone-else%'").get(0).get("n"));

    // Enrichment columns come from the get response kept in resource_json.
    List<Map<String, Object>> people = DuckDbHistory.rows(path,
        "SELECT full_name, resource_json FROM roster_changes WHERE enrichment_status = 'OK'");
    assertThat(people.size(), greaterThan(10));
    for (Map<String, Object> row : people) {
      JsonNode json = JSON.readTree((String) row.get("resource_json"));
      assertEquals(json.at("/profile/name/fullName").asText(), row.get("full_name"));
    }
    List<Map<String, Object>> submissions = DuckDbHistory.rows(path,
        "SELECT state, resource_json FROM submission_changes WHERE enrichment_status = 'OK'");
    assertThat(submissions.size(), greaterThan(10));
    for (Map<String, Object> row : submissions) {
      assertEquals(JSON.readTree((String) row.get("resource_json")).get("state").asText(),
          row.get("state"));
    }
    // The simulation's 404s, 403s and malformed messages show too.
    Map<String, Object> statuses = DuckDbHistory.rows(path, "SELECT "
        + "(SELECT count(*) FROM roster_changes WHERE enrichment_status = 'NOT_FOUND') AS gone, "
        + "(SELECT count(*) FROM dead_letters WHERE stage = 'PARSE') AS malformed").get(0);
    assertNotNull(statuses);
    assertThat(((Number) statuses.get("gone")).longValue(), greaterThan(0L));

    // Appended to, not replaced, on a second run into the same file.
    RunCommand.Result again = RunCommand.main("stream", "--simulationMessages=50", "--simulationPaceMillis=1",
        "--duckdbPath=" + path);
    assertEquals(again.err(), 0, again.exit());
    Matcher second = RunCommand.DONE.matcher(again.out());
    assertTrue(again.out(), second.find());
    Map<String, Integer> both = DuckDbHistory.accounted(path);
    assertEquals(read + Long.parseLong(second.group(1)), both.size());
  }
}
