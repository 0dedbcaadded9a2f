package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.api.services.classroom.model.Registration;
import io.chalkstream.cli.RunCommand.Result;
import io.chalkstream.history.DuckDbHistory;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Faults.Fault;
import io.chalkstream.simulator.School;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code ./chalkstream renew} as cron would call it, against the Classroom test server. */
public class RenewCommandTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final String TOPIC = "projects/p/topics/classroom";
  private School school;
  private ClassroomSimulator server;
  private String path;

  @Before
  public void setUp() throws Exception {
    school = School.synthetic(8, 6, 2, 1); // course 4 is ARCHIVED
    server = ClassroomSimulator.start(school).pageSizes(2, 2);
    path = tmp.getRoot() + "/renew.duckdb";
  }

  @After
  public void tearDown() {
    server.close();
  }

  /** renew with the usual options, {@code overrides} ({@code --name=value}) replacing them. */
  private Result renew(String... overrides) {
    Map<String, String> options = new java.util.LinkedHashMap<>();
    for (String arg : List.of("--classroomRootUrl=" + server.rootUrl(),
        "--registrationTopic=" + TOPIC, "--courses=ALL", "--courseFeeds=ROSTER,COURSE_WORK",
        "--registerDomainRoster=true", "--duckdbPath=" + path)) {
      options.put(arg.substring(0, arg.indexOf('=')), arg);
    }
    for (String arg : overrides) {
      options.put(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg, arg);
    }
    List<String> args = new java.util.ArrayList<>(List.of("renew"));
    args.addAll(options.values());
    return RunCommand.main(args.toArray(new String[0]));
  }

  @Test
  public void onePassCreatesTheRightRegistrationsAndRows() throws Exception {
    Result r = renew();
    assertEquals(r.err(), 0, r.exit());
    assertThat(r.out(), containsString("Renewal pass: 11 registration(s) OK, 0 failed; "
        + "11 registrations.create calls in 1 batch requests, 0 retried."));

    List<Registration> registered = school.registrations();
    assertEquals(11, registered.size());
    Set<String> expectedCourses = school.courses().stream()
        .filter(c -> c.getCourseState().equals("ACTIVE")).map(c -> c.getId())
        .collect(Collectors.toCollection(TreeSet::new));
    List<Map<String, Object>> rows = DuckDbHistory.rows(path,
        "SELECT * FROM registrations ORDER BY feed_type, course_id");
    assertEquals(11, rows.size());
    Set<String> rowCourses = new TreeSet<>();
    for (Map<String, Object> row : rows) {
      assertEquals("OK", row.get("status"));
      assertEquals(TOPIC, row.get("topic_name"));
      Registration match = registered.stream()
          .filter(g -> g.getRegistrationId().equals(row.get("registration_id")))
          .findFirst().orElseThrow();
      assertEquals(row.get("feed_type"), match.getFeed().getFeedType());
      if (row.get("course_id") != null) {
        rowCourses.add((String) row.get("course_id"));
      }
    }
    assertEquals(expectedCourses, rowCourses);

    // The next pass renews the same registrations and adds rows: one per attempt.
    assertEquals(0, renew().exit());
    assertEquals(11, school.registrations().size());
    assertEquals(22, DuckDbHistory.rows(path, "SELECT * FROM registrations").size());
  }

  @Test
  public void failuresExitNonZeroAndSayWhatToDo() throws Exception {
    server.faults().onMethod("registrations.create", Fault.of(403).message(
        "@MissingGrant The caller does not have permission"));
    Result r = renew("--courses=" + school.courses().get(0).getId(), "--courseFeeds=ROSTER");
    assertEquals(r.out() + r.err(), 1, r.exit());
    assertThat(r.out(), containsString("Renewal pass: 0 registration(s) OK, 2 failed"));
    assertEquals(2, r.err().lines().filter(l -> l.startsWith("FAILED: ")).count());
    assertThat(r.err(), containsString("registrations need a user's OAuth grant"));
    List<Map<String, Object>> rows = DuckDbHistory.rows(path,
        "SELECT status, error FROM registrations");
    assertEquals(2, rows.size());
    assertTrue(rows.stream().allMatch(row -> row.get("status").equals("FAILED")
        && ((String) row.get("error")).contains("@MissingGrant")));
  }

  @Test
  public void credentialsNeverReachTheLogOrTheOutput() throws Exception {
    String refreshToken = "1//refresh-token-SECRET-value";
    String clientSecret = "GOCSPX-client-secret-value";
    String accessToken = "ya29.access-token-value";
    server.requireOAuth(refreshToken, accessToken);
    java.nio.file.Path grant = tmp.newFile("grant.json").toPath();
    java.nio.file.Files.writeString(grant, "{\"type\":\"authorized_user\",\"client_id\":"
        + "\"id.apps.googleusercontent.com\",\"client_secret\":\"" + clientSecret + "\","
        + "\"refresh_token\":\"" + refreshToken + "\",\"token_uri\":\"" + server.tokenUri()
        + "\"}");
    StringBuilder log = new StringBuilder();
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      private final java.util.logging.SimpleFormatter format =
          new java.util.logging.SimpleFormatter();

      @Override
      public synchronized void publish(java.util.logging.LogRecord record) {
        log.append(format.format(record));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.addHandler(capture);
    Result ok;
    Result refused;
    try {
      ok = renew("--classroomCredentialsFile=" + grant, "--verbose");
      // A failure path too: the grant is revoked, every create fails and is logged.
      server.requireOAuth("another-refresh-token", "another-token");
      refused = renew("--classroomCredentialsFile=" + grant, "--verbose");
    } finally {
      root.removeHandler(capture);
    }
    assertEquals(ok.err(), 0, ok.exit());
    assertEquals(1, refused.exit());
    assertThat(refused.err(), containsString("the Classroom API refused the credentials"));
    assertTrue("the grant was used", server.tokensIssued() >= 1);
    String everything = ok.out() + ok.err() + refused.out() + refused.err() + log
        + DuckDbHistory.rows(path, "SELECT * FROM registrations").toString();
    for (String secret : List.of(refreshToken, clientSecret, accessToken, "another-token")) {
      assertTrue("leaked: " + secret, !everything.contains(secret));
    }
  }

  @Test
  public void aMissingOrMalformedTopicIsOneLine() {
    Result r = RunCommand.main("renew", "--classroomRootUrl=" + server.rootUrl(),
        "--duckdbPath=" + path);
    assertEquals(2, r.exit());
    assertEquals("chalkstream renew: --registrationTopic=null is not projects/PROJECT/topics/TOPIC;"
        + " renewal needs the topic Classroom publishes to\n", r.err());
  }

  @Test
  public void aRealEndpointNeedsAUsersGrant() {
    Result r = RunCommand.main("renew", "--registrationTopic=" + TOPIC,
        "--classroomDelegatedUser=admin@school.example", "--duckdbPath=" + path);
    assertEquals(2, r.exit());
    assertThat(r.err(), containsString("renewing registrations needs a user's OAuth grant"));
  }
}
