package io.chalkstream.templates;

import static io.chalkstream.templates.Scripts.DATASET;
import static io.chalkstream.templates.Scripts.PROJECT;
import static io.chalkstream.templates.Scripts.REGION;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chalkstream.cli.FlexTemplateMain;
import io.chalkstream.templates.Scripts.Call;
import io.chalkstream.templates.Scripts.Cloud;
import io.chalkstream.templates.Scripts.Result;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.Test;

/** {@code templates/build.sh} and {@code templates/run.sh} in dry runs. */
public class BuildAndRunScriptTest {
  private static final String SPEC = "gs://" + PROJECT + "-chalkstream/templates/chalkstream.json";
  private static final String IMAGE = REGION + "-docker.pkg.dev/" + PROJECT
      + "/chalkstream/chalkstream:latest";

  /** The one command a dry run printed, run against doubles that accept everything. */
  private static List<Call> executed(Result dryRun) {
    assertEquals(dryRun.err(), 0, dryRun.exit());
    assertEquals(List.of(), dryRun.calls());
    return Scripts.execute(dryRun.out(), Cloud.SET_UP);
  }

  @Test
  public void buildMakesTheJarThenTheJava17TemplateOfTheFlexTemplateMain() {
    List<Call> calls = executed(Scripts.run("build.sh", Cloud.FORBIDDEN, "--dry-run", SPEC,
        IMAGE));
    assertEquals(2, calls.size());
    String root = Repo.root().toString();
    assertEquals(List.of("mvn", "-B", "-q", "-f", root + "/pom.xml", "-P", "dataflow-jar", "-pl",
        "pipeline", "-am", "-DskipTests", "package"), calls.get(0).argv());
    Call build = calls.get(1);
    assertTrue(build.toString(), build.is("dataflow", "flex-template", "build", SPEC));
    assertEquals("JAVA", build.flag("sdk-language"));
    assertEquals("JAVA17", build.flag("flex-template-base-image"));
    assertEquals(IMAGE, build.flag("image-gcr-path"));
    assertEquals(root + "/pipeline/target/chalkstream-dataflow.jar", build.flag("jar"));
    assertEquals("FLEX_TEMPLATE_JAVA_MAIN_CLASS=" + FlexTemplateMain.class.getName(),
        build.flag("env"));
    assertEquals(root + "/templates/metadata.json", build.flag("metadata-file"));
    assertEquals(PROJECT, build.flag("project"));
  }

  @Test
  public void jarOnlyBuildsTheDataflowJarAndNoTemplate() {
    List<Call> calls = executed(Scripts.run("build.sh", Cloud.FORBIDDEN, "--dry-run",
        "--jar-only"));
    assertEquals(1, calls.size());
    assertTrue(calls.get(0).toString(), calls.get(0).argv().containsAll(
        List.of("mvn", "-P", "dataflow-jar", "package")));
    Result extra = Scripts.run("build.sh", Cloud.FORBIDDEN, "--dry-run", "--jar-only", SPEC);
    assertEquals(2, extra.exit());
    assertThat(extra.err(), containsString("--jar-only takes no other argument"));
  }

  @Test
  public void buildTakesTheSpecAndImageFromTheEnvironmentAndTheBaseImageToo() {
    String pinned = "gcr.io/dataflow-templates-base/java17-template-launcher-base:20250101";
    Result r = Scripts.run("build.sh", Cloud.FORBIDDEN, Map.of("CHALKSTREAM_TEMPLATE_SPEC", SPEC,
        "CHALKSTREAM_IMAGE", IMAGE, "CHALKSTREAM_BASE_IMAGE", pinned), null, "--dry-run");
    Call build = executed(r).get(1);
    assertTrue(build.is("dataflow", "flex-template", "build", SPEC));
    assertEquals(IMAGE, build.flag("image-gcr-path"));
    assertEquals(pinned, build.flag("flex-template-base-image"));
  }

  @Test
  public void buildSaysWhatIsMissingOrMalformed() {
    Result none = Scripts.run("build.sh", Cloud.FORBIDDEN, "--dry-run");
    assertEquals(2, none.exit());
    assertThat(none.err(), containsString("give TEMPLATE_SPEC and IMAGE, or set "
        + "CHALKSTREAM_TEMPLATE_SPEC and CHALKSTREAM_IMAGE (templates/setup.sh prints both)"));
    Result local = Scripts.run("build.sh", Cloud.FORBIDDEN, "--dry-run", "templates/x.json",
        IMAGE);
    assertEquals(2, local.exit());
    assertThat(local.err(), containsString("TEMPLATE_SPEC 'templates/x.json' is not a "
        + "gs://BUCKET/PATH.json path"));
    assertThat(local.err(), containsString("usage: templates/build.sh"));
    assertEquals(List.of(), local.calls());
  }

  /** The --parameters of a run, split as gcloud splits them (^D^ declares the delimiter). */
  private static Map<String, String> parameters(Call run) {
    String value = run.flag("parameters");
    String delimiter = ",";
    if (value.startsWith("^")) {
      int end = value.indexOf('^', 1);
      delimiter = value.substring(1, end);
      value = value.substring(end + 1);
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String pair : value.split(Pattern.quote(delimiter))) {
      int equals = pair.indexOf('=');
      assertNull("parameter given twice: " + pair,
          parameters.put(pair.substring(0, equals), pair.substring(equals + 1)));
    }
    return parameters;
  }

