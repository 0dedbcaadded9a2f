package io.chalkstream.cli;

import io.chalkstream.stream.ChalkstreamOptions;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Help text for a command, built from the {@code @Description} of each option so the help cannot
 * drift from the code. Beam's own options appear only where a Chalkstream user needs them.
 */
public final class OptionsHelp {
  /** Beam options worth listing beside Chalkstream's own. */
  private static final Set<String> BEAM_OPTIONS =
      Set.of("runner", "pubsubRootUrl", "project", "region", "tempLocation", "maxNumWorkers");

  private OptionsHelp() {}

  static void print(PrintStream out, String usage, Class<? extends PipelineOptions> options,
      List<Class<?>> ours) {
    print(out, usage, options, ours, Set.of());
  }

  /** As above, also listing the options named in {@code alsoNamed} wherever declared. */
  static void print(PrintStream out, String usage, Class<? extends PipelineOptions> options,
      List<Class<?>> ours, Set<String> alsoNamed) {
    out.println(usage);
    out.println();
    List<String[]> rows = new ArrayList<>();
    for (Method getter : options.getMethods()) {
      String name = propertyName(getter);
      Description description = getter.getAnnotation(Description.class);
      if (name == null || description == null) {
        continue;
      }
      boolean isOurs = ours.contains(getter.getDeclaringClass());
      if (!isOurs && !BEAM_OPTIONS.contains(name) && !alsoNamed.contains(name)) {
        continue;
      }
      rows.add(new String[] {name, description.value() + defaultOf(getter)});
    }
    rows.sort((a, b) -> a[0].compareTo(b[0]));
    for (String[] row : rows) {
      out.println("  --" + row[0]);
      out.println(wrap(row[1], 6, 96));
    }
    out.println();
    out.println("  --verbose");
    out.println(wrap("Print stack traces with errors.", 6, 96));
  }

  static void registerAll() {
    PipelineOptionsFactory.register(ChalkstreamOptions.class);
  }

  private static String propertyName(Method m) {
    String n = m.getName();
    if (m.getParameterCount() != 0) {
      return null;
    }
    if (n.startsWith("get") && n.length() > 3) {
      return Character.toLowerCase(n.charAt(3)) + n.substring(4);
    }
    if (n.startsWith("is") && n.length() > 2) {
      return Character.toLowerCase(n.charAt(2)) + n.substring(3);
    }
    return null;
  }

  private static String defaultOf(Method getter) {
    String value = defaultValue(getter);
    return value == null ? "" : " Default: " + value + ".";
  }

  /** The {@code @Default} of an option's getter as text, or null when it has none. */
  public static String defaultValue(Method getter) {
    Default.String s = getter.getAnnotation(Default.String.class);
    Default.Integer i = getter.getAnnotation(Default.Integer.class);
    Default.Boolean b = getter.getAnnotation(Default.Boolean.class);
    Default.Enum e = getter.getAnnotation(Default.Enum.class);
    return s != null ? s.value() : i != null ? String.valueOf(i.value())
        : b != null ? String.valueOf(b.value()) : e != null ? e.value() : null;
  }

  private static String wrap(String text, int indent, int width) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder(" ".repeat(indent));
    for (String word : text.split(" ")) {
      if (line.length() + word.length() + 1 > width && line.length() > indent) {
        out.append(line).append('\n');
        line = new StringBuilder(" ".repeat(indent));
      }
      if (line.length() > indent) {
        line.append(' ');
      }
      line.append(word);
    }
    return out.append(line).toString();
  }
}
