package io.chalkstream.classroom;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Classroom call budget of one JVM: paces calls to stay inside the API quota, slows down when
 * the API says the quota is spent anyway, and serves fresh changes before background work. One
 * budget per rate is shared by every caller in the JVM (enrichment, renewal and list DoFns on all
 * the runner's threads), so the budget is per worker however many threads call.
 *
 * <p>Pacing is strict, with no stored burst: a batch of n calls may start n intervals after the
 * previous calls were charged. A batch is charged as a whole when it starts, so any 60 s span can
 * hold at most one batch more than the pace allows; the pace is therefore the limit less one full
 * batch per minute, which keeps every 60 s span within the limit.
 *
 * <p>Adaptive (additive increase, multiplicative decrease): other apps may spend the same user's
 * or project's quota, so the real headroom can be less than the budget. A call refused with 429
 * {@code RESOURCE_EXHAUSTED} halves the pace and pauses every caller for {@value #PAUSE_SECONDS}
 * s while older calls age out of the API's 60 s window; every accepted call then gives back
 * 1/budget of the full rate, so a halved pace is whole again after about a minute of calls. The
 * refusals of calls charged before a slowdown are the same congestion and do not slow it again.
 * (Beam's Datastore and Firestore IOs throttle adaptively too, by rejecting requests in
 * proportion to recent refusals; their throttlers are package-private, and a quota with a known
 * limit is served better by pacing below it.)
 *
 * <p>Priorities: {@link #background()} is the same budget for work that can wait (registration
 * creates, course discovery, snapshot and reconcile lists). While fresh-change calls are queued,
 * background calls get only a reserved {@value #BACKGROUND_PERCENT} % of the pace, so they never
 * starve; when no fresh call waits they take free slots, one batch at a time and never ahead, so
 * background work holds a fresh call back by at most two background batches (one begun in a free
 * slot, one of the reserved share: 6.3 s at the default budget).
 */
public final class CallThrottle {
  static final int PAUSE_SECONDS = 5;
  private static final long MINUTE_NANOS = 60_000_000_000L;
  static final int BACKGROUND_PERCENT = 10;
  private static final double SLOWEST = 1.0 / 8;
  private static final Map<Integer, Budget> SHARED = new ConcurrentHashMap<>();
  private static final CallThrottle OFF =
      new CallThrottle(new Budget(0, MINUTE_NANOS, Time.SYSTEM), false);

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

  /** A charge of calls: when they may start, and which reservation it was. */
  public record Ticket(long startNanos, long sequence) {}

  private final Budget budget;
  private final boolean background;

  private CallThrottle(Budget budget, boolean background) {
    this.budget = budget;
    this.background = background;
  }

  /** The JVM's budget of {@code callsPerMinute}; 0 or less means no throttle. */
  public static CallThrottle perMinute(int callsPerMinute) {
    if (callsPerMinute <= 0) {
      return OFF;
    }
    return new CallThrottle(SHARED.computeIfAbsent(checked(callsPerMinute),
        rate -> new Budget(rate, MINUTE_NANOS, Time.SYSTEM)), false);
  }

  /** A budget of its own (not shared) on {@code time}: for tests and simulations. */
  public static CallThrottle perMinute(int callsPerMinute, Time time) {
    return new CallThrottle(new Budget(callsPerMinute <= 0 ? 0 : checked(callsPerMinute),
        MINUTE_NANOS, time), false);
  }

  /**
   * A budget of {@code calls} per {@code windowNanos} instead of per minute, with the pause
   * scaled alike: for tests against a simulator whose quota window is seconds, not a minute.
   */
  static CallThrottle perWindow(int calls, long windowNanos, Time time) {
    return new CallThrottle(new Budget(checked(calls), windowNanos, time), false);
  }

  static int checked(int callsPerMinute) {
    if (callsPerMinute <= BatchedCalls.MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("a Classroom call budget of " + callsPerMinute
          + " calls a minute is too low: it must exceed one batch (" + BatchedCalls.MAX_BATCH_SIZE
          + " calls); raise --maxCallsPerMinute (or lower --maxNumWorkers), or give 0 for no "
          + "budget");
    }
    return callsPerMinute;
  }

  /** The same budget, for calls that give way to fresh changes. */
  public CallThrottle background() {
    return new CallThrottle(budget, true);
  }

  /** Whether calls are paced at all (false for a budget of 0). */
  public boolean paced() {
    return budget.intervalNanos > 0;
  }

  /** The share of the full pace the budget allows now (1 until the API refuses calls). */
  public double paceShare() {
    synchronized (budget) {
      return budget.share;
    }
  }

  /** Waits until {@code calls} calls may start, and charges them. */
  public Ticket acquire(int calls) throws InterruptedException {
    if (!paced() || calls <= 0) {
      return new Ticket(budget.time.nanoTime(), 0);
    }
    while (true) {
      long wait;
      Ticket ticket;
      synchronized (budget) {
        long now = budget.time.nanoTime();
        ticket = background ? budget.tryBackground(calls, now) : budget.charge(calls, now, true);
        wait = ticket == null ? budget.backgroundWait(calls, now) : ticket.startNanos() - now;
      }
      if (wait > 0) {
        budget.time.sleepNanos(wait);
      }
      if (ticket != null) {
        return ticket;
      }
    }
  }

  /** The API refused a call of {@code ticket} for quota: slow down and let the window free. */
  public void refused(Ticket ticket) {
    if (!paced()) {
      return;
    }
    synchronized (budget) {
      if (ticket.sequence() <= budget.sequenceAtSlowdown) {
        return; // charged before the last slowdown: the same congestion
      }
      long now = budget.time.nanoTime();
      budget.share = Math.max(SLOWEST, budget.share / 2);
      budget.sequenceAtSlowdown = budget.sequence;
      budget.nextFreeNanos = Math.max(budget.nextFreeNanos, now + budget.pauseNanos);
    }
  }

  /** The API accepted {@code calls} calls: win back part of the full pace. */
  public void accepted(int calls) {
    if (!paced() || calls <= 0) {
      return;
    }
    synchronized (budget) {
      budget.share = Math.min(1.0, budget.share + calls / (double) budget.callsPerMinute);
    }
  }

  /** The state of one budget; guarded by itself. */
  private static final class Budget {
    final int callsPerMinute;
    final long intervalNanos;
    final long pauseNanos;
    final Time time;
    double share = 1.0;
    long nextFreeNanos;
    long freshUntilNanos;
    double backgroundCredit;
    long creditAtNanos;
    long sequence;
    long sequenceAtSlowdown;

    // callsPerMinute calls per window (a minute, but for tests).
    Budget(int callsPerMinute, long windowNanos, Time time) {
      this.callsPerMinute = callsPerMinute;
      int pace = callsPerMinute - BatchedCalls.MAX_BATCH_SIZE;
      this.intervalNanos = callsPerMinute <= 0 ? 0 : windowNanos / Math.max(1, pace);
      this.pauseNanos = windowNanos / 60 * PAUSE_SECONDS;
      this.time = time;
      this.creditAtNanos = time.nanoTime();
    }

    long currentInterval() {
      return (long) (intervalNanos / share);
    }

    Ticket charge(int calls, long now, boolean fresh) {
      long start = Math.max(now, nextFreeNanos);
      nextFreeNanos = start + calls * currentInterval();
      if (fresh) {
        freshUntilNanos = nextFreeNanos;
      }
      return new Ticket(start, ++sequence);
    }

    // Background calls take a free slot when no fresh call is queued (never one ahead, so a
    // fresh call that comes meanwhile waits for one background batch at most), else only their
    // credit.
    Ticket tryBackground(int calls, long now) {
      accrue(now);
      if (freshUntilNanos <= now) {
        return nextFreeNanos <= now ? charge(calls, now, false) : null;
      }
      if (backgroundCredit >= calls) {
        backgroundCredit -= calls;
        return charge(calls, now, false);
      }
      return null;
    }

    long backgroundWait(int calls, long now) {
      if (freshUntilNanos <= now) {
        return Math.max(1, nextFreeNanos - now);
      }
      long untilCredit = (long) ((calls - backgroundCredit) * currentInterval() * 100.0
          / BACKGROUND_PERCENT);
      return Math.max(1, Math.min(freshUntilNanos - now, untilCredit));
    }

    // Credit grows at the reserved share of the pace, up to one batch.
    void accrue(long now) {
      backgroundCredit = Math.min(BatchedCalls.MAX_BATCH_SIZE, backgroundCredit
          + (now - creditAtNanos) * (BACKGROUND_PERCENT / 100.0) / currentInterval());
      creditAtNanos = now;
    }
  }
}
