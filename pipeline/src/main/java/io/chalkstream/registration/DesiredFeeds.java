package io.chalkstream.registration;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.util.BackOff;
import com.google.api.client.util.BackOffUtils;
import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.ListCoursesResponse;
import io.chalkstream.enrich.CallThrottle;
import io.chalkstream.enrich.RetryPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Which feeds should be registered, from the options: the domain roster feed, and the chosen
 * per-course feeds of the chosen courses. {@code --courses=ALL} is resolved on every pass with
 * {@code courses.list} (ACTIVE courses, all pages), so the set follows the school.
 */
public final class DesiredFeeds implements Serializable {
  private static final int PAGE_SIZE = 500;

  private final boolean domainRoster;
  private final Set<Feed.Type> courseFeeds;
  private final @Nullable List<String> courses; // null: ALL

  private DesiredFeeds(boolean domainRoster, Set<Feed.Type> courseFeeds,
      @Nullable List<String> courses) {
    this.domainRoster = domainRoster;
    this.courseFeeds = courseFeeds;
    this.courses = courses;
  }

  public static DesiredFeeds from(RegistrationOptions options) {
    Set<Feed.Type> types = EnumSet.noneOf(Feed.Type.class);
    for (String name : split(options.getCourseFeeds())) {
      switch (name) {
        case "ROSTER" -> types.add(Feed.Type.COURSE_ROSTER_CHANGES);
        case "COURSE_WORK" -> types.add(Feed.Type.COURSE_WORK_CHANGES);
        default -> throw new IllegalArgumentException("--courseFeeds=" + options.getCourseFeeds()
            + ": unknown feed '" + name + "'; use ROSTER, COURSE_WORK or both, comma-separated");
      }
    }
    List<String> ids = split(options.getCourses());
    boolean all = ids.size() == 1 && ids.get(0).equals("ALL");
    if (!all && ids.contains("ALL")) {
      throw new IllegalArgumentException("--courses=" + options.getCourses()
          + ": ALL cannot be combined with course ids");
    }
    if (!all && ids.isEmpty() && !types.isEmpty()) {
      throw new IllegalArgumentException("--courses is empty; give ALL or course ids");
    }
    boolean domain = Boolean.TRUE.equals(options.getRegisterDomainRoster());
    if (!domain && types.isEmpty()) {
      throw new IllegalArgumentException("nothing to register: --registerDomainRoster is false "
          + "and --courseFeeds is empty");
    }
    return new DesiredFeeds(domain, types, all ? null : List.copyOf(ids));
  }

  private static List<String> split(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** The feeds that need no course discovery (when it failed): the domain roster feed. */
  List<Feed> withoutDiscovery() {
    return domainRoster ? List.of(Feed.domainRoster()) : List.of();
  }

  /** Whether the course list comes from {@code courses.list}. */
  public boolean discoversCourses() {
    return courses == null && !courseFeeds.isEmpty();
  }

  /** The feeds wanted now; lists the courses first when {@code --courses=ALL}. */
  public List<Feed> resolve(Classroom client, RetryPolicy policy, CallThrottle throttle,
      Sleeper sleeper) throws IOException, InterruptedException {
    List<Feed> feeds = new ArrayList<>();
    if (domainRoster) {
      feeds.add(Feed.domainRoster());
    }
    if (courseFeeds.isEmpty()) {
      return feeds;
    }
    List<String> ids = courses != null ? courses : activeCourses(client, policy, throttle, sleeper);
    for (String course : ids) {
      if (courseFeeds.contains(Feed.Type.COURSE_ROSTER_CHANGES)) {
        feeds.add(Feed.courseRoster(course));
      }
      if (courseFeeds.contains(Feed.Type.COURSE_WORK_CHANGES)) {
        feeds.add(Feed.courseWork(course));
      }
    }
    return feeds;
  }

  private static List<String> activeCourses(Classroom client, RetryPolicy policy,
      CallThrottle throttle, Sleeper sleeper) throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    String pageToken = null;
    do {
      ListCoursesResponse page = listPage(client, pageToken, policy, throttle, sleeper);
      if (page.getCourses() != null) {
        for (Course course : page.getCourses()) {
          ids.add(course.getId());
        }
      }
      pageToken = page.getNextPageToken();
    } while (pageToken != null && !pageToken.isEmpty());
    return ids;
  }

  // One page, retried like every call: transient failures back off, others fail the listing.
  private static ListCoursesResponse listPage(Classroom client, @Nullable String pageToken,
      RetryPolicy policy, CallThrottle throttle, Sleeper sleeper)
      throws IOException, InterruptedException {
    BackOff backOff = policy.newBackOff();
    for (int attempt = 1; ; attempt++) {
      throttle.acquire(1);
      try {
        return client.courses().list().setCourseStates(List.of("ACTIVE"))
            .setPageSize(PAGE_SIZE).setPageToken(pageToken).execute();
      } catch (GoogleJsonResponseException e) {
        int code = e.getStatusCode();
        boolean transient_ = code == 429 || code == 408 || code >= 500;
        if (!transient_ || attempt >= policy.maxAttempts() || !BackOffUtils.next(sleeper, backOff)) {
          throw new IOException("courses.list failed: HTTP " + code + " "
              + (e.getDetails() == null ? e.getStatusMessage() : e.getDetails().getMessage())
              + (code == 403 ? "; the credentials' user must be able to list the domain's "
                  + "courses (an admin), or give --courses=ID,ID" : ""), e);
        }
      } catch (IOException e) {
        if (attempt >= policy.maxAttempts() || !BackOffUtils.next(sleeper, backOff)) {
          throw new IOException("courses.list failed: " + e.getMessage(), e);
        }
      }
    }
  }
}
