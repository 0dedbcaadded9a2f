package io.chalkstream.notification;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Classroom notification collections Chalkstream understands. The resource id keys of each
 * are, in order, the arguments of the matching {@code get} call.
 */
public enum NotificationCollection {
  STUDENTS("courses.students", "courseId", "userId"),
  TEACHERS("courses.teachers", "courseId", "userId"),
  COURSE_WORK("courses.courseWork", "courseId", "id"),
  SUBMISSIONS("courses.courseWork.studentSubmissions", "courseId", "courseWorkId", "id");

  private final String wireName;
  private final List<String> resourceIdKeys;

  NotificationCollection(String wireName, String... resourceIdKeys) {
    this.wireName = wireName;
    this.resourceIdKeys = List.of(resourceIdKeys);
  }

  /** The name as it appears in the notification's {@code collection} field. */
  public String wireName() {
    return wireName;
  }

  /** The {@code resourceId} keys the collection requires; the first is always {@code courseId}. */
  public List<String> resourceIdKeys() {
    return resourceIdKeys;
  }

  public static Optional<NotificationCollection> fromWireName(String name) {
    return Arrays.stream(values()).filter(c -> c.wireName.equals(name)).findFirst();
  }

  /** For error messages: every accepted wire name. */
  public static String wireNames() {
    return Arrays.stream(values()).map(c -> c.wireName).collect(Collectors.joining(", "));
  }
}
