package io.chalkstream.bench;

import io.chalkstream.simulator.ActivityGenerator;
import io.chalkstream.simulator.NotificationChannel;
import java.util.ArrayList;
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
}
