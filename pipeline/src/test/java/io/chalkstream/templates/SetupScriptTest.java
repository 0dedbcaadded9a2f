package io.chalkstream.templates;

import static io.chalkstream.templates.Scripts.DATASET;
import static io.chalkstream.templates.Scripts.PROJECT;
import static io.chalkstream.templates.Scripts.PROJECT_NUMBER;
import static io.chalkstream.templates.Scripts.REGION;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.chalkstream.history.Table;
import io.chalkstream.history.Views;
import io.chalkstream.templates.Scripts.Call;
import io.chalkstream.templates.Scripts.Cloud;
import io.chalkstream.templates.Scripts.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * {@code templates/setup.sh}: its dry run calls no tool; the commands it prints are run as a reader
 * would paste them, once against an empty project ({@link Cloud#EMPTY}) and once against one that
 * setup has already made ({@link Cloud#SET_UP}), and a real run against the same doubles must make
 * exactly the same calls.
 */
public class SetupScriptTest {
  private static final String WORKER = "serviceAccount:chalkstream-worker@" + PROJECT
      + ".iam.gserviceaccount.com";
  private static Result dryRun;
  /** The calls the printed commands make in an empty project: every create. */
  private static List<Call> intoEmpty;
  /** The calls they make where everything exists: a second run. */
  private static List<Call> intoSetUp;

  @BeforeClass
  public static void dryRun() {
    dryRun = Scripts.run("setup.sh", Cloud.FORBIDDEN, "--dry-run", PROJECT, REGION, DATASET);
    assertEquals(dryRun.err(), 0, dryRun.exit());
    intoEmpty = Scripts.execute(dryRun.out(), Cloud.EMPTY);
    intoSetUp = Scripts.execute(dryRun.out(), Cloud.SET_UP);
  }

  private static List<Call> matching(List<Call> calls, Predicate<Call> predicate) {
    return calls.stream().filter(predicate).toList();
  }

  private static Call only(List<Call> calls, Predicate<Call> predicate, String what) {
    List<Call> found = matching(calls, predicate);
    assertEquals(what + " in " + calls, 1, found.size());
    return found.get(0);
  }

  private static boolean creates(Call c) {
    return c.has("create") || c.is("mk") || c.is("--location=" + REGION, "mk");
  }

  @Test
  public void aDryRunCallsNoToolAndPrintsOnlyCommandsAndComments() {
    assertEquals(List.of(), dryRun.calls());
    assertEquals("", dryRun.err());
    for (String line : dryRun.commandLines()) {
      assertTrue("not a command: " + line, line.startsWith("gcloud ") || line.startsWith("bq ")
          || line.startsWith("if bq show ") || line.startsWith("PROJECT_NUMBER=\"$(gcloud "));
    }
  }

  @Test
  public void classroomsPushServiceAccountMayPublishToTheTopic() {
    int topic = intoEmpty.indexOf(only(intoEmpty,
        c -> c.is("pubsub", "topics", "create", "classroom-notifications"), "topic create"));
    Call grant = only(intoEmpty, c -> c.is("pubsub", "topics", "add-iam-policy-binding",
        "classroom-notifications") && c.flag("role").equals("roles/pubsub.publisher"),
        "publisher grant");
    assertEquals("serviceAccount:classroom-notifications@system.gserviceaccount.com",
        grant.flag("member"));
    assertEquals(PROJECT, grant.flag("project"));
    assertThat(topic, lessThan(intoEmpty.indexOf(grant)));
  }

  @Test
  public void theSubscriptionHasADeadLetterTopicAndKeepsAWeek() {
    Call subscription = only(intoEmpty,
        c -> c.is("pubsub", "subscriptions", "create", "chalkstream"), "subscription create");
    assertEquals("classroom-notifications", subscription.flag("topic"));
    assertEquals("projects/" + PROJECT + "/topics/chalkstream-dead-letter",
        subscription.flag("dead-letter-topic"));
    int attempts = Integer.parseInt(subscription.flag("max-delivery-attempts"));
    assertTrue("Pub/Sub takes 5 to 100 delivery attempts", attempts >= 5 && attempts <= 100);
    assertEquals("7d", subscription.flag("message-retention-duration"));
    assertEquals("never", subscription.flag("expiration-period"));

    // Messages sent to a topic without a subscription are lost: the dead letters have one.
    only(intoEmpty, c -> c.is("pubsub", "topics", "create", "chalkstream-dead-letter"),
        "dead-letter topic");
    Call deadLetters = only(intoEmpty,
        c -> c.is("pubsub", "subscriptions", "create", "chalkstream-dead-letter"),
        "dead-letter subscription");
    assertEquals("chalkstream-dead-letter", deadLetters.flag("topic"));
    assertEquals("7d", deadLetters.flag("message-retention-duration"));

    // Pub/Sub's service agent forwards: publisher on the dead-letter topic, subscriber here.
    String agent = "serviceAccount:service-" + PROJECT_NUMBER + "@gcp-sa-pubsub.iam.gserviceaccount.com";
    Set<String> agentRoles = matching(intoEmpty, c -> agent.equals(c.flag("member"))).stream()
        .map(c -> c.argv().get(2) + " " + c.argv().get(4) + " " + c.flag("role"))
        .collect(Collectors.toSet());
    assertEquals(Set.of("topics chalkstream-dead-letter roles/pubsub.publisher",
        "subscriptions chalkstream roles/pubsub.subscriber"), agentRoles);
  }

  /** What a grant gives, on what: "COMMAND GROUP RESOURCE ROLE", "dataset P:D ROLE" for bq. */
  private static String grant(Call c) {
    if (c.tool().equals("bq")) {
      return (c.has("--dataset") ? "dataset " : "table ") + c.last() + " " + c.flag("role");
    }
    int verb = c.argv().indexOf("add-iam-policy-binding");
    return String.join(" ", c.argv().subList(1, verb)) + " " + c.argv().get(verb + 1) + " "
        + c.flag("role");
  }

  @Test
  public void theWorkerGetsOnlyTheRolesItNeedsEachOnItsOwnResource() {
    Set<String> granted = matching(intoEmpty, c -> WORKER.equals(c.flag("member"))).stream()
        .map(SetupScriptTest::grant).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(Set.of(
        "projects " + PROJECT + " roles/dataflow.worker",
        "projects " + PROJECT + " roles/bigquery.jobUser",
        "pubsub subscriptions chalkstream roles/pubsub.subscriber",
        "pubsub subscriptions chalkstream roles/pubsub.viewer",
        "dataset " + PROJECT + ":" + DATASET + " roles/bigquery.dataEditor",
        "secrets chalkstream-classroom-oauth roles/secretmanager.secretAccessor",
        "storage buckets gs://" + PROJECT + "-chalkstream roles/storage.objectUser",
        "storage buckets gs://" + PROJECT + "-chalkstream roles/storage.legacyBucketReader",
        "artifacts repositories chalkstream roles/artifactregistry.reader")), granted);
    for (Call c : matching(intoEmpty, c -> c.flag("role") != null)) {
      assertTrue("no basic or admin role: " + c, !c.flag("role").matches(
          "roles/(owner|editor|viewer)|.*[aA]dmin"));
    }
    Call account = only(intoEmpty, c -> c.is("iam", "service-accounts", "create"), "worker");
    assertEquals("chalkstream-worker", account.argv().get(4));
  }

  @Test
  public void everyTableIsMadeAsSinkTableSaysFromItsSchemaFile() throws Exception {
    Map<String, Call> made = new TreeMap<>();
    for (Call c : matching(intoEmpty, c -> c.is("mk", "--table"))) {
      assertNull("one bq mk per table: " + c, made.put(c.last(), c));
    }
    Set<String> expected = new TreeSet<>();
    for (Table table : Table.values()) {
      String reference = PROJECT + ":" + DATASET + "." + table.tableName();
      expected.add(reference);
      Call mk = made.get(reference);
      assertNotNull("setup.sh makes no table " + reference, mk);
      Path schema = Repo.root().resolve("schemas").resolve(table.tableName() + ".json");
      assertEquals(schema.toString(), mk.flag("schema"));
      assertEquals("DAY", mk.flag("time_partitioning_type"));
      assertEquals(table.partitionField(), mk.flag("time_partitioning_field"));
      assertEquals(table.clusteringFields().isEmpty() ? null
          : String.join(",", table.clusteringFields()), mk.flag("clustering_fields"));
    }
    assertEquals(expected, made.keySet());
    // Every schema file is a table the sink writes, so the script's loop and the enum agree.
    try (Stream<Path> files = Files.list(Repo.root().resolve("schemas"))) {
      assertEquals(Stream.of(Table.values()).map(t -> t.tableName() + ".json")
              .collect(Collectors.toSet()),
          files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
              .collect(Collectors.toSet()));
    }
    Call dataset = only(intoEmpty, c -> c.has("--dataset") && c.has("mk"), "dataset");
    assertEquals("--location=" + REGION, dataset.argv().get(1));
    assertEquals(PROJECT + ":" + DATASET, dataset.last());
  }

  @Test
  public void theViewsAreViewsBigQuerySqlOfTheirFilesAndKeptCurrent() {
    for (List<Call> calls : List.of(intoEmpty, intoSetUp)) {
      String verb = calls == intoEmpty ? "mk" : "update";
      Set<String> views = new HashSet<>();
      for (Call c : matching(calls, c -> c.is(verb) && c.flag("view") != null)) {
        String name = c.last().substring((PROJECT + ":" + DATASET + ".").length());
        views.add(name);
        assertEquals(name, Views.bigQuerySql(name, PROJECT, DATASET), c.flag("view"));
        assertEquals("false", c.flag("use_legacy_sql"));
      }
      assertEquals(verb, new HashSet<>(Views.names()), views);
    }
  }

  /**
   * How idempotence is shown without a cloud: the dry run prints each create behind a describe
   * of the same resource ({@code DESCRIBE >/dev/null 2>&1 || CREATE}), two dry runs print the
   * same, and running the printed commands where everything exists (a second run) calls no
   * create and no mk: only describes, shows, grants that add a binding already there, the API
   * enabling, and view updates to the same SQL. A real run (below) makes the same calls.
   */
  @Test
  public void aSecondRunCreatesNothing() {
    Result again = Scripts.run("setup.sh", Cloud.FORBIDDEN, "--dry-run", PROJECT, REGION,
        DATASET);
    assertEquals(dryRun.out(), again.out());
    for (Call c : intoSetUp) {
      boolean readOnly = c.has("describe") || c.is("show");
      boolean idempotent = c.is("services", "enable") || c.has("add-iam-policy-binding")
          || c.is("update");
      assertTrue("a second run changes something: " + c, readOnly || idempotent);
    }
    List<Call> created = matching(intoEmpty, SetupScriptTest::creates);
    assertEquals("each create once", created.size(), new HashSet<>(created).size());
    // 2 topics, 2 subscriptions, bucket, repository, secret, service account, dataset, tables
    // and views.
    assertEquals(created.toString(), 9 + Table.values().length + Views.names().size(),
        created.size());
    for (Call create : created) {
      Call before = intoEmpty.get(intoEmpty.indexOf(create) - 1);
      assertTrue(create + " is not guarded by a describe: " + before,
          before.has("describe") || before.is("show"));
    }
  }

  @Test
  public void aRealRunMakesTheCallsTheDryRunPrints() {
    for (Cloud cloud : List.of(Cloud.EMPTY, Cloud.SET_UP)) {
      Result real = Scripts.run("setup.sh", cloud, PROJECT, REGION, DATASET);
      assertEquals(real.err(), 0, real.exit());
      assertEquals(cloud.name(), cloud == Cloud.EMPTY ? intoEmpty : intoSetUp, real.calls());
    }
  }

  @Test
  public void theSecretIsCreatedWithoutAValue() {
    Call secret = only(intoEmpty, c -> c.is("secrets", "create"), "secret");
    assertEquals("chalkstream-classroom-oauth", secret.argv().get(3));
    assertEquals("automatic", secret.flag("replication-policy"));
    assertEquals(List.of(), matching(intoEmpty, c -> c.has("versions") || c.flag("data-file")
        != null));
    // How to add the value is said, from a file.
    assertThat(dryRun.out(), containsString("# 1. Add the OAuth grant"));
    assertThat(dryRun.out(), containsString("gcloud secrets versions add "
        + "chalkstream-classroom-oauth --project=" + PROJECT));
    assertThat(dryRun.out(), containsString("#    --data-file=authorized_user.json"));
  }

  @Test
  public void partitionsExpireAfterTheRetentionPeriod() {
    for (String[] c : new String[][] {{null, "63072000"}, {"--retention-days=30", "2592000"}}) {
      List<String> args = new ArrayList<>(List.of("--dry-run"));
      if (c[0] != null) {
        args.add(c[0]);
      }
      args.addAll(List.of(PROJECT, REGION, DATASET));
      Result r = Scripts.run("setup.sh", Cloud.FORBIDDEN, args.toArray(new String[0]));
      assertEquals(r.err(), 0, r.exit());
      for (String table : List.of("roster_changes", "coursework_changes", "submission_changes",
          "dead_letters", "registrations", "reconciliation")) {
        String ref = PROJECT + ":" + DATASET + "." + table;
        assertThat(r.out(), containsString("--time_partitioning_expiration=" + c[1] + " " + ref
            + "\n"));
        assertThat(r.out(), containsString("\nbq update --time_partitioning_expiration=" + c[1]
            + " " + ref + "\n"));
        // An existing table gains the columns added since (bq update adds NULLABLE ones).
        assertThat(r.out(), containsString("\nbq update --schema="
            + Repo.root().resolve("schemas/" + table + ".json") + " " + ref + "\n"));
      }
    }
    Result bad = Scripts.run("setup.sh", Cloud.FORBIDDEN, "--dry-run", "--retention-days=0",
        PROJECT, REGION, DATASET);
    assertEquals(2, bad.exit());
    assertThat(bad.err(), containsString("--retention-days=0: give a whole number of days"));
  }

  @Test
  public void badArgumentsGetTheUsage() {
    List<List<String>> bad = new ArrayList<>(List.of(
        List.of("--dry-run", PROJECT, REGION),
        List.of("--dry-run", "School_1", REGION, DATASET),
        List.of("--dry-run", PROJECT, "europe", DATASET),
        List.of("--dry-run", PROJECT, REGION, "class-room"),
        List.of("--force", PROJECT, REGION, DATASET)));
    for (List<String> args : bad) {
      Result r = Scripts.run("setup.sh", Cloud.FORBIDDEN, args.toArray(new String[0]));
      assertEquals(args.toString(), 2, r.exit());
      assertThat(r.err(), containsString("usage: templates/setup.sh [--dry-run] "
          + "[--retention-days=N] PROJECT REGION DATASET"));
      assertEquals(List.of(), r.calls());
      assertEquals("", r.out());
    }
  }
}
