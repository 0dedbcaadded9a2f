package io.chalkstream.registration;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.chalkstream.classroom.BatchedCalls;
import io.chalkstream.classroom.CallThrottle;
import io.chalkstream.classroom.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * A district over 30 simulated days: 50,000 courses with roster and course-work feeds plus the
 * domain feed (100,001 registrations), renewed daily by {@link RenewalSchedule} as background work
 * of the default budget (1,000 calls a minute), beside a steady 600 gets a minute. The budget and
 * the schedule are the production classes; the API answers at once (a create extends the feed to
 * 7 days from the call). On {@link VirtualTime}, so 30 days take seconds.
 */
public class DistrictRenewalSimulationTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long DAY = 86_400 * SECOND;
  private static final int BUDGET = 1000;
  private static final int COURSES = 50_000;

  /** Every call's start, checked against the budget over each trailing 60 s. */
  private static final class Window {
    private final ArrayDeque<long[]> calls = new ArrayDeque<>();
    private long inWindow;
    long most;

    synchronized void charged(long startNanos, int n) {
      calls.addLast(new long[] {startNanos, n});
      inWindow += n;
      while (calls.peekFirst()[0] <= startNanos - 60 * SECOND) {
        inWindow -= calls.pollFirst()[1];
      }
      most = Math.max(most, inWindow);
    }
  }

  @Test(timeout = 300_000)
  public void noFeedLapsesNoMinuteGoesOverTheBudgetAndGetsWaitAtMostTwoBackgroundBatches()
      throws Exception {
    VirtualTime time = new VirtualTime(2);
    CallThrottle fresh = CallThrottle.perMinute(BUDGET, time);
    CallThrottle background = fresh.background();
    Window window = new Window();
    long end = 30 * DAY;
    long[] longestGetWait = new long[1];
    long[] gets = new long[1];

    Thread getter = new Thread(() -> {
      try {
        for (long askAt = 0; askAt < end; askAt += 5 * SECOND) {
          time.sleepNanos(askAt - time.nanoTime());
          CallThrottle.Ticket t = fresh.acquire(50);
          window.charged(t.startNanos(), 50);
          longestGetWait[0] = Math.max(longestGetWait[0], t.startNanos() - askAt);
          gets[0] += 50;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        time.leave();
      }
    });

    List<Feed> feeds = new ArrayList<>();
    feeds.add(Feed.domainRoster());
    for (int c = 0; c < COURSES; c++) {
      feeds.add(Feed.courseRoster("c" + c));
      feeds.add(Feed.courseWork("c" + c));
    }
    RenewalSchedule schedule = new RenewalSchedule(Duration.ofHours(48));
    Map<Feed, Long> expiry = new HashMap<>();
    List<String> lapses = new ArrayList<>();
    long[] creates = new long[1];
    Instant epoch = Instant.parse("2026-09-01T07:00:00Z");
    Thread renewer = new Thread(() -> {
      try {
        for (long passAt = 0; passAt < end; passAt += DAY) {
          time.sleepNanos(passAt - time.nanoTime());
          // Course discovery: courses.list, 1,000 a page.
          for (int page = 0; page < COURSES / 1000; page++) {
            window.charged(background.acquire(1).startNanos(), 1);
          }
          Instant passStart = epoch.plusNanos(time.nanoTime());
          List<Feed> due = feeds.stream().filter(f -> schedule.due(f, passStart)).toList();
          for (int from = 0; from < due.size(); from += BatchedCalls.MAX_BATCH_SIZE) {
            List<Feed> batch =
                due.subList(from, Math.min(due.size(), from + BatchedCalls.MAX_BATCH_SIZE));
            long start = background.acquire(batch.size()).startNanos();
            window.charged(start, batch.size());
            for (Feed f : batch) {
              Long old = expiry.get(f);
              if (old != null && old <= start) {
                lapses.add(f + " lapsed at day " + old / (double) DAY);
              }
              expiry.put(f, start + 7 * DAY);
              schedule.registered(f, epoch.plusNanos(start + 7 * DAY));
              creates[0]++;
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        time.leave();
      }
    });
    getter.start();
    renewer.start();
    getter.join();
    renewer.join();

    assertEquals(List.of(), lapses);
    assertEquals(feeds.size(), expiry.size());
    assertTrue("every feed alive at the end", expiry.values().stream().allMatch(e -> e > end));
    assertTrue(window.most + " calls in a 60 s span", window.most <= BUDGET);
    assertTrue("gets kept their pace: " + gets[0], gets[0] >= 30L * 86_400 / 5 * 50);
    // Stated bound: renewal holds a get back by at most two background batches' pace (one begun
    // in a free slot, one of the reserved share), 6.3 s at the default budget.
    long batchPace = BatchedCalls.MAX_BATCH_SIZE * 60 * SECOND
        / (BUDGET - BatchedCalls.MAX_BATCH_SIZE);
    assertTrue("longest get wait " + longestGetWait[0] / 1e9 + " s",
        longestGetWait[0] <= 2 * batchPace + SECOND / 1000);
    // Spread: far fewer creates than one per feed per daily pass (30 x 100,001).
    assertTrue(creates[0] + " creates", creates[0] < 8L * feeds.size());
    System.out.printf("district: %d creates in 30 days for %d feeds, most calls in 60 s %d, "
        + "longest get wait %.2f s%n", creates[0], feeds.size(), window.most,
        longestGetWait[0] / 1e9);
  }
}
