package io.chalkstream.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Publish-to-row latencies of one run at millisecond resolution (up to 10 minutes, longer ones
 * in the last bucket), shared in the JVM by name because the runner deserializes the sink.
 */
final class LatencyHistogram {
  private static final int MAX_MILLIS = 600_000;
  private static final Map<String, LatencyHistogram> BY_NAME = new ConcurrentHashMap<>();

  private final AtomicLongArray counts = new AtomicLongArray(MAX_MILLIS + 1);

  static LatencyHistogram named(String name) {
    return BY_NAME.computeIfAbsent(name, n -> new LatencyHistogram());
  }

  static void forget(String name) {
    BY_NAME.remove(name);
  }

  void record(long millis) {
    counts.incrementAndGet((int) Math.max(0, Math.min(MAX_MILLIS, millis)));
  }

  /** The latency at quantile {@code q} (0..1), or -1 with nothing recorded. */
  long quantile(double q) {
    long total = 0;
    for (int i = 0; i < counts.length(); i++) {
      total += counts.get(i);
    }
    if (total == 0) {
      return -1;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.length(); i++) {
      seen += counts.get(i);
      if (seen >= Math.max(1, rank)) {
        return i;
      }
    }
    return MAX_MILLIS;
  }
}
