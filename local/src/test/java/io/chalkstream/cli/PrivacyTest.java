package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.chalkstream.cli.RunCommand.Result;
import io.chalkstream.history.DuckDbHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code --piiMode}: the simulated school's names and emails, seen in a KEEP run, appear nowhere
 * in the database or the log of a HASH or DROP run of the same (seeded) school.
 */
public class PrivacyTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final int MESSAGES = 250;

  /** A run of the embedded school, with every log record of it. */
  private record Run(String path, Result result, String log) {}

  private Run run(String name, String... extra) {
    String path = tmp.getRoot() + "/" + name + ".duckdb";
    List<String> args = new ArrayList<>(List.of("stream", "--simulationMessages=" + MESSAGES,
        "--simulationPaceMillis=1", "--duckdbPath=" + path, "--verbose"));
    args.addAll(List.of(extra));
    StringBuilder log = new StringBuilder();
    SimpleFormatter format = new SimpleFormatter();
    Handler capture = new Handler() {
      @Override
      public synchronized void publish(LogRecord record) {
        log.append(format.format(record));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      Result r = RunCommand.main(args.toArray(new String[0]));
      assertEquals(r.err(), 0, r.exit());
      return new Run(path, r, log.toString());
    } finally {
      root.removeHandler(capture);
    }
  }

  /** Every value of every table, as text. */
  private static String everything(String path) throws Exception {
    StringBuilder all = new StringBuilder();
    for (String table : List.of("roster_changes", "coursework_changes", "submission_changes",
        "dead_letters", "registrations", "reconciliation")) {
      for (Map<String, Object> row : DuckDbHistory.rows(path, "SELECT * FROM " + table)) {
        row.values().forEach(v -> all.append(v instanceof byte[] b ? new String(b) : v)
            .append('\n'));
      }
    }
    return all.toString();
  }

  @Test
  public void hashAndDropLeaveNoNameOrEmailInTheDatabaseOrTheLog() throws Exception {
    Run keep = run("keep");
    Set<String> personal = new TreeSet<>();
    for (Map<String, Object> row : DuckDbHistory.rows(keep.path(),
        "SELECT full_name, email_address FROM roster_changes WHERE enrichment_status = 'OK'")) {
      personal.add((String) row.get("full_name"));
      if (row.get("email_address") != null) {
        personal.add((String) row.get("email_address"));
      }
    }
    assertThat(personal.size(), greaterThan(20));
    String keptText = everything(keep.path());
    assertEquals("the KEEP run stores them (the scan can see them)", List.of(),
        personal.stream().filter(v -> !keptText.contains(v)).toList());

    Path key = tmp.newFile("pii.key").toPath();
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    Files.write(key, bytes);
    Run hash = run("hash", "--piiMode=HASH", "--piiKeyFile=" + key);
    Run drop = run("drop", "--piiMode=DROP");
    // Snapshot and reconcile of the same school under HASH: hashed ids match on both sides.
    String hashFile = "--duckdbPath=" + hash.path();
    Result snapshot = RunCommand.main("snapshot", hashFile, "--piiMode=HASH",
        "--piiKeyFile=" + key);
    assertEquals(snapshot.err(), 0, snapshot.exit());
    Result reconcile = RunCommand.main("reconcile", hashFile, "--piiMode=HASH",
        "--piiKeyFile=" + key);
    assertEquals(reconcile.err(), 0, reconcile.exit());
    assertThat(reconcile.out(), containsString(" 0 difference(s)"));
    String commands = snapshot.out() + snapshot.err() + reconcile.out() + reconcile.err();

    for (Run r : List.of(hash, drop)) {
      String stored = everything(r.path());
      String said = r.result().out() + r.result().err() + r.log() + commands;
      for (String value : personal) {
        assertTrue(r.path() + " holds " + value, !stored.contains(value));
        assertTrue("the log of " + r.path() + " holds " + value, !said.contains(value));
      }
    }

    // HASH keeps joins: one student's hashed id is the same in roster and submission rows.
    List<Map<String, Object>> hashed = DuckDbHistory.rows(hash.path(), "SELECT DISTINCT "
        + "r.user_id FROM roster_changes r JOIN submission_changes s ON r.user_id = s.user_id "
        + "AND r.course_id = s.course_id");
    assertThat(hashed.size(), greaterThan(0));
    for (Map<String, Object> row : hashed) {
      assertTrue(((String) row.get("user_id")).matches("[0-9a-f]{64}"));
    }
    assertThat((String) DuckDbHistory.rows(hash.path(), "SELECT resource_json FROM "
        + "roster_changes WHERE enrichment_status = 'OK' LIMIT 1").get(0).get("resource_json"),
        containsString("\"fullName\":\""));

    // DROP: the personal columns are empty; the rest of the row is there.
    Map<String, Object> dropped = DuckDbHistory.rows(drop.path(), "SELECT count(*) AS n, "
        + "count(user_id) AS ids, count(full_name) AS names, count(email_address) AS emails, "
        + "count(course_id) AS courses FROM roster_changes").get(0);
    assertEquals(0L, dropped.get("ids"));
    assertEquals(0L, dropped.get("names"));
    assertEquals(0L, dropped.get("emails"));
    assertEquals(dropped.get("n"), dropped.get("courses"));
    assertNull(DuckDbHistory.rows(drop.path(), "SELECT json_extract_string(resource_json, "
        + "'$.profile.name.fullName') AS name FROM roster_changes WHERE enrichment_status = 'OK' "
        + "LIMIT 1").get(0).get("name"));
  }

  @Test
  public void hashWithoutAKeyIsOneLine() {
    Result r = RunCommand.main("stream", "--piiMode=HASH",
        "--duckdbPath=" + tmp.getRoot() + "/x.duckdb");
    assertEquals(2, r.exit());
    assertThat(r.err(), containsString("--piiMode=HASH needs the HMAC key from exactly one of "
        + "--piiKeyFile or --piiKeySecret"));
    assertEquals(1, r.err().lines().count());
  }
}
