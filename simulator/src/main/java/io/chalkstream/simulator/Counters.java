package io.chalkstream.simulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a {@link ClassroomSimulator} has received; thread-safe. A <em>request</em> is one HTTP
 * exchange; a <em>call</em> is one API call, made directly or as a part of a batch request (each
 * counts against the real quota). Calls are counted whether they succeed or fail, injected faults
 * and quota refusals included; the parts of a batch refused as a whole are not calls, and neither
 * is an OAuth {@code POST token} nor a request refused for its credentials (401).
 *
 * <p>A <em>quota refusal</em> is a call answered 429 {@code RESOURCE_EXHAUSTED} because it was
 * over the simulator's {@link Quotas} ({@link ClassroomSimulator#quotas(Quotas)}); it is a call
 * too, so {@link #calls()} minus {@link #quotaRefusals()} is what the quota admitted. A 429
 * injected through {@link Faults} is not a quota refusal.
 *
 * <p>Method kinds are named like {@code students.get}, {@code courseWork.list},
 * {@code studentSubmissions.get}, {@code registrations.create}, {@code courses.list}, or
 * {@code unknown} for a path the API does not have. Paths are resource paths without the leading
 * slash or query, e.g. {@code v1/courses/1/students/2}.
 */
public final class Counters {

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong batchRequests = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicInteger maxBatchParts = new AtomicInteger();
  private final Map<String, AtomicLong> callsByMethod = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> callsByPath = new ConcurrentHashMap<>();
  private final AtomicLong quotaRefusals = new AtomicLong();
  private final Map<String, AtomicLong> quotaRefusalsByMethod = new ConcurrentHashMap<>();
  // When each call arrived (System.currentTimeMillis), in arrival order: quota spans are
  // measured from these, as the API would count them.
  private long[] callTimes = new long[1024];
  private int callTimeCount;

  /** HTTP requests received, batch requests included. */
  public long requests() {
    return requests.get();
  }

  /** {@code POST batch} requests received. */
  public long batchRequests() {
    return batchRequests.get();
  }

  /** API calls, direct or inside a batch. */
  public long calls() {
    return calls.get();
  }

  /** Calls of one method kind, e.g. {@code students.get}. */
  public long calls(String method) {
    return get(callsByMethod, method);
  }

  /** Calls to one resource path, e.g. {@code v1/courses/1/students/2}. */
  public long callsTo(String path) {
    return get(callsByPath, ApiRequest.normalize(path));
  }

  /** A sorted snapshot of calls per method kind. */
  public Map<String, Long> callsByMethod() {
    return snapshot(callsByMethod);
  }

  /** A sorted snapshot of calls per resource path. */
  public Map<String, Long> callsByPath() {
    return snapshot(callsByPath);
  }

  /** Calls answered 429 {@code RESOURCE_EXHAUSTED} for being over the {@link Quotas}. */
  public long quotaRefusals() {
    return quotaRefusals.get();
  }

  /** Quota refusals of one method kind, e.g. {@code students.get}; like {@link #calls(String)}. */
  public long quotaRefusals(String method) {
    return get(quotaRefusalsByMethod, method);
  }

  /** The largest number of parts seen in one batch request. */
  public int maxBatchParts() {
    return maxBatchParts.get();
  }

  /** When each call arrived, in milliseconds since the epoch, oldest first. */
  public synchronized long[] callTimesMillis() {
    return java.util.Arrays.copyOf(callTimes, callTimeCount);
  }

  /**
   * The most calls that arrived within any {@code spanMillis} (e.g. 60,000: the quota's minute),
   * counting calls at most {@code spanMillis - 1} ms after the span's first.
   */
  public long maxCallsInAnySpan(long spanMillis) {
    long[] times = callTimesMillis();
    long most = 0;
    for (int first = 0, last = 0; last < times.length; last++) {
      while (times[last] - times[first] >= spanMillis) {
        first++;
      }
      most = Math.max(most, last - first + 1);
    }
    return most;
  }

  /**
   * Zeroes every counter. Meant for between test phases, not during traffic. The quota windows are
   * the server's, not counters: calls admitted before still count against them.
   */
  public void reset() {
    synchronized (this) {
      callTimeCount = 0;
    }
    requests.set(0);
    batchRequests.set(0);
    calls.set(0);
    maxBatchParts.set(0);
    callsByMethod.clear();
    callsByPath.clear();
    quotaRefusals.set(0);
    quotaRefusalsByMethod.clear();
  }

  void recordRequest() {
    requests.incrementAndGet();
  }

  void recordBatch(int parts) {
    batchRequests.incrementAndGet();
    maxBatchParts.accumulateAndGet(parts, Math::max);
  }

  void recordCall(String method, String path) {
    long now = System.currentTimeMillis();
    synchronized (this) {
      if (callTimeCount == callTimes.length) {
        callTimes = java.util.Arrays.copyOf(callTimes, callTimes.length * 2);
      }
      // Threads may record a moment out of order: keep the list sorted as the API's clock is.
      int at = callTimeCount++;
      while (at > 0 && callTimes[at - 1] > now) {
        callTimes[at] = callTimes[at - 1];
        at--;
      }
      callTimes[at] = now;
    }
    calls.incrementAndGet();
    callsByMethod.computeIfAbsent(method, k -> new AtomicLong()).incrementAndGet();
    callsByPath.computeIfAbsent(path, k -> new AtomicLong()).incrementAndGet();
  }

  void recordQuotaRefusal(String method) {
    quotaRefusals.incrementAndGet();
    quotaRefusalsByMethod.computeIfAbsent(method, k -> new AtomicLong()).incrementAndGet();
  }

  private static long get(Map<String, AtomicLong> map, String key) {
    AtomicLong count = map.get(key);
    return count == null ? 0 : count.get();
  }

  private static Map<String, Long> snapshot(Map<String, AtomicLong> map) {
    Map<String, Long> copy = new TreeMap<>();
    map.forEach((key, count) -> copy.put(key, count.get()));
    return copy;
  }
}
