package io.chalkstream.registration;

import com.google.api.services.classroom.model.CourseRosterChangesInfo;
import com.google.api.services.classroom.model.CourseWorkChangesInfo;
import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A notification feed to keep registered: the domain roster, or a feed of one course. */
public record Feed(Type type, @Nullable String courseId) implements Serializable {
  /** Classroom's feed types. */
  public enum Type {
    DOMAIN_ROSTER_CHANGES,
    COURSE_ROSTER_CHANGES,
    COURSE_WORK_CHANGES
  }

  public static Feed domainRoster() {
    return new Feed(Type.DOMAIN_ROSTER_CHANGES, null);
  }

  public static Feed courseRoster(String courseId) {
    return new Feed(Type.COURSE_ROSTER_CHANGES, courseId);
  }

  public static Feed courseWork(String courseId) {
    return new Feed(Type.COURSE_WORK_CHANGES, courseId);
  }

  /** The feed as {@code registrations.create} takes it. */
  com.google.api.services.classroom.model.Feed toModel() {
    com.google.api.services.classroom.model.Feed feed =
        new com.google.api.services.classroom.model.Feed().setFeedType(type.name());
    switch (type) {
      case COURSE_ROSTER_CHANGES ->
          feed.setCourseRosterChangesInfo(new CourseRosterChangesInfo().setCourseId(courseId));
      case COURSE_WORK_CHANGES ->
          feed.setCourseWorkChangesInfo(new CourseWorkChangesInfo().setCourseId(courseId));
      case DOMAIN_ROSTER_CHANGES -> { }
    }
    return feed;
  }

  @Override
  public String toString() {
    return courseId == null ? type.name() : type.name() + " of course " + courseId;
  }
}
