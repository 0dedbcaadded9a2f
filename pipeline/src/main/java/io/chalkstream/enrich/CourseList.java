package io.chalkstream.enrich;

import com.google.api.client.json.GenericJson;
import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.gson.GsonFactory;
import io.chalkstream.classroom.PagedLists;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCollection;
import java.io.IOException;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The list call that holds a notification's resource: a course's students, teachers or course
 * work, or one course work's submissions. Its items are the objects the gets return, so one list
 * can answer every change of the collection in a pane.
 */
record CourseList(NotificationCollection collection, String courseId,
    @Nullable String courseWorkId) {
  private static final JsonFactory JSON = GsonFactory.getDefaultInstance();
  // Every state the grant can see: a get shows drafts and deleted work too.
  private static final List<String> ALL_COURSE_WORK_STATES =
      List.of("PUBLISHED", "DRAFT", "DELETED");

  static CourseList of(Notification n) {
    return new CourseList(n.collection(), n.courseId(),
        n.collection() == NotificationCollection.SUBMISSIONS ? n.resourceIds().get(1) : null);
  }

  /** The id an item of this list has for {@code n}'s resource. */
  static String itemId(Notification n) {
    List<String> ids = n.resourceIds();
    return ids.get(ids.size() - 1);
  }

  /** The id of one item (the JSON of a list item), or null when it has none. */
  @Nullable String itemId(String itemJson) throws IOException {
    GenericJson item = JSON.fromString(itemJson, GenericJson.class);
    Object id = item.get(switch (collection) {
      case STUDENTS, TEACHERS -> "userId";
      case COURSE_WORK, SUBMISSIONS -> "id";
    });
    return id == null ? null : id.toString();
  }

  PagedLists.Paged paged() {
    int size = PagedLists.PAGE_SIZE;
    return switch (collection) {
      case STUDENTS -> new PagedLists.Paged("students", (c, token) ->
          c.courses().students().list(courseId).setPageSize(size).setPageToken(token));
      case TEACHERS -> new PagedLists.Paged("teachers", (c, token) ->
          c.courses().teachers().list(courseId).setPageSize(size).setPageToken(token));
      case COURSE_WORK -> new PagedLists.Paged("courseWork", (c, token) ->
          c.courses().courseWork().list(courseId).setCourseWorkStates(ALL_COURSE_WORK_STATES)
              .setPageSize(size).setPageToken(token));
      case SUBMISSIONS -> new PagedLists.Paged("studentSubmissions", (c, token) ->
          c.courses().courseWork().studentSubmissions().list(courseId, courseWorkId)
              .setPageSize(size).setPageToken(token));
    };
  }

  @Override
  public String toString() {
    return collection.wireName().replace("courses.", "") + ".list of course " + courseId
        + (courseWorkId == null ? "" : " course work " + courseWorkId);
  }
}
