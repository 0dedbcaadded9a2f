package io.chalkstream.classroom;

import com.google.api.client.util.BackOff;
import com.google.api.client.util.ExponentialBackOff;
import java.io.Serializable;

/** Bounds on retries of Classroom calls: attempts and total time, with the client's backoff. */
public final class RetryPolicy implements Serializable {
  private final int maxAttempts;
  private final int initialBackoffMillis;
  private final int maxBackoffMillis;
  private final int maxElapsedMillis;

  public RetryPolicy(int maxAttempts, int initialBackoffMillis, int maxBackoffMillis,
      int maxElapsedMillis) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("--enrichMaxAttempts must be at least 1");
    }
    this.maxAttempts = maxAttempts;
    this.initialBackoffMillis = initialBackoffMillis;
    this.maxBackoffMillis = maxBackoffMillis;
    this.maxElapsedMillis = maxElapsedMillis;
  }

  public static RetryPolicy from(ClassroomOptions options) {
    return new RetryPolicy(options.getEnrichMaxAttempts(), 500, 30_000,
        options.getEnrichMaxRetrySeconds() * 1000);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** How long retries of one set of calls may take in all; quota refusals retry until then. */
  public int maxElapsedMillis() {
    return maxElapsedMillis;
  }

  int maxBackoffMillis() {
    return maxBackoffMillis;
  }

  /**
   * Waits between retries of quota refusals when no budget paces the calls: the API's window
   * frees as calls age out of the last 60 s, so the waits grow to half of it.
   */
  static BackOff quotaBackOff() {
    return new ExponentialBackOff.Builder()
        .setInitialIntervalMillis(1_000)
        .setMultiplier(2.0)
        .setRandomizationFactor(0.5)
        .setMaxIntervalMillis(30_000)
        .setMaxElapsedTimeMillis(Integer.MAX_VALUE)
        .build();
  }

  /** The client library's exponential backoff with jitter (randomization 0.5) for faults. */
  public BackOff newBackOff() {
    return new ExponentialBackOff.Builder()
        .setInitialIntervalMillis(initialBackoffMillis)
        .setMultiplier(2.0)
        .setRandomizationFactor(0.5)
        .setMaxIntervalMillis(maxBackoffMillis)
        .setMaxElapsedTimeMillis(maxElapsedMillis)
        .build();
  }
}
