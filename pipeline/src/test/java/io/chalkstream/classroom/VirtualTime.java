package io.chalkstream.classroom;

import java.util.PriorityQueue;

/**
 * Simulated time for a fixed number of threads: a thread's sleep returns when the clock reaches
 * its wake-up time, and the clock jumps to the earliest wake-up only when every thread sleeps, so
 * days of calls take seconds and every run is the same. A thread that is done calls
 * {@link #leave()}.
 */
public final class VirtualTime implements CallThrottle.Time {
  private record Sleeper(long wakeAt, long order, Thread thread) {}

  private final PriorityQueue<Sleeper> sleepers = new PriorityQueue<>((a, b) ->
      a.wakeAt() != b.wakeAt() ? Long.compare(a.wakeAt(), b.wakeAt())
          : Long.compare(a.order(), b.order()));
  private int parties;
  private long now;
  private long order;
  private Thread woken;

  public VirtualTime(int parties) {
    this.parties = parties;
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized void sleepNanos(long nanos) throws InterruptedException {
    Sleeper me = new Sleeper(now + Math.max(0, nanos), order++, Thread.currentThread());
    sleepers.add(me);
    advanceIfAllAsleep();
    while (woken != me.thread()) {
      wait();
    }
    woken = null;
    advanceIfAllAsleep();
  }

  /** The calling thread takes no further part. */
  public synchronized void leave() {
    parties--;
    advanceIfAllAsleep();
  }

  private void advanceIfAllAsleep() {
    if (woken == null && !sleepers.isEmpty() && sleepers.size() == parties) {
      Sleeper next = sleepers.poll();
      now = Math.max(now, next.wakeAt());
      woken = next.thread();
      notifyAll();
    }
  }
}
