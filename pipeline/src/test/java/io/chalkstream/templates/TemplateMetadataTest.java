package io.chalkstream.templates;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chalkstream.cli.FlexTemplateMain;
import io.chalkstream.cli.OptionsHelp;
import io.chalkstream.history.BigQuerySink;
import io.chalkstream.history.BigQuerySinkOptions;
import io.chalkstream.stream.ChalkstreamOptions;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * {@code templates/metadata.json} against the options of {@code ./chalkstream stream}, found by
 * reflection: every option a Chalkstream interface declares is a template parameter unless
 * {@link FlexTemplateMain#LOCAL_ONLY_OPTIONS} names it, and nothing else is. A new option fails
 * here until the metadata describes it.
 */
public class TemplateMetadataTest {
  private static JsonNode metadata;
  private static final Map<String, JsonNode> PARAMETERS = new LinkedHashMap<>();

  @BeforeClass
  public static void readMetadata() throws Exception {
    metadata = new ObjectMapper().readTree(Repo.read("templates/metadata.json"));
    for (JsonNode parameter : metadata.path("parameters")) {
      String name = parameter.path("name").asText();
      if (PARAMETERS.put(name, parameter) != null) {
        fail("templates/metadata.json lists parameter " + name + " twice; keep one");
      }
    }
  }

  /** Getters of the options that Chalkstream's own interfaces declare, by option name. */
  static Map<String, Method> chalkstreamOptions() {
    Map<String, Method> options = new TreeMap<>();
    for (Method getter : ChalkstreamOptions.class.getMethods()) {
      String name = getter.getName();
      boolean isGetter = getter.getParameterCount() == 0
          && (name.startsWith("get") && name.length() > 3
              || name.startsWith("is") && name.length() > 2);
      if (isGetter && getter.getDeclaringClass().getPackageName().startsWith("io.chalkstream")) {
        String property = name.startsWith("get") ? name.substring(3) : name.substring(2);
        options.put(Character.toLowerCase(property.charAt(0)) + property.substring(1), getter);
      }
    }
    return options;
  }

  /** The options a Dataflow job takes: all of ours but the local-only ones. */
  static Map<String, Method> templateOptions() {
    Map<String, Method> options = chalkstreamOptions();
    options.keySet().removeAll(FlexTemplateMain.LOCAL_ONLY_OPTIONS.keySet());
    return options;
  }

  private static String codeDefault(Method getter) {
    return OptionsHelp.defaultValue(getter);
  }

  @Test
  public void theExclusionsAndRequiredParametersNameRealOptions() {
    Set<String> options = chalkstreamOptions().keySet();
    for (String name : FlexTemplateMain.LOCAL_ONLY_OPTIONS.keySet()) {
      assertTrue("FlexTemplateMain.LOCAL_ONLY_OPTIONS names " + name + ", which is no option of "
          + "./chalkstream stream any more; remove it there", options.contains(name));
    }
    for (String name : FlexTemplateMain.REQUIRED_PARAMETERS.keySet()) {
      assertTrue("FlexTemplateMain.REQUIRED_PARAMETERS names " + name + ", which is no option "
          + "of ./chalkstream stream; remove it there", options.contains(name));
      assertFalse(name + " is both required and local-only in FlexTemplateMain; it cannot be both",
          FlexTemplateMain.LOCAL_ONLY_OPTIONS.containsKey(name));
    }
    for (Map.Entry<String, Method> option : chalkstreamOptions().entrySet()) {
      assertTrue("option " + option.getKey() + " has no @Description; give it one (it is the "
          + "option's documentation)", option.getValue().isAnnotationPresent(Description.class));
    }
  }

  @Test
  public void parametersAreExactlyTheOptionsOfTheDataflowJob() {
    Set<String> missing = new TreeSet<>(templateOptions().keySet());
    missing.removeAll(PARAMETERS.keySet());
    Set<String> extra = new TreeSet<>(PARAMETERS.keySet());
    extra.removeAll(templateOptions().keySet());
    assertEquals("options missing from templates/metadata.json (add a parameter with label, "
        + "helpText, isOptional and regexes for each, or, if one makes sense only locally, name it "
        + "in FlexTemplateMain.LOCAL_ONLY_OPTIONS), then parameters that are no option of "
        + "./chalkstream stream (a launch with them would fail: remove them)",
        List.of(Set.of(), Set.of()), List.of(missing, extra));
  }

  @Test
  public void requiredParametersAreTheOnesTheCodeRequires() {
    Set<String> required = new TreeSet<>();
    for (JsonNode parameter : PARAMETERS.values()) {
      JsonNode optional = parameter.get("isOptional");
      assertTrue("parameter " + parameter.path("name").asText() + " needs \"isOptional\": true "
          + "or false", optional != null && optional.isBoolean());
      if (!optional.asBoolean()) {
        required.add(parameter.path("name").asText());
      }
    }
    assertEquals("isOptional=false in templates/metadata.json must be exactly "
        + "FlexTemplateMain.REQUIRED_PARAMETERS", new TreeSet<>(
            FlexTemplateMain.REQUIRED_PARAMETERS.keySet()), required);
  }

  @Test
  public void everyParameterHasALabelHelpTextAndRegexesThatTheDefaultMatches() {
    Map<String, Method> options = templateOptions();
    List<String> problems = new ArrayList<>();
    for (JsonNode parameter : PARAMETERS.values()) {
      String name = parameter.path("name").asText();
      if (parameter.path("label").asText().isBlank()) {
        problems.add(name + ": give it a label");
      }
      if (parameter.path("helpText").asText().isBlank()) {
        problems.add(name + ": give it a helpText");
      }
      List<Pattern> regexes = new ArrayList<>();
      for (JsonNode regex : parameter.path("regexes")) {
        try {
          regexes.add(Pattern.compile(regex.asText()));
        } catch (PatternSyntaxException e) {
          problems.add(name + ": regex " + regex.asText() + " does not compile: " + e.getMessage());
        }
      }
      if (regexes.isEmpty()) {
        problems.add(name + ": give it regexes that describe the shape of its value");
      }
      Method getter = options.get(name);
      if (getter == null) {
        continue; // reported by parametersAreExactlyTheOptionsOfTheDataflowJob
      }
      String codeDefault = codeDefault(getter);
      String metadataDefault = parameter.has("defaultValue")
          ? parameter.get("defaultValue").asText() : null;
      if (!Objects.equals(codeDefault, metadataDefault)) {
        problems.add(name + ": defaultValue is " + metadataDefault + " but the option's @Default "
            + "is " + codeDefault + "; make them equal (or drop defaultValue where there is none)");
      }
      for (Pattern regex : regexes) {
        if (codeDefault != null && !regex.matcher(codeDefault).matches()) {
          problems.add(name + ": the default " + codeDefault + " does not match " + regex);
        }
      }
    }
    assertEquals("templates/metadata.json", List.of(), problems);
  }

  @Test
  public void theTemplateIsAStreamingTemplateWithANameAndDescription() {
    assertEquals("Chalkstream", metadata.path("name").asText());
    assertFalse(metadata.path("description").asText().isBlank());
    assertTrue(metadata.path("streaming").asBoolean());
  }

  private static boolean matches(String parameter, String value) {
    assertTrue("templates/metadata.json has no parameter " + parameter, PARAMETERS.containsKey(
        parameter));
    for (JsonNode regex : PARAMETERS.get(parameter).path("regexes")) {
      if (!Pattern.compile(regex.asText()).matcher(value).matches()) {
        return false;
      }
    }
    return true;
  }

  @Test
  public void shapedParametersAcceptGoodValuesAndRefuseBadOnes() {
    assertTrue(matches("subscription", "projects/school-1/subscriptions/chalkstream"));
    assertFalse(matches("subscription", "chalkstream"));
    assertFalse(matches("subscription", "projects/school-1/topics/classroom-notifications"));
    assertTrue(matches("classroomCredentialsSecret",
        "projects/school-1/secrets/chalkstream-classroom-oauth/versions/latest"));
    assertFalse(matches("classroomCredentialsSecret",
        "projects/school-1/secrets/chalkstream-classroom-oauth"));
    assertTrue(matches("classroomDelegatedUser", "admin@school.example"));
    assertFalse(matches("classroomDelegatedUser", "admin"));
    assertTrue(matches("windowSeconds", "30"));
    assertFalse(matches("windowSeconds", "0"));
    assertFalse(matches("windowSeconds", "30s"));
    assertTrue(matches("bigQueryWriteStreams", "0"));
    assertFalse(matches("fetchEmails", "yes"));
    assertFalse(matches("bigQueryWriteMethod", "STREAMING_INSERTS"));
  }

  @Test
  public void theDatasetRegexAgreesWithTheSink() {
    for (String dataset : List.of("school-1:classroom", "my-project:classroom_2", "p:d",
        "example.com:school-1:classroom", "School-1:classroom", "school-1.classroom",
        "school-1:class-room", "school-1:")) {
      BigQuerySinkOptions options = PipelineOptionsFactory.as(BigQuerySinkOptions.class);
      options.setBigQueryDataset(dataset);
      boolean sinkAccepts;
      try {
        BigQuerySink.from(options);
        sinkAccepts = true;
      } catch (IllegalArgumentException e) {
        sinkAccepts = false;
      }
      assertEquals("bigQueryDataset=" + dataset + ": metadata regex and BigQuerySink disagree",
          sinkAccepts, matches("bigQueryDataset", dataset));
    }
  }
}
