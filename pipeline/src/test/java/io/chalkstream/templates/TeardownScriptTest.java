package io.chalkstream.templates;

import static io.chalkstream.templates.Scripts.DATASET;
import static io.chalkstream.templates.Scripts.PROJECT;
import static io.chalkstream.templates.Scripts.REGION;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.chalkstream.templates.Scripts.Call;
import io.chalkstream.templates.Scripts.Cloud;
import io.chalkstream.templates.Scripts.Result;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.BeforeClass;
import org.junit.Test;

/** {@code templates/teardown.sh}: removes what setup made, and asks before it deletes data. */
public class TeardownScriptTest {
  private static final String WORKER_EMAIL = "chalkstream-worker@" + PROJECT
      + ".iam.gserviceaccount.com";
  /** Deletions that lose data, in the order the script asks about them. */
  private static final List<String> DATA = List.of(
      "gcloud pubsub subscriptions delete chalkstream",
      "gcloud pubsub subscriptions delete chalkstream-dead-letter",
      "bq rm -r -f -d " + PROJECT + ":" + DATASET,
      "gcloud secrets delete chalkstream-classroom-oauth",
      "gcloud storage rm --recursive gs://" + PROJECT + "-chalkstream");
  private static final List<String> NOT_DATA = List.of(
      "gcloud projects remove-iam-policy-binding " + PROJECT,
      "gcloud iam service-accounts delete " + WORKER_EMAIL,
      "gcloud artifacts repositories delete chalkstream",
      "gcloud pubsub topics delete classroom-notifications",
      "gcloud pubsub topics delete chalkstream-dead-letter");

  private static Result dryRun;
  private static List<Call> fromSetUp;

  @BeforeClass
  public static void dryRun() {
    dryRun = Scripts.run("teardown.sh", Cloud.FORBIDDEN, "--dry-run", PROJECT, REGION, DATASET);
    assertEquals(dryRun.err(), 0, dryRun.exit());
    fromSetUp = Scripts.execute(dryRun.out(), Cloud.SET_UP);
  }

  /** The deletions among the calls, as "TOOL ARGS" up to the first flag that is not -r/-f/-d. */
  private static Set<String> deletions(List<Call> calls) {
    Set<String> deleted = new TreeSet<>();
    for (Call c : calls) {
      if (c.has("delete") || c.is("rm") || c.is("storage", "rm")
          || c.has("remove-iam-policy-binding")) {
        String line = c.toString();
        for (String prefix : DATA) {
          if (line.startsWith(prefix)) {
            deleted.add(prefix);
          }
        }
        for (String prefix : NOT_DATA) {
          if (line.startsWith(prefix)) {
            deleted.add(prefix);
          }
        }
      }
    }
    return deleted;
  }

  private static Set<String> all(List<String> a, List<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  public void aDryRunCallsNothingAndMarksWhatARealRunAsksAbout() {
    assertEquals(List.of(), dryRun.calls());
    List<String> lines = dryRun.out().lines().toList();
    for (String data : DATA) {
      int at = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains("then " + data)) {
          at = i;
        }
      }
      assertTrue("no command " + data + " in\n" + dryRun.out(), at > 0);
      assertTrue("no question before " + data, lines.get(at - 1).startsWith("# asks first: "));
    }
  }

  @Test
  public void itRemovesEverythingSetupMadeWhereItExists() {
    assertEquals(all(DATA, NOT_DATA), deletions(fromSetUp));
    // Every deletion is guarded by a describe, so a second teardown deletes nothing.
    assertEquals(Set.of(), deletions(Scripts.execute(dryRun.out(), Cloud.EMPTY)));
    Call binding = fromSetUp.stream().filter(c -> c.has("remove-iam-policy-binding")).findFirst()
        .orElseThrow();
    assertEquals("serviceAccount:" + WORKER_EMAIL, binding.flag("member"));
    assertEquals("roles/dataflow.worker", binding.flag("role"));
    assertTrue("the project role goes before the account",
        fromSetUp.indexOf(binding) < fromSetUp.indexOf(fromSetUp.stream()
            .filter(c -> c.is("iam", "service-accounts", "delete")).findFirst().orElseThrow()));
  }

  @Test
  public void aRealRunDeletesDataOnlyOnYes() {
    // Answers in the order of DATA: yes to the subscription and the secret only.
    Result r = Scripts.run("teardown.sh", Cloud.SET_UP, Map.of(), "yes\nno\nno\nyes\nmaybe\n",
        PROJECT, REGION, DATASET);
    assertEquals(r.err(), 0, r.exit());
    assertEquals(all(List.of(DATA.get(0), DATA.get(3)), NOT_DATA), deletions(r.calls()));
    assertThat(r.err(), containsString("Delete BigQuery dataset " + PROJECT + ":" + DATASET
        + " with every table and view in it (the change history)? Type yes to delete: kept."));
  }

  @Test
  public void withoutAnswersItKeepsTheData() {
    Result r = Scripts.run("teardown.sh", Cloud.SET_UP, PROJECT, REGION, DATASET);
    assertEquals(r.err(), 0, r.exit());
    assertEquals(new TreeSet<>(NOT_DATA), deletions(r.calls()));
  }

  @Test
  public void withYesARealRunMakesTheCallsTheDryRunPrints() {
    Result r = Scripts.run("teardown.sh", Cloud.SET_UP, "--yes", PROJECT, REGION, DATASET);
    assertEquals(r.err(), 0, r.exit());
    assertEquals(fromSetUp, r.calls());
  }

  @Test
  public void itRefusesWhileAJobRuns() {
    Result r = Scripts.run("teardown.sh", Cloud.SET_UP,
        Map.of("FAKE_CLOUD_JOBS", "2025-09-01_06_48_59-7063673417219263830\n"), null, "--yes",
        PROJECT, REGION, DATASET);
    assertEquals(1, r.exit());
    assertThat(r.err(), containsString("Chalkstream jobs are running in " + REGION
        + ": 2025-09-01_06_48_59-7063673417219263830 - drain each first (gcloud dataflow jobs "
        + "drain JOB_ID --region=" + REGION + " --project=" + PROJECT + ")"));
    assertEquals(1, r.calls().size());
    Call list = r.calls().get(0);
    assertTrue(list.toString(), list.is("dataflow", "jobs", "list"));
    assertEquals("active", list.flag("status"));
    assertEquals(Set.of(), deletions(r.calls()));
  }

  @Test
  public void badArgumentsGetTheUsage() {
    for (String[] args : List.of(new String[] {PROJECT, REGION},
        new String[] {"--force", PROJECT, REGION, DATASET})) {
      Result r = Scripts.run("teardown.sh", Cloud.FORBIDDEN, args);
      assertEquals(2, r.exit());
      assertThat(r.err(), containsString("usage: templates/teardown.sh [--dry-run] [--yes] "
          + "PROJECT REGION DATASET"));
      assertEquals(List.of(), r.calls());
    }
  }
}
