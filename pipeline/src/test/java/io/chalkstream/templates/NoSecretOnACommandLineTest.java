package io.chalkstream.templates;

import static io.chalkstream.templates.Scripts.DATASET;
import static io.chalkstream.templates.Scripts.PROJECT;
import static io.chalkstream.templates.Scripts.REGION;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import io.chalkstream.templates.Scripts.Call;
import io.chalkstream.templates.Scripts.Cloud;
import io.chalkstream.templates.Scripts.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * With an OAuth grant and tokens in reach (a credentials file, the variables gcloud and the
 * client libraries read), no script puts a secret value on a command line or in its output: the
 * grant travels only as a reference to a Secret Manager secret version.
 */
public class NoSecretOnACommandLineTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String SECRET = "SENTINEL-7b1f-refresh-token";

  @Test
  public void noScriptPrintsOrPassesASecretValue() throws Exception {
    Path grant = TMP.getRoot().toPath().resolve("authorized_user.json");
    Files.writeString(grant, "{\"type\": \"authorized_user\", \"client_id\": \"1.apps\", "
        + "\"client_secret\": \"" + SECRET + "-client\", \"refresh_token\": \"" + SECRET + "\"}");
    Map<String, String> env = Map.of("GOOGLE_APPLICATION_CREDENTIALS", grant.toString(),
        "CLOUDSDK_AUTH_ACCESS_TOKEN", SECRET + "-access",
        "CLASSROOM_REFRESH_TOKEN", SECRET);
    String spec = "gs://" + PROJECT + "-chalkstream/templates/chalkstream.json";
    String image = REGION + "-docker.pkg.dev/" + PROJECT + "/chalkstream/chalkstream:latest";

    // Each script's dry run, and its real run against the doubles.
    List<Result> results = new ArrayList<>();
    for (String script : List.of("setup.sh", "teardown.sh", "run.sh")) {
      results.add(Scripts.run(script, Cloud.FORBIDDEN, env, null, "--dry-run", PROJECT, REGION,
          DATASET));
      String[] real = script.equals("teardown.sh")
          ? new String[] {"--yes", PROJECT, REGION, DATASET}
          : new String[] {PROJECT, REGION, DATASET};
      results.add(Scripts.run(script, script.equals("setup.sh") ? Cloud.EMPTY : Cloud.SET_UP,
          env, null, real));
    }
    results.add(Scripts.run("build.sh", Cloud.FORBIDDEN, env, null, "--dry-run", spec, image));

    List<Call> calls = new ArrayList<>();
    for (Result r : results) {
      assertEquals(r.err(), 0, r.exit());
      assertFalse(r.out(), r.out().contains(SECRET));
      assertFalse(r.err(), r.err().contains(SECRET));
      // A dry run's commands, as pasted; a real run's calls.
      calls.addAll(r.calls().isEmpty() ? Scripts.execute(r.out(), Cloud.EMPTY) : r.calls());
    }
    for (Call c : calls) {
      assertFalse(c.toString(), c.toString().contains(SECRET));
      assertFalse("a secret's value is never set or read by the scripts: " + c,
          c.is("secrets", "versions") || c.flag("data-file") != null);
    }
    assertFalse(calls.isEmpty());
  }
}
