package io.chalkstream.history;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The views of {@code schemas/views/*.sql} (copied into the jar under {@code views/}): one SELECT
 * each, written once for DuckDB and BigQuery ({@code templates/setup.sh} creates them there).
 * Table names in them carry the {@value #DATASET} prefix.
 */
public final class Views {
  /** Placeholder before each table name: empty on DuckDB, {@code `project.dataset`.} on BigQuery. */
  public static final String DATASET = "{{dataset}}";

  private static final String SUFFIX = ".sql";

  private Views() {}

  /** The view names, sorted. */
  public static List<String> names() {
    try {
      // Listed from where this class was loaded: target/classes in a build, the jar otherwise.
      Path root = Path.of(Views.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(root)) {
        return list(root.resolve("views"));
      }
      try (FileSystem jar = FileSystems.newFileSystem(root)) {
        return list(jar.getPath("/views"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list views/ in the jar; rebuild it", e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The SELECT of view {@code name} with {@code datasetPrefix} before each table name. */
  public static String sql(String name, String datasetPrefix) {
    try (InputStream in = Views.class.getResourceAsStream("/views/" + name + SUFFIX)) {
      if (in == null) {
        throw new IllegalArgumentException("no view named " + name + "; views: " + names());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()
          .replace(DATASET, datasetPrefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SELECT of view {@code name} with its table names still prefixed by {@link #DATASET}. */
  public static String template(String name) {
    return sql(name, DATASET);
  }

  /** The SELECT of view {@code name} over the tables of BigQuery dataset {@code project.dataset}. */
  public static String bigQuerySql(String name, String project, String dataset) {
    return sql(name, "`" + project + "." + dataset + "`.");
  }

  /** {@code at} as a TIMESTAMP literal (UTC), read alike by DuckDB and BigQuery. */
  public static String timestamp(org.joda.time.Instant at) {
    return "TIMESTAMP '" + at.toString().replace('T', ' ').replace("Z", "") + "'";
  }

  private static List<String> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is missing");
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(SUFFIX))
          .map(f -> f.substring(0, f.length() - SUFFIX.length()))
          .sorted()
          .toList();
    }
  }
}
