package io.chalkstream.registration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.classroom.BatchedCalls;
import io.chalkstream.classroom.CallThrottle;
import io.chalkstream.classroom.PagedLists;
import io.chalkstream.classroom.RetryPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The courses of {@code --courses}: ALL, listed with {@code courses.list} (ACTIVE courses, all
 * pages) each time they are resolved, or a fixed list of ids. What renewal registers feeds for
 * and what a snapshot reads.
 */
public final class CourseSelection implements Serializable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final @Nullable List<String> ids; // null: ALL

  private CourseSelection(@Nullable List<String> ids) {
    this.ids = ids;
  }

  /** {@code --courses}; an empty value is refused when {@code required}, else it means none. */
  public static CourseSelection parse(@Nullable String value, boolean required) {
    List<String> ids = split(value);
    boolean all = ids.size() == 1 && ids.get(0).equals("ALL");
    if (!all && ids.contains("ALL")) {
      throw new IllegalArgumentException("--courses=" + value
          + ": ALL cannot be combined with course ids");
    }
    if (!all && ids.isEmpty() && required) {
      throw new IllegalArgumentException("--courses is empty; give ALL or course ids");
    }
    return new CourseSelection(all ? null : List.copyOf(ids));
  }

  static List<String> split(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** Whether resolving lists the courses ({@code ALL}). */
  public boolean isAll() {
    return ids == null;
  }

  /**
   * The course ids now: the given ones, or every ACTIVE course through {@link PagedLists}
   * (throttled, retried, counted as list calls). Throws, saying what to do, when the listing fails.
   */
  public List<String> resolve(Classroom client, RetryPolicy policy, CallThrottle throttle,
      Sleeper sleeper) throws IOException, InterruptedException {
    if (ids != null) {
      return ids;
    }
    PagedLists lists = new PagedLists(new BatchedCalls(client, policy, throttle,
        BatchedCalls.CounterNames.LISTS, sleeper, Clock.systemUTC()));
    PagedLists.Listing courses = lists.listAll(Map.of("courses.list", new PagedLists.Paged(
        "courses", (c, pageToken) -> c.courses().list().setCourseStates(List.of("ACTIVE"))
            .setPageSize(PagedLists.PAGE_SIZE).setPageToken(pageToken)))).get("courses.list");
    if (!courses.ok()) {
      BatchedCalls.Outcome failure = courses.failure();
      throw new IOException("courses.list failed: " + failure.error()
          + (failure.status() == 403 ? "; the credentials' user must be able to list the "
              + "domain's courses (an admin), or give --courses=ID,ID" : ""));
    }
    List<String> found = new ArrayList<>();
    for (String course : courses.items()) {
      found.add(MAPPER.readTree(course).path("id").asText());
    }
    return found;
  }
}
