package io.chalkstream.enrich;

import com.google.api.client.googleapis.batch.BatchRequest;
import com.google.api.client.googleapis.batch.json.JsonBatchCallback;
import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpResponseException;
import com.google.api.client.json.GenericJson;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.util.BackOff;
import com.google.api.client.util.ExponentialBackOff;
import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.ClassroomRequest;
import io.chalkstream.notification.Notification;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Fetches the current state of resources with Classroom get calls sent as HTTP batch requests
 * (up to {@link #MAX_BATCH_SIZE} calls each, the API's limit).
 *
 * <p>Retries are done here, per round, rather than by handlers on each batch part: the client's
 * {@code BatchRequest} runs a part's backoff handler inside the response parse, so 50 throttled
 * parts would sleep 50 times in a row. Instead every retryable failure of a round (429, 5xx, 408,
 * a failed or unreadable batch response) is collected, the round sleeps once for the client
 * library's {@link ExponentialBackOff} (with jitter) or the largest {@code Retry-After} the server
 * asked for, and only the failed calls are sent again.
 */
public final class ResourceFetcher {
  public static final int MAX_BATCH_SIZE = 50;
  private static final long MAX_RETRY_AFTER_MILLIS = 60_000;
  private static final String UNAUTHENTICATED = "; the Classroom API refused the credentials: "
      + "check --classroomCredentialsFile or --classroomCredentialsSecret (the user's grant may "
      + "have been revoked) or the Application Default Credentials";

  private final Classroom client;
  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Counter getCalls = Metrics.counter("chalkstream", "get_calls");
  private final Counter batchRequests = Metrics.counter("chalkstream", "batch_requests");
  private final Counter retries = Metrics.counter("chalkstream", "get_retries");

  public ResourceFetcher(Classroom client, RetryPolicy policy) {
    this(client, policy, Sleeper.DEFAULT, Clock.systemUTC());
  }

  public ResourceFetcher(Classroom client, RetryPolicy policy, Sleeper sleeper, Clock clock) {
    this.client = client;
    this.policy = policy;
    this.sleeper = sleeper;
    this.clock = clock;
  }

  /**
   * Fetches each resource once. Keys are resource paths ({@link Notification#resourcePath()}),
   * values one notification of that resource (its ids build the call). Every key gets a result.
   */
  public Map<String, FetchResult> fetch(Map<String, Notification> resources)
      throws InterruptedException {
    Map<String, FetchResult> results = new LinkedHashMap<>();
    List<String> pending = new ArrayList<>(resources.keySet());
    BackOff backOff = policy.newBackOff();
    int attempt = 0;
    while (!pending.isEmpty()) {
      attempt++;
      Round round = new Round();
      for (int from = 0; from < pending.size(); from += MAX_BATCH_SIZE) {
        List<String> chunk = pending.subList(from, Math.min(pending.size(), from + MAX_BATCH_SIZE));
        sendBatch(chunk, resources, results, round);
      }
      pending = round.retry;
      if (pending.isEmpty()) {
        break;
      }
      long wait = nextWait(backOff, round.retryAfterMillis);
      if (attempt >= policy.maxAttempts() || wait == BackOff.STOP) {
        String why = "gave up after " + attempt + " attempt(s): " + round.lastError
            + (attempt >= policy.maxAttempts() ? "" : " (retry time limit reached)");
        for (String path : pending) {
          results.put(path, FetchResult.of(EnrichmentStatus.FAILED, why, now()));
        }
        break;
      }
      retries.inc(pending.size());
      sleeper.sleep(wait);
    }
    return results;
  }

  private long nextWait(BackOff backOff, long retryAfterMillis) {
    try {
      long next = backOff.nextBackOffMillis();
      if (next == BackOff.STOP) {
        return BackOff.STOP;
      }
      return Math.max(next, Math.min(retryAfterMillis, MAX_RETRY_AFTER_MILLIS));
    } catch (IOException e) {
      return BackOff.STOP;
    }
  }

  /** The failures of one round that are worth another try. */
  private static final class Round {
    final List<String> retry = new ArrayList<>();
    long retryAfterMillis;
    String lastError = "";

    void retry(String path, String error, long retryAfter) {
      retry.add(path);
      lastError = error;
      retryAfterMillis = Math.max(retryAfterMillis, retryAfter);
    }
  }

  private void sendBatch(List<String> chunk, Map<String, Notification> resources,
      Map<String, FetchResult> results, Round round) {
    BatchRequest batch = client.batch(ClassroomClientConfig.initializerOf(client));
    try {
      for (String path : chunk) {
        request(resources.get(path)).queue(batch, callback(path, results, round));
      }
      getCalls.inc(chunk.size());
      batchRequests.inc();
      batch.execute();
    } catch (HttpResponseException e) {
      // The whole batch was refused (e.g. 429 or 503 on the batch endpoint itself).
      String error = "batch request failed: HTTP " + e.getStatusCode() + " "
          + firstLine(e.getStatusMessage()) + (e.getStatusCode() == 401 ? UNAUTHENTICATED : "");
      for (String path : chunk) {
        if (!results.containsKey(path)) {
          if (isRetryable(e.getStatusCode())) {
            round.retry(path, error, retryAfterMillis(e.getHeaders()));
          } else {
            results.put(path, FetchResult.of(EnrichmentStatus.FAILED, error, now()));
          }
        }
      }
    } catch (IOException e) {
      // Timeouts, resets, truncated or unparseable batch responses: transient by nature.
      String error = "batch request failed: " + e.getClass().getSimpleName() + ": "
          + firstLine(e.getMessage());
      for (String path : chunk) {
        if (!results.containsKey(path) && !round.retry.contains(path)) {
          round.retry(path, error, 0);
        }
      }
    }
  }

  private JsonBatchCallback<GenericJson> callback(String path, Map<String, FetchResult> results,
      Round round) {
    return new JsonBatchCallback<>() {
      @Override
      public void onSuccess(GenericJson resource, HttpHeaders headers) throws IOException {
        results.put(path, FetchResult.ok(GsonFactory.getDefaultInstance().toString(resource),
            now()));
      }

      @Override
      public void onFailure(GoogleJsonError error, HttpHeaders headers) {
        int code = error.getCode();
        Object status = error.get("status");
        String detail = "HTTP " + code + (status == null ? "" : " " + status)
            + ": " + firstLine(error.getMessage()) + " (" + path + ")";
        if (code == 404) {
          results.put(path, FetchResult.of(EnrichmentStatus.NOT_FOUND, detail, now()));
        } else if (code == 403) {
          results.put(path, FetchResult.of(EnrichmentStatus.PERMISSION_DENIED, detail
              + "; check that the credentials' user can read this course and that the grant has "
              + "the read-only roster and coursework scopes", now()));
        } else if (isRetryable(code)) {
          round.retry(path, detail, retryAfterMillis(headers));
        } else {
          results.put(path, FetchResult.of(EnrichmentStatus.FAILED,
              detail + (code == 401 ? UNAUTHENTICATED : ""), now()));
        }
      }
    };
  }

  @SuppressWarnings("unchecked")
  private ClassroomRequest<GenericJson> request(Notification n) throws IOException {
    Classroom.Courses courses = client.courses();
    List<String> ids = n.resourceIds();
    ClassroomRequest<? extends GenericJson> request;
    switch (n.collection()) {
      case STUDENTS:
        request = courses.students().get(ids.get(0), ids.get(1));
        break;
      case TEACHERS:
        request = courses.teachers().get(ids.get(0), ids.get(1));
        break;
      case COURSE_WORK:
        request = courses.courseWork().get(ids.get(0), ids.get(1));
        break;
      case SUBMISSIONS:
        request = courses.courseWork().studentSubmissions().get(ids.get(0), ids.get(1), ids.get(2));
        break;
      default:
        throw new IllegalStateException(n.collection().name());
    }
    return (ClassroomRequest<GenericJson>) request;
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

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() <= 300 ? line : line.substring(0, 300) + "…";
  }

  /** Bounds on retries: attempts and total time, with the client library's backoff shape. */
  public static final class RetryPolicy implements java.io.Serializable {
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

    BackOff newBackOff() {
      return new ExponentialBackOff.Builder()
          .setInitialIntervalMillis(initialBackoffMillis)
          .setMultiplier(2.0)
          .setRandomizationFactor(0.5)
          .setMaxIntervalMillis(maxBackoffMillis)
          .setMaxElapsedTimeMillis(maxElapsedMillis)
          .build();
    }
  }
}
