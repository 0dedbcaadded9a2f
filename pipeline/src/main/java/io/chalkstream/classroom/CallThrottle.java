package io.chalkstream.classroom;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Paces Classroom calls to stay inside the API quota. One throttle per rate is shared by every
 * caller in the JVM (enrichment and renewal DoFns on all the runner's threads), so the budget is
 * per worker however many threads call.
 *
 * <p>Pacing is strict, with no stored burst: a batch of n calls may start n intervals after the
 * previous calls were charged. A batch is charged as a whole when it starts, so any 60 s span can
 * hold at most one batch more than the pace allows; the pace is therefore the limit less one full
 * batch per minute, which keeps every 60 s span within the limit.
 */
public final class CallThrottle {
  private static final Map<Integer, CallThrottle> SHARED = new ConcurrentHashMap<>();
  private static final CallThrottle OFF = new CallThrottle(0, Time.SYSTEM);

  /** The monotonic clock and the sleep the throttle waits with; tests give a simulated one. */
  public interface Time {
    Time SYSTEM = new Time() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void sleepNanos(long nanos) throws InterruptedException {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      }
    };

    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final long intervalNanos;
  private final Time time;
  private long nextFreeNanos;

  private CallThrottle(int callsPerMinute, Time time) {
    int pace = callsPerMinute - BatchedCalls.MAX_BATCH_SIZE;
    this.intervalNanos = callsPerMinute <= 0 ? 0 : 60_000_000_000L / Math.max(1, pace);
    this.time = time;
  }

  /** The JVM's throttle for {@code callsPerMinute}; 0 or less means no throttle. */
  public static CallThrottle perMinute(int callsPerMinute) {
    if (callsPerMinute <= 0) {
      return OFF;
    }
    return SHARED.computeIfAbsent(checked(callsPerMinute), rate -> new CallThrottle(rate,
        Time.SYSTEM));
  }

  /** A throttle of its own (not shared) on {@code time}: for tests and simulations. */
  public static CallThrottle perMinute(int callsPerMinute, Time time) {
    return new CallThrottle(callsPerMinute <= 0 ? 0 : checked(callsPerMinute), time);
  }

  private static int checked(int callsPerMinute) {
    if (callsPerMinute <= BatchedCalls.MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("--maxCallsPerMinute=" + callsPerMinute + " is too low: "
          + "it must exceed one batch (" + BatchedCalls.MAX_BATCH_SIZE + " calls), or be 0 for "
          + "no throttle");
    }
    return callsPerMinute;
  }

  /** Waits until {@code calls} calls may start, and charges them. */
  public void acquire(int calls) throws InterruptedException {
    if (intervalNanos == 0 || calls <= 0) {
      return;
    }
    long startAt;
    synchronized (this) {
      long now = time.nanoTime();
      startAt = Math.max(now, nextFreeNanos);
      nextFreeNanos = startAt + calls * intervalNanos;
    }
    long wait = startAt - time.nanoTime();
    if (wait > 0) {
      time.sleepNanos(wait);
    }
  }
}
