package io.chalkstream.classroom;

import static org.junit.Assert.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;

/**
 * Fresh calls and background calls on one budget, on real threads and a fast budget (6,000 a
 * minute, so a few seconds hold hundreds of batches): background work gets its reserved share
 * while fresh calls saturate the budget, and all of it once they stop.
 */
public class CallThrottlePriorityTest {

  @Test(timeout = 30_000)
  public void backgroundGetsItsReservedShareUnderFreshLoadAndAllOfTheBudgetAfter()
      throws Exception {
    CallThrottle fresh = CallThrottle.perMinute(6000, CallThrottle.Time.SYSTEM);
    CallThrottle background = fresh.background();
    AtomicBoolean freshRunning = new AtomicBoolean(true);
    AtomicLong freshCalls = new AtomicLong();
    AtomicLong backgroundUnderLoad = new AtomicLong();
    AtomicLong backgroundAfter = new AtomicLong();
    AtomicLong longestFreshWaitNanos = new AtomicLong();
    long loadNanos = 3_000_000_000L;
    long t0 = System.nanoTime();
    Thread freshCaller = new Thread(() -> {
      try {
        while (System.nanoTime() - t0 < loadNanos) {
          long asked = System.nanoTime();
          CallThrottle.Ticket t = fresh.acquire(5);
          longestFreshWaitNanos.accumulateAndGet(t.startNanos() - asked, Math::max);
          freshCalls.addAndGet(5);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        freshRunning.set(false);
      }
    });
    Thread backgroundCaller = new Thread(() -> {
      try {
        while (System.nanoTime() - t0 < loadNanos + 2_000_000_000L) {
          background.acquire(10);
          (freshRunning.get() ? backgroundUnderLoad : backgroundAfter).addAndGet(10);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    freshCaller.start();
    backgroundCaller.start();
    freshCaller.join();
    backgroundCaller.join();

    double pacePerSecond = (6000 - BatchedCalls.MAX_BATCH_SIZE) / 60.0;
    double underLoadShare = backgroundUnderLoad.get()
        / (double) (backgroundUnderLoad.get() + freshCalls.get());
    assertTrue("background share under fresh load " + underLoadShare,
        underLoadShare >= 0.03 && underLoadShare <= 0.2);
    assertTrue("fresh calls " + freshCalls.get() + " in 3 s",
        freshCalls.get() >= 0.75 * 3 * pacePerSecond);
    assertTrue("background after the load " + backgroundAfter.get() + " in 2 s",
        backgroundAfter.get() >= 0.75 * 2 * pacePerSecond);
    // A fresh call waits its pace plus at most one background batch (10 calls) ahead of it.
    double bound = (5 + 10 + 5) / pacePerSecond * 1e9;
    assertTrue("longest fresh wait " + longestFreshWaitNanos.get() / 1e6 + " ms",
        longestFreshWaitNanos.get() <= bound + 50e6);
  }
}
