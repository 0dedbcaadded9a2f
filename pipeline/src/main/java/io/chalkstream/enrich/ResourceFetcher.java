package io.chalkstream.enrich;

import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.classroom.BatchedCalls;
import io.chalkstream.classroom.CallThrottle;
import io.chalkstream.classroom.PagedLists;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.notification.Notification;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Fetches the current state of resources with Classroom calls, through {@link BatchedCalls}
 * (HTTP batches, throttled, retried), and says what each answer means for a change row.
 *
 * <p>Get or list, per list a pane touches (a course's students, teachers or course work, one
 * course work's submissions): the list is read, to its last page, when it is expected to cost
 * fewer calls than one get per distinct resource of the pane in it; the expected cost is the pages
 * the same list took the last time ({@link CollectionSizes}), one page before it was ever read.
 * A resource in a complete list is answered with its item (the same object a get returns); one
 * absent from it is NOT_FOUND; a 403 on the list is PERMISSION_DENIED for all; any other failure
 * of the list falls back to gets. Without course lists every resource gets its own get.
 */
public final class ResourceFetcher {
  private final BatchedCalls gets;
  private final @Nullable PagedLists lists;
  private final CollectionSizes sizes;
  private final Clock clock;
  private final Counter savedByLists = Metrics.counter("chalkstream", "get_calls_saved_by_lists");

  /** Unthrottled and one get per resource, for tests. */
  public ResourceFetcher(Classroom client, RetryPolicy policy) {
    this(client, policy, CallThrottle.perMinute(0), false);
  }

  public ResourceFetcher(Classroom client, RetryPolicy policy, CallThrottle throttle,
      boolean courseLists) {
    this(client, policy, throttle, courseLists ? CollectionSizes.shared() : null,
        Sleeper.DEFAULT, Clock.systemUTC());
  }

  ResourceFetcher(Classroom client, RetryPolicy policy, CallThrottle throttle,
      @Nullable CollectionSizes sizes, Sleeper sleeper, Clock clock) {
    this.gets = new BatchedCalls(client, policy, throttle, BatchedCalls.CounterNames.GETS,
        sleeper, clock);
    this.lists = sizes == null ? null : new PagedLists(new BatchedCalls(client, policy, throttle,
        BatchedCalls.CounterNames.COURSE_LISTS, sleeper, clock));
    this.sizes = sizes == null ? new CollectionSizes(1) : sizes;
    this.clock = clock;
  }

  /**
   * Fetches each resource once. Keys are resource paths ({@link Notification#resourcePath()}),
   * values one notification of that resource (its ids build the call). Every key gets a result.
   */
  public Map<String, FetchResult> fetch(Map<String, Notification> resources)
      throws InterruptedException {
    Map<String, FetchResult> results = new LinkedHashMap<>();
    Map<String, Notification> toGet = new LinkedHashMap<>(resources);
    if (lists != null) {
      Map<CourseList, Map<String, Notification>> groups = new LinkedHashMap<>();
      resources.forEach((path, n) ->
          groups.computeIfAbsent(CourseList.of(n), k -> new LinkedHashMap<>()).put(path, n));
      Map<CourseList, PagedLists.Paged> toList = new LinkedHashMap<>();
      groups.forEach((list, members) -> {
        if (sizes.pages(list) < members.size()) {
          toList.put(list, list.paged());
        }
      });
      if (!toList.isEmpty()) {
        lists.listAll(toList).forEach((list, listing) -> {
          Map<String, Notification> members = groups.get(list);
          if (answer(list, listing, members, results)) {
            members.keySet().forEach(toGet::remove);
          }
        });
      }
    }
    Map<String, BatchedCalls.Call> calls = new LinkedHashMap<>();
    toGet.forEach((path, n) -> calls.put(path, client -> get(client, n)));
    gets.execute(calls).forEach((path, outcome) -> results.put(path, result(outcome)));
    Map<String, FetchResult> ordered = new LinkedHashMap<>();
    resources.keySet().forEach(path -> ordered.put(path, results.get(path)));
    return ordered;
  }

  // Answers every member from a listing; false when the members must be fetched by gets instead.
  private boolean answer(CourseList list, PagedLists.Listing listing,
      Map<String, Notification> members, Map<String, FetchResult> results) {
    BatchedCalls.Outcome failure = listing.failure();
    if (failure != null) {
      if (failure.status() != 403 || failure.gaveUp()) {
        return false;
      }
      FetchResult denied = result(failure);
      members.keySet().forEach(path -> results.put(path, denied));
      return true;
    }
    Map<String, String> items = new HashMap<>();
    try {
      for (String item : listing.items()) {
        String id = list.itemId(item);
        if (id != null) {
          items.put(id, item);
        }
      }
    } catch (IOException e) {
      return false;
    }
    sizes.learned(list, listing.pages());
    savedByLists.inc(members.size() - listing.pages());
    long at = clock.millis();
    members.forEach((path, n) -> {
      String item = items.get(CourseList.itemId(n));
      results.put(path, item != null ? FetchResult.ok(item, at)
          : FetchResult.of(EnrichmentStatus.NOT_FOUND, "not in the complete " + list, at));
    });
    return true;
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
