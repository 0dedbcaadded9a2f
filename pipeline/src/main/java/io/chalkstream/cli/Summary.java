package io.chalkstream.cli;

import io.chalkstream.stream.ChalkstreamOptions;
import java.io.PrintStream;
import java.util.Map;

/** The closing summary of a local run, with the commands to try next. */
final class Summary {
  private Summary() {}

  static void print(PrintStream out, Map<String, Long> c, ChalkstreamOptions options,
      Simulator.Simulation simulation) {
    long read = c.getOrDefault("messages_read", 0L);
    long calls = c.getOrDefault("get_calls", 0L);
    long saved = c.getOrDefault("get_calls_saved_by_coalescing", 0L);
    out.println();
    out.println("Done. " + read + " messages read"
        + (simulation == null ? "" : " of " + simulation.published() + " published") + ".");
    if (simulation != null && simulation.withheld() > 0) {
      out.println("  withheld:      " + simulation.withheld() + " notifications, on purpose "
          + "(--simulationDropPercent): ./chalkstream reconcile finds what they changed");
    }
    long roster = c.getOrDefault("rows_written_roster_changes", 0L);
    long coursework = c.getOrDefault("rows_written_coursework_changes", 0L);
    long submissions = c.getOrDefault("rows_written_submission_changes", 0L);
    long redelivered = c.entrySet().stream()
        .filter(e -> e.getKey().startsWith("rows_already_written_"))
        .mapToLong(Map.Entry::getValue).sum();
    out.println("  change rows:   " + (roster + coursework + submissions) + " (roster " + roster
        + ", coursework " + coursework + ", submissions " + submissions + ")"
        + (redelivered == 0 ? "" : "; " + redelivered + " redelivered rows were already there"));
    out.println("  dead letters:  " + c.getOrDefault("rows_written_dead_letters", 0L)
        + " (parse " + c.getOrDefault("dead_letters_parse", 0L) + ", filter "
        + c.getOrDefault("dead_letters_filter", 0L) + ", enrich "
        + c.getOrDefault("dead_letters_enrich", 0L) + ")");
    long renewed = c.getOrDefault("registrations_ok", 0L);
    long failed = c.getOrDefault("registrations_failed", 0L);
    if (renewed + failed > 0) {
      out.println("  registrations: " + renewed + " renewed, " + failed + " failed");
    }
    out.println("  statuses:      OK " + c.getOrDefault("rows_ok", 0L) + ", NOT_FOUND "
        + c.getOrDefault("rows_not_found", 0L) + ", PERMISSION_DENIED "
        + c.getOrDefault("rows_permission_denied", 0L) + ", SKIPPED "
        + c.getOrDefault("rows_skipped", 0L) + ", FAILED " + c.getOrDefault("rows_failed", 0L));
    out.println("  get calls:     " + calls + " in " + c.getOrDefault("batch_requests", 0L)
        + " batch requests; " + saved + " saved by coalescing, "
        + c.getOrDefault("get_retries", 0L) + " retried");
    out.println("  list calls:    " + c.getOrDefault("course_list_calls", 0L)
        + " answering panes (--courseLevelFetch), "
        + c.getOrDefault("get_calls_saved_by_lists", 0L) + " gets saved; "
        + c.getOrDefault("quota_refusals", 0L) + " refused for quota (429)");
    if (options.getBigQueryDataset() != null) {
      out.println("Rows are in BigQuery dataset " + options.getBigQueryDataset() + ".");
      return;
    }
    String db = options.getDuckdbPath().equals("chalkstream.duckdb")
        ? "" : " --duckdbPath=" + options.getDuckdbPath();
    out.println();
    out.println("Try next:");
    out.println("  ./chalkstream query" + db + "                      # tables, views and counts");
    out.println("  ./chalkstream query" + db + " roster_current");
    out.println("  ./chalkstream query" + db + " submission_current");
    out.println("  ./chalkstream query" + db + " \"SELECT enrichment_status, count(*) FROM "
        + "roster_changes GROUP BY 1\"");
    out.println("  ./chalkstream query" + db + " \"SELECT stage, error FROM dead_letters LIMIT 10\"");
    if (renewed + failed > 0) {
      out.println("  ./chalkstream query" + db + " \"SELECT feed_type, course_id, registration_id, "
          + "expiry_time, status FROM registrations LIMIT 10\"");
    }
  }
}
