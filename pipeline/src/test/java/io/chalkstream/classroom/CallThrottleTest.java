package io.chalkstream.classroom;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/** The pacing bound of {@link CallThrottle}, on a simulated clock: no real time passes. */
public class CallThrottleTest {
  private static final long MINUTE = 60_000_000_000L;

  /** A clock that moves only when the throttle sleeps (or a caller works). */
  static final class SimulatedTime implements CallThrottle.Time {
    long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      now += nanos;
    }
  }

  /** Start times of every call when batches of the given sizes are drained back to back. */
  private static List<Long> drain(CallThrottle throttle, SimulatedTime time, int[] batches,
      long workNanosPerBatch) throws InterruptedException {
    List<Long> starts = new ArrayList<>();
    for (int size : batches) {
      throttle.acquire(size);
      for (int i = 0; i < size; i++) {
        starts.add(time.now);
      }
      time.now += workNanosPerBatch;
    }
    return starts;
  }

  private static long maxInAnyMinute(List<Long> starts) {
    long most = 0;
    for (int first = 0, last = 0; last < starts.size(); last++) {
      while (starts.get(last) - starts.get(first) >= MINUTE) {
        first++;
      }
      most = Math.max(most, last - first + 1);
    }
    return most;
  }

  private static int[] fullBatches(int count) {
    int[] batches = new int[count];
    java.util.Arrays.fill(batches, BatchedCalls.MAX_BATCH_SIZE);
    return batches;
  }

  @Test
  public void batchesOf50NeverPutMoreThanTheLimitInAny60sSpan() throws Exception {
    for (int limit : new int[] {3000, 2400, 1200, 100}) {
      SimulatedTime time = new SimulatedTime();
      List<Long> starts = drain(CallThrottle.perMinute(limit, time), time, fullBatches(600), 0);
      assertTrue("limit " + limit + ": " + maxInAnyMinute(starts) + " calls in a minute",
          maxInAnyMinute(starts) <= limit);
    }
  }

  @Test
  public void drainsAtLeast95PercentOfTheLimit() throws Exception {
    int limit = 3000;
    SimulatedTime time = new SimulatedTime();
    List<Long> starts = drain(CallThrottle.perMinute(limit, time), time, fullBatches(600), 0);
    // Batch k starts k batch-intervals after the first: the rate is the calls after the first
    // batch over the time from the first start to the last.
    double perMinute = (starts.size() - BatchedCalls.MAX_BATCH_SIZE)
        / ((starts.get(starts.size() - 1) - starts.get(0)) / (double) MINUTE);
    assertTrue("drained " + perMinute + " calls a minute", perMinute >= 0.95 * limit);
    assertTrue("drained " + perMinute + " calls a minute", perMinute <= limit);
    assertTrue(maxInAnyMinute(starts) >= 0.95 * limit);
  }

  @Test
  public void mixedBatchSizesAndSlowCallersStayWithinTheLimit() throws Exception {
    Random random = new Random(7);
    int[] batches = new int[2000];
    for (int i = 0; i < batches.length; i++) {
      batches[i] = 1 + random.nextInt(BatchedCalls.MAX_BATCH_SIZE);
    }
    SimulatedTime time = new SimulatedTime();
    List<Long> starts = drain(CallThrottle.perMinute(3000, time), time, batches, 5_000_000L);
    assertTrue(maxInAnyMinute(starts) + " calls in a minute", maxInAnyMinute(starts) <= 3000);
  }

  @Test
  public void aQuotaRefusalHalvesThePaceOncePerSlowdownPausesAndIsWonBackByAcceptedCalls()
      throws Exception {
    SimulatedTime time = new SimulatedTime();
    CallThrottle throttle = CallThrottle.perMinute(1000, time);
    CallThrottle.Ticket first = throttle.acquire(50);
    CallThrottle.Ticket second = throttle.acquire(50);
    throttle.refused(first);
    assertEquals(0.5, throttle.paceShare(), 1e-9);
    throttle.refused(second); // charged before the slowdown: the same congestion
    assertEquals(0.5, throttle.paceShare(), 1e-9);
    long refusedAt = time.now;
    CallThrottle.Ticket third = throttle.acquire(50);
    assertTrue("pauses for the window to free",
        third.startNanos() >= refusedAt + CallThrottle.PAUSE_SECONDS * 1_000_000_000L);
    CallThrottle.Ticket fourth = throttle.acquire(50);
    long halfPaceGap = 50 * 2 * MINUTE / (1000 - BatchedCalls.MAX_BATCH_SIZE);
    assertEquals(halfPaceGap, fourth.startNanos() - third.startNanos(), 1);
    throttle.refused(third);
    assertEquals(0.25, throttle.paceShare(), 1e-9);
    throttle.accepted(500);
    assertEquals(0.75, throttle.paceShare(), 1e-9);
    throttle.accepted(1000);
    assertEquals(1.0, throttle.paceShare(), 1e-9);
  }

  @Test
  public void aSlowedPaceStillKeepsEvery60sSpanWithinTheLimit() throws Exception {
    SimulatedTime time = new SimulatedTime();
    CallThrottle throttle = CallThrottle.perMinute(1000, time);
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      CallThrottle.Ticket t = throttle.acquire(50);
      for (int c = 0; c < 50; c++) {
        starts.add(time.now);
      }
      if (i % 37 == 0) {
        throttle.refused(t);
      } else {
        throttle.accepted(50);
      }
    }
    assertTrue(maxInAnyMinute(starts) + " calls in a minute", maxInAnyMinute(starts) <= 1000);
  }

  @Test
  public void backgroundCallsTakeTheWholePaceWhenNoFreshCallWaits() throws Exception {
    SimulatedTime time = new SimulatedTime();
    CallThrottle background = CallThrottle.perMinute(1000, time).background();
    List<Long> starts = drain(background, time, fullBatches(100), 0);
    double perMinute = (starts.size() - BatchedCalls.MAX_BATCH_SIZE)
        / ((starts.get(starts.size() - 1) - starts.get(0)) / (double) MINUTE);
    assertTrue(perMinute + " a minute", perMinute >= 0.95 * 1000 && perMinute <= 1000);
  }

  @Test
  public void offMeansNoWaitAndTooLowIsRefused() throws Exception {
    SimulatedTime time = new SimulatedTime();
    List<Long> starts = drain(CallThrottle.perMinute(0, time), time, fullBatches(100), 0);
    assertEquals(starts.get(0), starts.get(starts.size() - 1));
    assertThrows(IllegalArgumentException.class, () -> CallThrottle.perMinute(50, time));
  }
}
