package io.chalkstream.bench;

import java.util.List;

/** What turns notifications into rows in a benchmark run. */
enum Enricher {
  /** The baseline: one synchronous get per notification ({@link NaiveEnricher}). */
  NAIVE("naive"),
  /** The production pipeline with one get per distinct resource of a pane (the old behaviour). */
  GETS("gets"),
  /** The production pipeline on its defaults: course lists where cheaper than gets. */
  LISTS("lists (default)");

  static final List<Enricher> ALL = List.of(LISTS, GETS, NAIVE);
  static final List<Enricher> DEFAULT_AND_NAIVE = List.of(LISTS, NAIVE);

  final String label;

  Enricher(String label) {
    this.label = label;
  }
}
