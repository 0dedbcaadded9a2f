package io.chalkstream.cli;

import java.util.Map;
import java.util.function.LongSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * When a local run with {@code --stopAfterIdleSeconds} has been idle long enough to stop: nothing
 * moved (no message read, no row written, no call made; the run's counters unchanged) for the
 * idle time, or for a startup grace period while nothing has been read yet. On a busy machine the
 * reader can stall for seconds while the writers hold the cores, with messages still waiting in
 * the subscription, so "no message read" alone would stop too soon.
 */
final class IdleStop {
  /** With nothing read yet, an idle stop waits at least this long for the reader to start. */
  static final long STARTUP_GRACE_MILLIS = 15_000;

  private final long idleMillis;
  private final LongSupplier clock;
  private @Nullable Map<String, Long> last; // null until the first look: a baseline, not movement
  private long lastMoved;

  IdleStop(long idleMillis, LongSupplier clock) {
    this.idleMillis = idleMillis;
    this.clock = clock;
    this.lastMoved = clock.getAsLong();
  }

  /** Whether the run is idle now, given its counters now. */
  boolean idle(Map<String, Long> counters) {
    long now = clock.getAsLong();
    if (last != null && !counters.equals(last)) {
      lastMoved = now;
    }
    last = Map.copyOf(counters);
    long read = counters.getOrDefault("messages_read", 0L);
    long limit = read == 0 ? Math.max(idleMillis, STARTUP_GRACE_MILLIS) : idleMillis;
    return now - lastMoved >= limit;
  }
}
