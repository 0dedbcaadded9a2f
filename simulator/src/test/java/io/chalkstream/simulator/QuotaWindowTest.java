package io.chalkstream.simulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.chalkstream.simulator.QuotaWindow.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/** The moving window on its own, against a brute-force model of "any window of windowMillis". */
public class QuotaWindowTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-09-01T07:00:00Z"));

  @Test
  public void agreesWithBruteForceOnRandomTraffic() {
    Quotas quotas = new Quotas(4, 7, 1_000);
    QuotaWindow window = new QuotaWindow(quotas, clock);
    Random random = new Random(42);
    List<long[]> admitted = new ArrayList<>(); // {millis, user}
    int refusedForUser = 0;
    int refusedForProject = 0;
    for (int step = 0; step < 20_000; step++) {
      clock.advance(Duration.ofMillis(random.nextInt(5) == 0 ? random.nextInt(400) : 0));
      int user = random.nextInt(3);
      long now = clock.millis();
      long mine = admitted.stream().filter(a -> now - a[0] < 1_000 && a[1] == user).count();
      long all = admitted.stream().filter(a -> now - a[0] < 1_000).count();
      Verdict expected = mine >= 4 ? Verdict.OVER_USER
          : all >= 7 ? Verdict.OVER_PROJECT : Verdict.ADMITTED;
      assertEquals("step " + step, expected, window.admit("user" + user));
      if (expected == Verdict.ADMITTED) {
        admitted.add(new long[] {now, user});
      } else if (expected == Verdict.OVER_USER) {
        refusedForUser++;
      } else {
        refusedForProject++;
      }
      admitted.removeIf(a -> now - a[0] >= 1_000); // keeps the model small; never needed again
    }
    // The traffic exercised all three outcomes.
    assertEquals(true, refusedForUser > 100 && refusedForProject > 100);
  }

  @Test
  public void aCallStopsCountingExactlyOneWindowAfterItWasAdmitted() {
    QuotaWindow window = new QuotaWindow(new Quotas(1, 10, 1_000), clock);
    assertEquals(Verdict.ADMITTED, window.admit("a"));
    clock.advance(Duration.ofMillis(999));
    assertEquals(Verdict.OVER_USER, window.admit("a"));
    clock.advance(Duration.ofMillis(1));
    assertEquals(Verdict.ADMITTED, window.admit("a"));
  }

  @Test
  public void aClockSteppingBackStandsStill() {
    QuotaWindow window = new QuotaWindow(new Quotas(1, 10, 1_000), clock);
    clock.advance(Duration.ofSeconds(10));
    assertEquals(Verdict.ADMITTED, window.admit("a"));
    clock.advance(Duration.ofSeconds(-5));
    assertEquals(Verdict.OVER_USER, window.admit("a"));
    clock.advance(Duration.ofSeconds(5).plusMillis(999));
    assertEquals(Verdict.OVER_USER, window.admit("a"));
    clock.advance(Duration.ofMillis(1));
    assertEquals(Verdict.ADMITTED, window.admit("a"));
  }

  @Test
  public void quotasAreValidated() {
    assertEquals(Quotas.OFF, new Quotas(0, 0, 0));
    assertEquals(new Quotas(1200, 3000, 60_000), Quotas.CLASSROOM);
    assertThrows(IllegalArgumentException.class, () -> new Quotas(0, 5, 1_000));
    assertThrows(IllegalArgumentException.class, () -> new Quotas(5, 0, 1_000));
    assertThrows(IllegalArgumentException.class, () -> new Quotas(5, 5, 0));
    assertThrows(IllegalArgumentException.class, () -> new Quotas(-1, 5, 1_000));
    assertThrows(IllegalArgumentException.class, () -> new Quotas(5, 5, -1));
    assertThrows(IllegalArgumentException.class, () -> new QuotaWindow(Quotas.OFF, clock));
  }
}
