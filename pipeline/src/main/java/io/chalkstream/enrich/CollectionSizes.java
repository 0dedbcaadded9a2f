package io.chalkstream.enrich;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each list has cost, in pages (calls), learned as complete lists come back; shared by the
 * JVM's enrichment threads. A list never read is taken to fit in one page (the most a first try
 * can waste is the pages beyond it, once per list). The most recently used {@value #CAPACITY}
 * lists are remembered, so a district's worth of courses fits in a few megabytes.
 */
final class CollectionSizes {
  static final int CAPACITY = 200_000;
  private static final CollectionSizes SHARED = new CollectionSizes(CAPACITY);

  private final Map<CourseList, Integer> pages;

  CollectionSizes(int capacity) {
    this.pages = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<CourseList, Integer> eldest) {
        return size() > capacity;
      }
    };
  }

  static CollectionSizes shared() {
    return SHARED;
  }

  /** The pages listing {@code list} is expected to cost. */
  synchronized int pages(CourseList list) {
    return pages.getOrDefault(list, 1);
  }

  synchronized void learned(CourseList list, int pagesRead) {
    pages.put(list, Math.max(1, pagesRead));
  }
}
