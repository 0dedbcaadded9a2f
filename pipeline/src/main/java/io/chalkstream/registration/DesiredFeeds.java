package io.chalkstream.registration;

import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.classroom.CallThrottle;
import io.chalkstream.classroom.RetryPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which feeds should be registered, from the options: the domain roster feed, and the chosen
 * per-course feeds of the chosen courses. {@code --courses=ALL} is resolved on every pass with
 * {@code courses.list} (ACTIVE courses, all pages), so the set follows the school.
 */
public final class DesiredFeeds implements Serializable {
  private final boolean domainRoster;
  private final Set<Feed.Type> courseFeeds;
  private final CourseSelection courses;

  private DesiredFeeds(boolean domainRoster, Set<Feed.Type> courseFeeds,
      CourseSelection courses) {
    this.domainRoster = domainRoster;
    this.courseFeeds = courseFeeds;
    this.courses = courses;
  }

  public static DesiredFeeds from(RegistrationOptions options) {
    Set<Feed.Type> types = EnumSet.noneOf(Feed.Type.class);
    for (String name : CourseSelection.split(options.getCourseFeeds())) {
      switch (name) {
        case "ROSTER" -> types.add(Feed.Type.COURSE_ROSTER_CHANGES);
        case "COURSE_WORK" -> types.add(Feed.Type.COURSE_WORK_CHANGES);
        default -> throw new IllegalArgumentException("--courseFeeds=" + options.getCourseFeeds()
            + ": unknown feed '" + name + "'; use ROSTER, COURSE_WORK or both, comma-separated");
      }
    }
    CourseSelection courses = CourseSelection.parse(options.getCourses(), !types.isEmpty());
    boolean domain = Boolean.TRUE.equals(options.getRegisterDomainRoster());
    if (!domain && types.isEmpty()) {
      throw new IllegalArgumentException("nothing to register: --registerDomainRoster is false "
          + "and --courseFeeds is empty");
    }
    return new DesiredFeeds(domain, types, courses);
  }

  /** The feeds that need no course discovery (when it failed): the domain roster feed. */
  List<Feed> withoutDiscovery() {
    return domainRoster ? List.of(Feed.domainRoster()) : List.of();
  }

  /** Whether the course list comes from {@code courses.list}. */
  public boolean discoversCourses() {
    return courses.isAll() && !courseFeeds.isEmpty();
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
    List<String> ids = courses.resolve(client, policy, throttle, sleeper);
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
}
