package io.chalkstream.bench;

import io.chalkstream.simulator.ActivityGenerator;
import io.chalkstream.simulator.NotificationChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntSupplier;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * A recorded stream of notifications with its timing: bursts of messages, each published at an
 * offset from the start. Recorded once per scenario from the activity generator (which changes
 * the school the test server answers from), then replayed identically to every run.
 */
final class Workload {
  record Burst(long offsetMillis, List<PubsubMessage> messages) {}

  private final List<Burst> bursts = new ArrayList<>();
  private int size;

  List<Burst> bursts() {
    return bursts;
  }

  int size() {
    return size;
  }

  /** Records what {@code activity} publishes into {@code recorder} as a burst at {@code at}. */
  Workload add(long at, NotificationChannel recorder, IntSupplier activity) {
    activity.getAsInt();
    List<PubsubMessage> published = recorder.drain();
    if (!published.isEmpty()) {
      bursts.add(new Burst(at, published));
      size += published.size();
    }
    return this;
  }

  /** {@code steps} steps of ordinary school life, {@code perSecond} of them a second. */
  static Workload trickle(ActivityGenerator generator, NotificationChannel recorder, int steps,
      int perSecond) {
    Workload w = new Workload();
    for (int i = 0; i < steps; i++) {
      w.add(i * 1000L / perSecond, recorder, generator::step);
    }
    return w;
  }

  /** Ordinary school life, all published at once, until at least {@code messages}. */
  static Workload burstOfSteps(ActivityGenerator generator, NotificationChannel recorder,
      int messages) {
    Workload w = new Workload();
    while (w.size() < messages) {
      w.add(0, recorder, generator::step);
    }
    return w;
  }

  /** {@code activity} for course after course (cycling), all at once, {@code times} times. */
  static Workload perCourse(List<String> courses, NotificationChannel recorder, int times,
      java.util.function.ToIntFunction<String> activity) {
    Workload w = new Workload();
    for (int i = 0; i < times; i++) {
      String course = courses.get(i % courses.size());
      w.add(0, recorder, () -> activity.applyAsInt(course));
    }
    return w;
  }

  /**
   * Records what {@code activity} publishes and spreads it, in order, over {@code parts} bursts
   * from {@code at}, {@code spanMillis / parts} apart.
   */
  Workload addSpread(long at, long spanMillis, int parts, NotificationChannel recorder,
      IntSupplier activity) {
    activity.getAsInt();
    List<PubsubMessage> published = recorder.drain();
    for (int i = 0; i < parts; i++) {
      List<PubsubMessage> part = published.subList(published.size() * i / parts,
          published.size() * (i + 1) / parts);
      if (!part.isEmpty()) {
        bursts.add(new Burst(at + i * spanMillis / parts, List.copyOf(part)));
        size += part.size();
      }
    }
    return this;
  }

  /**
   * The first days of term, compressed: each course's roster imported ({@code students} at once,
   * the courses {@code importGapMillis} apart), then {@code assignments} assignments (course after
   * course) posted {@code assignmentGapMillis} apart. Each is turned in by its students over
   * {@code phaseMillis} from half a phase after it is posted, then graded and returned over a
   * phase from two phases after, in {@code parts} bursts each.
   */
  static Workload startOfTerm(ActivityGenerator generator, NotificationChannel recorder,
      List<String> courses, int students, long importGapMillis, int assignments,
      long assignmentGapMillis, long phaseMillis, int parts) {
    Workload w = new Workload();
    for (int i = 0; i < courses.size(); i++) {
      String course = courses.get(i);
      w.add(i * importGapMillis, recorder, () -> generator.rosterImport(course, students));
    }
    long start = courses.size() * importGapMillis;
    for (int a = 0; a < assignments; a++) {
      String course = courses.get(a % courses.size());
      long posted = start + a * assignmentGapMillis;
      w.add(posted, recorder, () -> generator.postAssignment(course));
      String id = generator.lastCourseWorkId();
      // Recorded now, replayed at their offsets; the test server answers from the final school.
      w.addSpread(posted + phaseMillis / 2, phaseMillis, parts, recorder,
          () -> generator.turnIn(course, id));
      w.addSpread(posted + 2 * phaseMillis, phaseMillis, parts, recorder,
          () -> generator.gradeAndReturn(course, id));
    }
    w.bursts.sort(Comparator.comparingLong(Burst::offsetMillis));
    return w;
  }
}
