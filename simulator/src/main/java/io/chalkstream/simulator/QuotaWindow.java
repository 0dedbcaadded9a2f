package io.chalkstream.simulator;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The moving windows behind {@link Quotas}: one deque of admission moments for the project, in
 * order, each tagged with its user, and a count per user of the admissions still in the window.
 * A user's admissions are a subsequence of the project's, so dropping expired admissions from the
 * head of the project deque also expires them for their users: exact, O(1) amortised per call,
 * memory bounded by {@code perProject}. Thread-safe.
 */
final class QuotaWindow {

  /** What the quota says to one call; the refusals carry the names the API's 429 gives. */
  enum Verdict {
    ADMITTED(null, null),
    OVER_USER("Queries per minute per user", "defaultPerMinutePerUser"),
    OVER_PROJECT("Queries per minute", "defaultPerMinutePerProject");

    /** The limit's display name, as in the 429 message. */
    final String limitName;
    /** The limit's id, as in the 429's {@code ErrorInfo} metadata {@code quota_limit}. */
    final String limitId;

    Verdict(String limitName, String limitId) {
      this.limitName = limitName;
      this.limitId = limitId;
    }
  }

  private record Admission(long atMillis, String user) {}

  private final Quotas quotas;
  private final Clock clock;
  private final ArrayDeque<Admission> admitted = new ArrayDeque<>();
  private final Map<String, int[]> inWindowByUser = new HashMap<>();
  private long latestMillis = Long.MIN_VALUE;

  QuotaWindow(Quotas quotas, Clock clock) {
    if (!quotas.limits()) {
      throw new IllegalArgumentException("Quotas.OFF needs no window");
    }
    this.quotas = quotas;
    this.clock = clock;
  }

  Quotas quotas() {
    return quotas;
  }

  /**
   * Admits one call of {@code user} now (it then counts against both windows) or says which
   * limit it is over (then it counts against neither). The per-user limit is checked first.
   */
  synchronized Verdict admit(String user) {
    // A clock that steps back is taken as standing still, so the deque stays in order.
    long now = Math.max(latestMillis, clock.millis());
    latestMillis = now;
    while (!admitted.isEmpty() && now - admitted.peekFirst().atMillis() >= quotas.windowMillis()) {
      Admission expired = admitted.pollFirst();
      int[] count = inWindowByUser.get(expired.user());
      if (--count[0] == 0) {
        inWindowByUser.remove(expired.user());
      }
    }
    int[] mine = inWindowByUser.get(user);
    if (mine != null && mine[0] >= quotas.perUser()) {
      return Verdict.OVER_USER;
    }
    if (admitted.size() >= quotas.perProject()) {
      return Verdict.OVER_PROJECT;
    }
    admitted.addLast(new Admission(now, user));
    inWindowByUser.computeIfAbsent(user, k -> new int[1])[0]++;
    return Verdict.ADMITTED;
  }
}
