package io.chalkstream.bench;

import io.chalkstream.simulator.ActivityGenerator;
import io.chalkstream.simulator.NotificationChannel;
import io.chalkstream.simulator.School;
import java.util.List;

/** The benchmark's scenarios: a workload, the API's latency, and whether the throttle is on. */
enum Scenario {
  // About 21 notifications and 1,250 calls a minute: below the 3,000 quota, so the throttle never
  // waits and latency is the window's own.
  TRICKLE("trickle", "steady trickle below the quota: 5 steps of mixed school life a second for "
      + "60 s", 0, true),
  ROSTER_IMPORT("roster-import", "roster import burst: 30 students into each course at once", 0,
      true),
  ASSIGNMENT("assignment", "an assignment per course, its 30 submissions turned in and graded",
      0, true),
  LATENCY_50("latency-50ms", "a burst of mixed school life, API latency 50 ms, throttle off", 50,
      false),
  LATENCY_200("latency-200ms", "a burst of mixed school life, API latency 200 ms, throttle off",
      200, false),
  NO_LATENCY("no-latency", "a large burst of mixed school life: parse, window, write", 0, false),
  THROTTLE_DRAIN("throttle-drain", "assignments enough for minutes of calls, drained by the "
      + "throttle", 0, true),
  BACKLOG("backlog", "a backlog read from the start, in a child JVM: peak heap", 0, false);

  final String id;
  final String what;
  final long latencyMillis;
  final boolean throttled;

  Scenario(String id, String what, long latencyMillis, boolean throttled) {
    this.id = id;
    this.what = what;
    this.latencyMillis = latencyMillis;
    this.throttled = throttled;
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

  /** Records this scenario's notifications; the generator changes {@code school} as it goes. */
  Workload workload(ActivityGenerator generator, NotificationChannel recorder, School school,
      boolean quick) {
    List<String> courses = school.courses().stream().map(c -> c.getId()).toList();
    return switch (this) {
      case TRICKLE -> Workload.trickle(generator, recorder, quick ? 20 : 300, 5);
      case ROSTER_IMPORT -> Workload.perCourse(courses, recorder, quick ? 3 : courses.size(),
          course -> generator.rosterImport(course, 30));
      case ASSIGNMENT -> Workload.perCourse(courses, recorder, quick ? 2 : courses.size(),
          generator::assignmentTurnedInAndGraded);
      case LATENCY_50, LATENCY_200 ->
          Workload.burstOfSteps(generator, recorder, quick ? 300 : 5_000);
      case NO_LATENCY -> Workload.burstOfSteps(generator, recorder, quick ? 1_000 : 20_000);
      case THROTTLE_DRAIN -> Workload.perCourse(courses, recorder, quick ? 3 : 130,
          generator::assignmentTurnedInAndGraded);
      case BACKLOG -> Workload.burstOfSteps(generator, recorder, 20_000);
    };
  }
}
