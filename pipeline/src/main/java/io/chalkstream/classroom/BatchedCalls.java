package io.chalkstream.classroom;

import com.google.api.client.googleapis.batch.BatchRequest;
import com.google.api.client.googleapis.batch.json.JsonBatchCallback;
import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpResponseException;
import com.google.api.client.json.GenericJson;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.util.BackOff;
import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.ClassroomRequest;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Sends Classroom calls as HTTP batch requests (up to {@link #MAX_BATCH_SIZE} calls each, the
 * API's limit), paced by a {@link CallThrottle} and retried: the one mechanism behind enrichment
 * gets, registration creates and list calls ({@link PagedLists}).
 *
 * <p>Retries are done here, per round, rather than by handlers on each batch part: the client's
 * {@code BatchRequest} runs a part's backoff handler inside the response parse, so 50 throttled
 * parts would sleep 50 times in a row. Instead every retryable failure of a round (429, 5xx, 408,
 * a failed or unreadable batch response) is collected, the round sleeps once for the client
 * library's exponential backoff (with jitter) or the largest {@code Retry-After} the server asked
 * for, and only the failed calls are sent again.
 *
 * <p>Quota is not a fault: a 429 {@code RESOURCE_EXHAUSTED} (Classroom sends no
 * {@code Retry-After}) tells the {@link CallThrottle} to slow down and pause, and the call waits
 * its turn again, with no limit on attempts, until the retry time limit
 * ({@code --enrichMaxRetrySeconds}) is spent.
 */
public final class BatchedCalls {
  public static final int MAX_BATCH_SIZE = 50;
  private static final long MAX_RETRY_AFTER_MILLIS = 60_000;
  private static final String UNAUTHENTICATED = "; the Classroom API refused the credentials: "
      + "check --classroomCredentialsFile or --classroomCredentialsSecret (the user's grant may "
      + "have been revoked) or the Application Default Credentials";

  /** One call, built from the client when it is (re)sent. */
  @FunctionalInterface
  public interface Call {
    ClassroomRequest<? extends GenericJson> build(Classroom client) throws IOException;
  }

  /** Names of the counters a use of this mechanism reports under (namespace chalkstream). */
  public record CounterNames(String calls, String batches, String retries) {
    public static final CounterNames GETS =
        new CounterNames("get_calls", "batch_requests", "get_retries");
    public static final CounterNames REGISTRATIONS = new CounterNames(
        "registration_calls", "registration_batch_requests", "registration_retries");
    /** List calls: course discovery, snapshots. */
    public static final CounterNames LISTS =
        new CounterNames("list_calls", "list_batch_requests", "list_retries");
    /** List calls that answer a pane's changes in place of gets. */
    public static final CounterNames COURSE_LISTS = new CounterNames("course_list_calls",
        "course_list_batch_requests", "course_list_retries");
  }

  /**
   * How a call ended: {@code status} 200 with the answer's {@code json}, or the last HTTP status
   * (0 for a transport failure) with an error that says what happened; {@code gaveUp} when
   * retries ran out on a transient failure.
   */
  public record Outcome(int status, @Nullable String json, @Nullable String error, boolean gaveUp,
      long answeredAtMillis) {
    public boolean ok() {
      return json != null;
    }
  }

  private final Classroom client;
  private final RetryPolicy policy;
  private final CallThrottle throttle;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Counter calls;
  private final Counter batches;
  private final Counter retries;
  private final Counter quotaRefusals = Metrics.counter("chalkstream", "quota_refusals");

  public BatchedCalls(Classroom client, RetryPolicy policy, CallThrottle throttle,
      CounterNames names, Sleeper sleeper, Clock clock) {
    this.client = client;
    this.policy = policy;
    this.throttle = throttle;
    this.sleeper = sleeper;
    this.clock = clock;
    this.calls = Metrics.counter("chalkstream", names.calls());
    this.batches = Metrics.counter("chalkstream", names.batches());
    this.retries = Metrics.counter("chalkstream", names.retries());
  }

  /**
   * Sends every call, retrying transient failures; every key gets an outcome. A call refused for
   * quota (429) is retried until the retry time limit, however many times it is refused, while
   * the throttle slows down; other transient failures also count against the attempt limit.
   */
  public <K> Map<K, Outcome> execute(Map<K, Call> calls) throws InterruptedException {
    Map<K, Outcome> outcomes = new LinkedHashMap<>();
    Map<K, Integer> faults = new HashMap<>();
    List<K> pending = new ArrayList<>(calls.keySet());
    BackOff backOff = policy.newBackOff();
    BackOff quotaBackOff = RetryPolicy.quotaBackOff();
    long startedAt = now();
    int round = 0;
    Map<K, Failure> previous = Map.of();
    while (!pending.isEmpty()) {
      round++;
      Round<K> failures = new Round<>();
      for (int from = 0; from < pending.size(); from += MAX_BATCH_SIZE) {
        List<K> chunk = pending.subList(from, Math.min(pending.size(), from + MAX_BATCH_SIZE));
        if (round > 1 && now() - startedAt >= policy.maxElapsedMillis()) {
          // A slowed round can outlast the limit: the retries not yet sent end here.
          for (K key : chunk) {
            failures.retry.put(key, previous.get(key));
          }
          continue;
        }
        CallThrottle.Ticket ticket = throttle.acquire(chunk.size());
        int refusedBefore = failures.quotaRefusals;
        int answeredBefore = outcomes.size();
        sendBatch(chunk, calls, outcomes, failures);
        throttle.accepted(outcomes.size() - answeredBefore);
        if (failures.quotaRefusals > refusedBefore) {
          throttle.refused(ticket);
        }
      }
      quotaRefusals.inc(failures.quotaRefusals);
      previous = failures.retry;
      pending = new ArrayList<>();
      boolean timeLeft = now() - startedAt < policy.maxElapsedMillis();
      for (Map.Entry<K, Failure> f : failures.retry.entrySet()) {
        K key = f.getKey();
        Failure last = f.getValue();
        int attempts = last.quota() ? faults.getOrDefault(key, 0)
            : faults.merge(key, 1, Integer::sum);
        if (attempts >= policy.maxAttempts() || !timeLeft) {
          String limit = timeLeft ? ""
              : " (retry time limit of " + policy.maxElapsedMillis() / 1000 + " s reached)";
          outcomes.put(key, new Outcome(last.status(), null, "gave up after " + round
              + " attempt(s): " + last.error() + limit, true, now()));
        } else {
          pending.add(key);
        }
      }
      if (pending.isEmpty()) {
        break;
      }
      this.retries.inc(pending.size());
      // A paced budget already waits out quota (it slowed down and paused); an unpaced one backs
      // off here.
      long wait = !failures.onlyQuota() ? nextWait(backOff, failures.retryAfterMillis)
          : throttle.paced() ? Math.min(failures.retryAfterMillis, MAX_RETRY_AFTER_MILLIS)
          : nextWait(quotaBackOff, failures.retryAfterMillis);
      if (wait > 0) {
        sleeper.sleep(Math.min(wait, Math.max(1, policy.maxElapsedMillis() - (now() - startedAt))));
      }
    }
    return outcomes;
  }

  private long nextWait(BackOff backOff, long retryAfterMillis) {
    try {
      long next = backOff.nextBackOffMillis();
      if (next == BackOff.STOP) {
        next = policy.maxBackoffMillis();
      }
      return Math.max(next, Math.min(retryAfterMillis, MAX_RETRY_AFTER_MILLIS));
    } catch (IOException e) {
      return policy.maxBackoffMillis();
    }
  }

  private record Failure(int status, String error, boolean quota) {}

  /** The failures of one round that are worth another try. */
  private static final class Round<K> {
    final Map<K, Failure> retry = new LinkedHashMap<>();
    long retryAfterMillis;
    int quotaRefusals;

    void retry(K key, int status, String error, long retryAfter) {
      boolean quota = status == 429;
      if (retry.putIfAbsent(key, new Failure(status, error, quota)) == null && quota) {
        quotaRefusals++;
      }
      retryAfterMillis = Math.max(retryAfterMillis, retryAfter);
    }

    boolean onlyQuota() {
      return retry.values().stream().allMatch(Failure::quota);
    }
  }

  private <K> void sendBatch(List<K> chunk, Map<K, Call> calls, Map<K, Outcome> outcomes,
      Round<K> round) {
    BatchRequest batch = client.batch(ClassroomClientConfig.initializerOf(client));
    try {
      for (K key : chunk) {
        queue(calls.get(key).build(client), batch, callback(key, outcomes, round));
      }
      this.calls.inc(chunk.size());
      batches.inc();
      batch.execute();
    } catch (HttpResponseException e) {
      // The whole batch was refused (e.g. 429 or 503 on the batch endpoint itself).
      int code = e.getStatusCode();
      String error = "batch request failed: HTTP " + code + " " + firstLine(e.getStatusMessage())
          + (code == 401 ? UNAUTHENTICATED : "");
      for (K key : chunk) {
        if (!outcomes.containsKey(key)) {
          if (isRetryable(code)) {
            round.retry(key, code, error, retryAfterMillis(e.getHeaders()));
          } else {
            outcomes.put(key, new Outcome(code, null, error, false, now()));
          }
        }
      }
    } catch (IOException e) {
      String error = "batch request failed: " + e.getClass().getSimpleName() + ": "
          + firstLine(e.getMessage());
      // A refused OAuth grant does not heal with retries; anything else here (timeouts, resets,
      // truncated or unparseable batch responses) is transient by nature.
      boolean grantRefused = String.valueOf(e.getMessage()).contains("invalid_grant");
      for (K key : chunk) {
        if (outcomes.containsKey(key)) {
          continue;
        }
        if (grantRefused) {
          outcomes.put(key, new Outcome(401, null, error + UNAUTHENTICATED, false, now()));
        } else {
          round.retry(key, 0, error, 0);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void queue(ClassroomRequest<? extends GenericJson> request, BatchRequest batch,
      JsonBatchCallback<GenericJson> callback) throws IOException {
    ((ClassroomRequest<GenericJson>) request).queue(batch, callback);
  }

  private <K> JsonBatchCallback<GenericJson> callback(K key, Map<K, Outcome> outcomes,
      Round<K> round) {
    return new JsonBatchCallback<>() {
      @Override
      public void onSuccess(GenericJson answer, HttpHeaders headers) throws IOException {
        outcomes.put(key, new Outcome(200, GsonFactory.getDefaultInstance().toString(answer),
            null, false, now()));
      }

      @Override
      public void onFailure(GoogleJsonError error, HttpHeaders headers) {
        int code = error.getCode();
        Object status = error.get("status");
        String detail = "HTTP " + code + (status == null ? "" : " " + status)
            + ": " + firstLine(error.getMessage()) + " (" + key + ")"
            + (code == 401 ? UNAUTHENTICATED : "");
        if (isRetryable(code)) {
          round.retry(key, code, detail, retryAfterMillis(headers));
        } else {
          outcomes.put(key, new Outcome(code, null, detail, false, now()));
        }
      }
    };
  }

  static boolean isRetryable(int code) {
    return code == 429 || code == 408 || code >= 500;
  }

  /** {@code Retry-After} in seconds or as an HTTP date; 0 when absent or unreadable. */
  static long retryAfterMillis(@Nullable HttpHeaders headers) {
    String value = headers == null ? null : headers.getFirstHeaderStringValue("Retry-After");
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(value.trim()) * 1000);
    } catch (NumberFormatException notSeconds) {
      try {
        long at = java.time.ZonedDateTime.parse(value.trim(),
            java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        return Math.max(0, at - System.currentTimeMillis());
      } catch (java.time.format.DateTimeParseException e) {
        return 0;
      }
    }
  }

  private long now() {
    return clock.millis();
  }

  static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() <= 300 ? line : line.substring(0, 300) + "…";
  }
}
