package io.chalkstream.enrich;

import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.classroom.BatchedCalls;
import io.chalkstream.classroom.CallThrottle;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.notification.Notification;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fetches the current state of resources with Classroom get calls, through {@link BatchedCalls}
 * (HTTP batches, throttled, retried), and says what each answer means for a change row.
 */
public final class ResourceFetcher {
  private final BatchedCalls calls;

  /** Unthrottled, for tests. */
  public ResourceFetcher(Classroom client, RetryPolicy policy) {
    this(client, policy, CallThrottle.perMinute(0), Sleeper.DEFAULT, Clock.systemUTC());
  }

  public ResourceFetcher(Classroom client, RetryPolicy policy, CallThrottle throttle) {
    this(client, policy, throttle, Sleeper.DEFAULT, Clock.systemUTC());
  }

  public ResourceFetcher(Classroom client, RetryPolicy policy, CallThrottle throttle,
      Sleeper sleeper, Clock clock) {
    this.calls = new BatchedCalls(client, policy, throttle, BatchedCalls.CounterNames.GETS,
        sleeper, clock);
  }

  /**
   * Fetches each resource once. Keys are resource paths ({@link Notification#resourcePath()}),
   * values one notification of that resource (its ids build the call). Every key gets a result.
   */
  public Map<String, FetchResult> fetch(Map<String, Notification> resources)
      throws InterruptedException {
    Map<String, BatchedCalls.Call> gets = new LinkedHashMap<>();
    resources.forEach((path, n) -> gets.put(path, client -> get(client, n)));
    Map<String, FetchResult> results = new LinkedHashMap<>();
    calls.execute(gets).forEach((path, outcome) -> results.put(path, result(outcome)));
    return results;
  }

  /** What a call's outcome means for the change row. */
  public static FetchResult result(BatchedCalls.Outcome o) {
    if (o.ok()) {
      return FetchResult.ok(o.json(), o.answeredAtMillis());
    }
    if (o.gaveUp()) {
      return FetchResult.of(EnrichmentStatus.FAILED, o.error(), o.answeredAtMillis());
    }
    return switch (o.status()) {
      case 404 -> FetchResult.of(EnrichmentStatus.NOT_FOUND, o.error(), o.answeredAtMillis());
      case 403 -> FetchResult.of(EnrichmentStatus.PERMISSION_DENIED, o.error()
          + "; check that the credentials' user can read this course and that the grant has "
          + "the read-only roster and coursework scopes", o.answeredAtMillis());
      default -> FetchResult.of(EnrichmentStatus.FAILED, o.error(), o.answeredAtMillis());
    };
  }

  /** The get call that reads the current state of {@code n}'s resource. */
  public static com.google.api.services.classroom.ClassroomRequest<
      ? extends com.google.api.client.json.GenericJson> get(Classroom client, Notification n)
      throws java.io.IOException {
    Classroom.Courses courses = client.courses();
    List<String> ids = n.resourceIds();
    return switch (n.collection()) {
      case STUDENTS -> courses.students().get(ids.get(0), ids.get(1));
      case TEACHERS -> courses.teachers().get(ids.get(0), ids.get(1));
      case COURSE_WORK -> courses.courseWork().get(ids.get(0), ids.get(1));
      case SUBMISSIONS ->
          courses.courseWork().studentSubmissions().get(ids.get(0), ids.get(1), ids.get(2));
    };
  }
}
