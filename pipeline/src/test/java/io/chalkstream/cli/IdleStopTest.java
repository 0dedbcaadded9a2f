package io.chalkstream.cli;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import org.junit.Test;

/** The idle rule of {@code --stopAfterIdleSeconds}, on a clock the test moves. */
public class IdleStopTest {
  private long now = 1_000_000;

  private IdleStop stop(long idleMillis) {
    return new IdleStop(idleMillis, () -> now);
  }

  private static Map<String, Long> counters(long read, long written) {
    return Map.of("messages_read", read, "rows_written_roster_changes", written);
  }

  @Test
  public void writesWhileTheReaderStallsAreNotIdle() {
    IdleStop stop = stop(3_000);
    assertFalse(stop.idle(counters(185, 17)));
    // The reader stalls for 6 s while the writers work through what it read: not idle.
    for (long written = 18; written <= 66; written += 8) {
      now += 1_000;
      assertFalse("rows still being written at " + written, stop.idle(counters(185, written)));
    }
    // Then nothing moves for the idle time: idle.
    now += 2_999;
    assertFalse(stop.idle(counters(185, 66)));
    now += 1;
    assertTrue(stop.idle(counters(185, 66)));
    // And any movement starts the count again.
    now += 10;
    assertFalse(stop.idle(counters(186, 66)));
  }

  @Test
  public void beforeTheFirstMessageTheReaderHasItsGracePeriod() {
    IdleStop stop = stop(3_000);
    assertFalse(stop.idle(counters(0, 0)));
    now += IdleStop.STARTUP_GRACE_MILLIS - 1;
    assertFalse(stop.idle(counters(0, 0)));
    now += 1;
    assertTrue(stop.idle(counters(0, 0)));
  }

  @Test
  public void aLongerIdleTimeThanTheGraceIsKeptBeforeTheFirstMessageToo() {
    IdleStop stop = stop(30_000);
    now += 29_999;
    assertFalse(stop.idle(counters(0, 0)));
    now += 1;
    assertTrue(stop.idle(counters(0, 0)));
  }
}
