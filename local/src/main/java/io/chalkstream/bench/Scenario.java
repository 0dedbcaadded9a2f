package io.chalkstream.bench;

import io.chalkstream.simulator.ActivityGenerator;
import io.chalkstream.simulator.NotificationChannel;
import io.chalkstream.simulator.School;
import java.util.List;

/**
 * The benchmark's scenarios: a school, a workload, the API's latency, whether the job's call
 * budget (the product's defaults) and the API's quotas are on, and the enrichers compared.
 */
enum Scenario {
  // About 13 notifications and 750 gets a minute, below the budget: changes spread thin, where
  // the get-or-list rule must not list.
  TRICKLE("trickle", "steady trickle below the budget: 3 steps of mixed school life a second "
      + "for 100 s", 0, true, Enricher.ALL),
  ROSTER_IMPORT("roster-import", "roster import burst: 30 students into each course at once", 0,
      true, Enricher.DEFAULT_AND_NAIVE),
  ASSIGNMENT("assignment", "an assignment per course, its 30 submissions turned in and graded",
      0, true, Enricher.DEFAULT_AND_NAIVE),
  START_OF_TERM("start-of-term", "first day of term: 40 courses' rosters of 32 imported, then "
      + "60 assignments posted, turned in and returned graded over half a minute each, in 6.5 "
      + "minutes", 0, true, Enricher.ALL),
  LATENCY_50("latency-50ms", "a burst of mixed school life, API latency 50 ms, no budget or "
      + "quota", 50, false, Enricher.DEFAULT_AND_NAIVE),
  LATENCY_200("latency-200ms", "a burst of mixed school life, API latency 200 ms, no budget or "
      + "quota", 200, false, Enricher.DEFAULT_AND_NAIVE),
  NO_LATENCY("no-latency", "a large burst of mixed school life: parse, window, write", 0, false,
      Enricher.DEFAULT_AND_NAIVE),
  THROTTLE_DRAIN("throttle-drain", "assignments enough for minutes of calls, drained by the "
      + "budget", 0, true, Enricher.DEFAULT_AND_NAIVE),
  BACKLOG("backlog", "a backlog read from the start, in a child JVM: peak heap", 0, false,
      List.of(Enricher.LISTS));

  final String id;
  final String what;
  final long latencyMillis;
  /** The product's default call budget on, against a test server that enforces the quotas. */
  final boolean quota;
  final List<Enricher> enrichers;

  Scenario(String id, String what, long latencyMillis, boolean quota, List<Enricher> enrichers) {
    this.id = id;
    this.what = what;
    this.latencyMillis = latencyMillis;
    this.quota = quota;
    this.enrichers = enrichers;
  }

  static Scenario byId(String id) {
    for (Scenario s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown scenario '" + id + "'; one of "
        + java.util.Arrays.stream(values()).map(s -> s.id).toList());
  }

  /** The school the test server starts from. */
  School school(long seed) {
    // Start of term: courses and teachers exist, rosters and course work are still empty.
    return this == START_OF_TERM ? School.synthetic(seed, 40, 0, 0)
        : School.synthetic(seed, 20, 30, 3);
  }

  /** Records this scenario's notifications; the generator changes {@code school} as it goes. */
  Workload workload(ActivityGenerator generator, NotificationChannel recorder, School school,
      boolean quick) {
    List<String> courses = school.courses().stream().map(c -> c.getId()).toList();
    return switch (this) {
      case TRICKLE -> Workload.trickle(generator, recorder, quick ? 20 : 300, 3);
      case ROSTER_IMPORT -> Workload.perCourse(courses, recorder, quick ? 3 : courses.size(),
          course -> generator.rosterImport(course, 30));
      case ASSIGNMENT -> Workload.perCourse(courses, recorder, quick ? 2 : courses.size(),
          generator::assignmentTurnedInAndGraded);
      case START_OF_TERM -> quick
          ? Workload.startOfTerm(generator, recorder, courses.subList(0, 2), 32, 1_000, 2, 2_000,
              4_000, 2)
          : Workload.startOfTerm(generator, recorder, courses, 32, 1_500, 60, 4_000, 30_000, 6);
      case LATENCY_50, LATENCY_200 ->
          Workload.burstOfSteps(generator, recorder, quick ? 300 : 5_000);
      case NO_LATENCY -> Workload.burstOfSteps(generator, recorder, quick ? 1_000 : 20_000);
      case THROTTLE_DRAIN -> Workload.perCourse(courses, recorder, quick ? 3 : 130,
          generator::assignmentTurnedInAndGraded);
      case BACKLOG -> Workload.burstOfSteps(generator, recorder, 20_000);
    };
  }
}
