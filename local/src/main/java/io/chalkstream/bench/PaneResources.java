package io.chalkstream.bench;

import io.chalkstream.simulator.School;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The distinct resources of each list a pane could have been answered from, recorded from the
 * rows of one run (shared in the JVM by name because the runner deserializes the sink). A list is
 * one collection of one course (submissions: of one course work) in one window's pane. From them,
 * the <em>course-list floor</em>: per list, the smaller of its distinct resources (one get each)
 * and the pages needed to list that collection, summed.
 */
final class PaneResources {
  private static final Map<String, PaneResources> BY_NAME = new ConcurrentHashMap<>();

  /** One list of one pane: collection, course, course work (submissions only), window, pane. */
  record Group(String collection, String course, String courseWork, String pane) {}

  private final Map<Group, Set<String>> resources = new ConcurrentHashMap<>();

  static PaneResources named(String name) {
    return BY_NAME.computeIfAbsent(name, n -> new PaneResources());
  }

  static void forget(String name) {
    BY_NAME.remove(name);
  }

  void record(Group group, String resource) {
    resources.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(resource);
  }

  /** Distinct resources per list, summed: the calls of one get per resource. */
  long distinct() {
    return resources.values().stream().mapToLong(Set::size).sum();
  }

  /**
   * The course-list floor with pages of {@code pageSize}, sized from {@code school} as the test
   * server answers lists (its state after the workload was recorded), -1 with nothing recorded.
   */
  long floor(School school, int pageSize) {
    if (resources.isEmpty()) {
      return -1;
    }
    long floor = 0;
    for (Map.Entry<Group, Set<String>> e : resources.entrySet()) {
      long pages = Math.max(1, (size(school, e.getKey()) + pageSize - 1) / pageSize);
      floor += Math.min(e.getValue().size(), pages);
    }
    return floor;
  }

  private static int size(School school, Group g) {
    return switch (g.collection()) {
      case "courses.students" -> school.students(g.course()).size();
      case "courses.teachers" -> school.teachers(g.course()).size();
      case "courses.courseWork" -> school.courseWork(g.course()).size();
      case "courses.courseWork.studentSubmissions" ->
          school.submissions(g.course(), g.courseWork()).size();
      default -> throw new IllegalArgumentException("no list for " + g.collection());
    };
  }
}
