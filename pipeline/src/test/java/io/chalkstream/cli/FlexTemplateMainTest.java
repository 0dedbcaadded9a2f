package io.chalkstream.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.chalkstream.stream.ChalkstreamOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.junit.Test;

/**
 * The flex template's entry point with the arguments Dataflow's launcher gives it: the template
 * parameters plus its own options, in the form its console log shows
 * ({@code java -cp ... MainClass --region=... --templateLocation=.../job_object --runner=...}).
 */
public class FlexTemplateMainTest {
  private static final List<String> PARAMETERS = List.of(
      "--subscription=projects/school-1/subscriptions/chalkstream",
      "--bigQueryDataset=school-1:classroom",
      "--classroomCredentialsSecret=projects/school-1/secrets/chalkstream-classroom-oauth/"
          + "versions/latest",
      "--windowSeconds=30");
  private static final List<String> LAUNCHER_OPTIONS = List.of(
      "--region=europe-west1",
      "--project=school-1",
      "--jobName=chalkstream",
      "--stagingLocation=gs://school-1-chalkstream/staging",
      "--templateLocation=gs://school-1-chalkstream/staging/template_launches/"
          + "2025-09-01_06_48_59-7063673417219263830/job_object",
      "--serviceAccount=chalkstream-worker@school-1.iam.gserviceaccount.com",
      "--maxNumWorkers=3",
      "--enableStreamingEngine=true",
      "--labels={\"goog-dataflow-provided-template-type\" : \"flex\"}");

  private static String[] launcherArgs(List<String> parameters, String... more) {
    List<String> args = new ArrayList<>(LAUNCHER_OPTIONS);
    args.addAll(parameters);
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  /** Exit code and stderr of a run that must stop before anything reaches Google Cloud. */
  private static Map.Entry<Integer, String> refused(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = FlexTemplateMain.run(args, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return Map.entry(code, err.toString(StandardCharsets.UTF_8));
  }

  @Test
  public void launcherArgumentsBecomeAStreamRunOnDataflowThatTheOptionsAccept() {
    String[] stream = FlexTemplateMain.streamArguments(launcherArgs(PARAMETERS,
        "--runner=DataflowRunner"));
    List<String> expected = new ArrayList<>(List.of("stream"));
    expected.addAll(Arrays.asList(launcherArgs(PARAMETERS, "--runner=DataflowRunner")));
    expected.add("--verbose");
    assertEquals(expected, List.of(stream));

    // Every launcher option is one our options know (an unknown one fails the launch).
    ChalkstreamOptions options = Cli.parse(Arrays.copyOfRange(stream, 1, stream.length),
        ChalkstreamOptions.class, "stream");
    assertEquals(DataflowRunner.class, options.getRunner());
    assertEquals("projects/school-1/subscriptions/chalkstream", options.getSubscription());
    assertEquals(Integer.valueOf(30), options.getWindowSeconds());
    DataflowPipelineOptions dataflow = options.as(DataflowPipelineOptions.class);
    assertThat(dataflow.getTemplateLocation(), containsString("/job_object"));
    assertEquals(Map.of("goog-dataflow-provided-template-type", "flex"), dataflow.getLabels());
  }

  @Test
  public void withoutARunnerItRunsOnDataflow() {
    String[] stream = FlexTemplateMain.streamArguments(launcherArgs(PARAMETERS));
    assertEquals(List.of("stream", "--runner=DataflowRunner"), List.of(stream).subList(0, 2));
    ChalkstreamOptions options = Cli.parse(Arrays.copyOfRange(stream, 1, stream.length),
        ChalkstreamOptions.class, "stream");
    assertEquals(DataflowRunner.class, options.getRunner());
  }

  @Test
  public void eachMissingRequiredParameterIsNamedWithAnExample() {
    for (Map.Entry<String, String> required : FlexTemplateMain.REQUIRED_PARAMETERS.entrySet()) {
      List<String> without = new ArrayList<>(PARAMETERS);
      without.removeIf(p -> p.startsWith("--" + required.getKey() + "="));
      assertEquals(PARAMETERS.size() - 1, without.size());
      Map.Entry<Integer, String> r = refused(launcherArgs(without));
      assertEquals(Integer.valueOf(2), r.getKey());
      assertEquals("chalkstream flex template: the template parameter " + required.getKey()
          + " is missing; launch with --parameters=" + required.getKey() + "="
          + required.getValue() + " (templates/run.sh passes it)\n", r.getValue());
      // Blank counts as missing.
      assertEquals(Integer.valueOf(2), refused(launcherArgs(without,
          "--" + required.getKey() + "=")).getKey());
    }
  }

  @Test
  public void localOnlyOptionsAreRefusedWithTheReason() {
    for (Map.Entry<String, String> local : FlexTemplateMain.LOCAL_ONLY_OPTIONS.entrySet()) {
      Map.Entry<Integer, String> r = refused(launcherArgs(PARAMETERS,
          "--" + local.getKey() + "=x"));
      assertEquals(Integer.valueOf(2), r.getKey());
      assertEquals("chalkstream flex template: --" + local.getKey() + " is for local runs only ("
          + local.getValue() + "); remove it from the template parameters\n", r.getValue());
    }
  }

  @Test
  public void anotherRunnerOrAPositionalArgumentIsRefused() {
    Map.Entry<Integer, String> r = refused(launcherArgs(PARAMETERS, "--runner=DirectRunner"));
    assertEquals(Integer.valueOf(2), r.getKey());
    assertThat(r.getValue(), containsString("--runner=DirectRunner: the flex template runs on "
        + "Dataflow only"));
    r = refused(launcherArgs(PARAMETERS, "stream"));
    assertEquals(Integer.valueOf(2), r.getKey());
    assertThat(r.getValue(), containsString("unexpected argument 'stream'"));
    // A bare flag counts as given (Beam reads it as true): a bare local-only one is refused too.
    assertThrows(Cli.UsageError.class, () -> FlexTemplateMain.streamArguments(
        launcherArgs(PARAMETERS, "--duckdbPath")));
  }
}
