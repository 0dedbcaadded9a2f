package io.chalkstream.bench;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code ./chalkstream bench}; each {@code @Description} is its documentation. */
public interface BenchOptions extends PipelineOptions {
  @Description("A smoke run of a few seconds per scenario: small workloads, one repetition, "
      + "1 s windows, a 2,000-message backlog. Options given explicitly still win.")
  @Default.Boolean(false)
  Boolean getQuick();

  void setQuick(Boolean value);

  @Description("Runs per scenario and enricher; figures are medians, ratios are taken within "
      + "each run pair and then the median.")
  @Default.Integer(3)
  Integer getRepetitions();

  void setRepetitions(Integer value);

  @Description("Comma-separated scenarios to run, or all: trickle, roster-import, assignment, "
      + "start-of-term, latency-50ms, latency-200ms, no-latency, throttle-drain, backlog. "
      + "Scenarios with a budget run at the product's --maxCallsPerMinute and "
      + "--maxProjectCallsPerMinute (defaults 1000 and 2500; give them to bench another budget) "
      + "against a test server holding calls to the API's quotas (1,200/min per user, 3,000/min "
      + "per project).")
  @Default.String("all")
  String getScenarios();

  void setScenarios(String value);

  @Description("Window length in seconds of the coalescing pipeline (the stream command's "
      + "--windowSeconds; 5 as on embedded runs).")
  @Default.Integer(5)
  Integer getWindowSeconds();

  void setWindowSeconds(Integer value);

  @Description("Longest a naive-enricher run may take, in seconds; a run cut short reports its "
      + "rate so far (it is latency-bound and steady, so the rate is its throughput).")
  @Default.Integer(20)
  Integer getNaiveMaxSeconds();

  void setNaiveMaxSeconds(Integer value);

  @Description("Longest any run may take, in seconds, before it is cut short and marked so.")
  @Default.Integer(180)
  Integer getRunMaxSeconds();

  void setRunMaxSeconds(Integer value);

  @Description("Messages in the backlog scenario (read by a child JVM with --backlogHeap).")
  @Default.Integer(1_000_000)
  Integer getBacklogMessages();

  void setBacklogMessages(Integer value);

  @Description("The -Xmx of the backlog scenario's child JVM.")
  @Default.String("1g")
  String getBacklogHeap();

  void setBacklogHeap(String value);

  @Description("Where rows go: memory (a counting sink in the benchmark) or duckdb (the "
      + "production DuckDB sink, a temporary file per run).")
  @Default.String("memory")
  String getSink();

  void setSink(String value);
}