  private static Call run(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of("--dry-run"));
    all.addAll(List.of(args));
    List<Call> calls = executed(Scripts.run("run.sh", Cloud.FORBIDDEN, env, null,
        all.toArray(new String[0])));
    assertEquals(1, calls.size());
    assertTrue(calls.get(0).toString(), calls.get(0).is("dataflow", "flex-template", "run"));
    return calls.get(0);
  }

  @Test
  public void runLaunchesAStreamingEngineJobAsTheWorkerOnWhatSetupMade() throws Exception {
    Call run = run(Map.of(), PROJECT, REGION, DATASET);
    assertEquals("chalkstream", run.argv().get(4));
    assertEquals(PROJECT, run.flag("project"));
    assertEquals(REGION, run.flag("region"));
    assertEquals(SPEC, run.flag("template-file-gcs-location"));
    assertEquals("chalkstream-worker@" + PROJECT + ".iam.gserviceaccount.com",
        run.flag("service-account-email"));
    assertTrue(run.has("--enable-streaming-engine"));
    assertEquals("2", run.flag("max-workers"));
    assertEquals("gs://" + PROJECT + "-chalkstream/staging", run.flag("staging-location"));
    assertEquals("gs://" + PROJECT + "-chalkstream/temp", run.flag("temp-location"));
    assertTrue(!run.has("--update"));

    Map<String, String> parameters = parameters(run);
    assertEquals(Map.of(
        "subscription", "projects/" + PROJECT + "/subscriptions/chalkstream",
        "bigQueryDataset", PROJECT + ":" + DATASET,
        "classroomCredentialsSecret", "projects/" + PROJECT
            + "/secrets/chalkstream-classroom-oauth/versions/latest"), parameters);
    // The required parameters, each a value its regex in the metadata accepts.
    assertEquals(FlexTemplateMain.REQUIRED_PARAMETERS.keySet(), parameters.keySet());
    JsonNode metadata = new ObjectMapper().readTree(Repo.read("templates/metadata.json"));
    for (JsonNode parameter : metadata.path("parameters")) {
      String value = parameters.get(parameter.path("name").asText());
      for (JsonNode regex : parameter.path("regexes")) {
        assertTrue(value + " against " + regex, value == null
            || Pattern.compile(regex.asText()).matcher(value).matches());
      }
    }
  }

  @Test
  public void runAddsAndReplacesParametersAndUpdatesInPlace() {
    Call run = run(Map.of(), "--update", "--max-workers=5", "--job-name=chalkstream-eu",
        "--worker-machine-type=n2-standard-2", PROJECT, REGION, DATASET, "windowSeconds=30",
        "bigQueryDataset=" + PROJECT + ":other", "courses=101,102");
    assertTrue(run.has("--update"));
    assertEquals("5", run.flag("max-workers"));
    assertEquals("chalkstream-eu", run.argv().get(4));
    assertEquals("n2-standard-2", run.flag("worker-machine-type"));
    assertTrue(run.flag("parameters").startsWith("^~^"));
    Map<String, String> parameters = parameters(run);
    assertEquals(List.of("subscription", "bigQueryDataset", "classroomCredentialsSecret",
        "windowSeconds", "courses"), List.copyOf(parameters.keySet()));
    assertEquals(PROJECT + ":other", parameters.get("bigQueryDataset"));
    assertEquals("101,102", parameters.get("courses"));
  }

  @Test
  public void changedNamesReachSetupAndRunAlike() {
    Map<String, String> env = Map.of("CHALKSTREAM_SUBSCRIPTION", "classroom-history",
        "CHALKSTREAM_BUCKET", "school-1-dataflow", "CHALKSTREAM_SECRET", "classroom-grant");
    Call run = run(env, PROJECT, REGION, DATASET);
    assertEquals("projects/" + PROJECT + "/subscriptions/classroom-history",
        parameters(run).get("subscription"));
    assertEquals("projects/" + PROJECT + "/secrets/classroom-grant/versions/latest",
        parameters(run).get("classroomCredentialsSecret"));
    assertEquals("gs://school-1-dataflow/templates/chalkstream.json",
        run.flag("template-file-gcs-location"));
    List<Call> setup = Scripts.execute(Scripts.run("setup.sh", Cloud.FORBIDDEN, env, null,
        "--dry-run", PROJECT, REGION, DATASET).out(), Cloud.EMPTY);
    assertTrue(setup.stream().anyMatch(c -> c.is("pubsub", "subscriptions", "create",
        "classroom-history")));
    assertTrue(setup.stream().anyMatch(c -> c.is("secrets", "create", "classroom-grant")));
    assertTrue(setup.stream().anyMatch(c -> c.is("storage", "buckets", "create",
        "gs://school-1-dataflow")));
  }

  @Test
  public void runSaysWhatIsWrongWithItsArguments() {
    Map<List<String>, String> bad = Map.of(
        List.of(PROJECT, REGION), "expected PROJECT REGION DATASET, got 2 arguments",
        List.of(PROJECT, REGION, DATASET, "windowSeconds"),
        "'windowSeconds' is not NAME=VALUE (a template parameter, e.g. windowSeconds=30)",
        List.of("--max-workers=0", PROJECT, REGION, DATASET),
        "--max-workers=0 is not a number above 0",
        List.of("--job-name=Chalk_Stream", PROJECT, REGION, DATASET),
        "--job-name=Chalk_Stream: use lowercase letters, digits and hyphens",
        List.of("--zone=x", PROJECT, REGION, DATASET), "unknown option --zone=x");
    for (Map.Entry<List<String>, String> entry : bad.entrySet()) {
      List<String> args = new ArrayList<>(List.of("--dry-run"));
      args.addAll(entry.getKey());
      Result r = Scripts.run("run.sh", Cloud.FORBIDDEN, args.toArray(new String[0]));
      assertEquals(entry.getKey().toString(), 2, r.exit());
      assertThat(r.err(), containsString(entry.getValue()));
      assertEquals("", r.out());
    }
  }
}
