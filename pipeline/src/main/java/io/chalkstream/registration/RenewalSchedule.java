package io.chalkstream.registration;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * When a feed is renewed: when its registration nears its expiry, not on every pass. A feed whose
 * expiry is unknown (never registered by this job, or the job restarted) is due at once. A known
 * feed is due once it expires within {@code --renewBeforeExpiryHours} plus a share of that lead of
 * its own (0 to 100 %, from the feed's identity), so feeds registered together drift apart over
 * the weeks and a district's renewals spread over the passes of several days instead of one
 * burst a week.
 */
public final class RenewalSchedule implements Serializable {
  private final Duration renewBefore;
  private final Map<Feed, Instant> expiries = new ConcurrentHashMap<>();

  public RenewalSchedule(Duration renewBefore) {
    this.renewBefore = renewBefore;
  }

  /** Renew every feed on every pass: {@code ./chalkstream renew}, which remembers nothing. */
  public static RenewalSchedule everyPass() {
    return new RenewalSchedule(Duration.ofDays(3650));
  }

  /**
   * From the options; refuses a lead that a pass interval could skip past: a feed must be due on
   * at least one pass before it lapses.
   */
  public static RenewalSchedule from(RegistrationOptions options) {
    Duration lead = Duration.ofHours(options.getRenewBeforeExpiryHours());
    Duration every = Duration.ofSeconds(options.getRenewEverySeconds());
    if (lead.compareTo(every.plusHours(1)) < 0 || lead.compareTo(Duration.ofDays(6)) > 0) {
      throw new IllegalArgumentException("--renewBeforeExpiryHours="
          + options.getRenewBeforeExpiryHours() + " must be at least an hour more than "
          + "--renewEverySeconds (" + every.toHours() + " h), so every feed comes due on a pass "
          + "before it lapses, and at most 144 (registrations last 7 days)");
    }
    return new RenewalSchedule(lead);
  }

  /** Whether {@code feed} should be renewed in a pass at {@code now}. */
  public boolean due(Feed feed, Instant now) {
    Instant expiry = expiries.get(feed);
    if (expiry == null) {
      return true;
    }
    // The same share on every worker and run: from names, not from an enum's identity hash.
    double share = ((feed.type().name() + "|" + feed.courseId()).hashCode() & 0xffff) / 65536.0;
    Duration lead = renewBefore.plusMillis((long) (renewBefore.toMillis() * share));
    return expiry.isBefore(now.plus(lead));
  }

  /** The expiry an OK registration reported. */
  public void registered(Feed feed, @Nullable Instant expiry) {
    if (expiry != null) {
      expiries.put(feed, expiry);
    }
  }

  /** Forgets feeds no longer desired, so memory follows the school. */
  void retainOnly(java.util.Collection<Feed> desired) {
    expiries.keySet().retainAll(new java.util.HashSet<>(desired));
  }
}
