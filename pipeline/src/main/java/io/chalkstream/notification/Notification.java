package io.chalkstream.notification;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One parsed Classroom push notification. It keeps the original payload and attributes so that a
 * later failure (enrichment) can still dead-letter a replayable message.
 */
@DefaultCoder(NotificationCoder.class)
public final class Notification {
  private final String messageId;
  private final long publishTimeMillis;
  private final @Nullable String registrationId;
  private final NotificationCollection collection;
  private final String eventType;
  private final List<String> resourceIds;
  private final Map<String, String> attributes;
  private final byte[] payload;

  public Notification(
      String messageId,
      long publishTimeMillis,
      @Nullable String registrationId,
      NotificationCollection collection,
      String eventType,
      List<String> resourceIds,
      Map<String, String> attributes,
      byte[] payload) {
    if (resourceIds.size() != collection.resourceIdKeys().size()) {
      throw new IllegalArgumentException(
          collection.wireName() + " needs " + collection.resourceIdKeys() + ", got " + resourceIds);
    }
    this.messageId = Objects.requireNonNull(messageId, "messageId");
    this.publishTimeMillis = publishTimeMillis;
    this.registrationId = registrationId;
    this.collection = collection;
    this.eventType = Objects.requireNonNull(eventType, "eventType");
    this.resourceIds = List.copyOf(resourceIds);
    this.attributes = Map.copyOf(attributes);
    this.payload = payload.clone();
  }

  public String messageId() {
    return messageId;
  }

  public long publishTimeMillis() {
    return publishTimeMillis;
  }

  public @Nullable String registrationId() {
    return registrationId;
  }

  public NotificationCollection collection() {
    return collection;
  }

  public String eventType() {
    return eventType;
  }

  /** Values of {@link NotificationCollection#resourceIdKeys()}, in the same order. */
  public List<String> resourceIds() {
    return resourceIds;
  }

  public String resourceId(String key) {
    int i = collection.resourceIdKeys().indexOf(key);
    if (i < 0) {
      throw new IllegalArgumentException(collection.wireName() + " has no resource id " + key);
    }
    return resourceIds.get(i);
  }

  public String courseId() {
    return resourceIds.get(0);
  }

  public Map<String, String> attributes() {
    return attributes;
  }

  public byte[] payload() {
    return payload.clone();
  }

  /**
   * The REST path of the resource, e.g. {@code courses/1/students/2}: notifications with the same
   * path share one get call.
   */
  public String resourcePath() {
    return resourcePath(collection, resourceIds);
  }

  /** The path of the resource {@code ids} name in {@code collection}, as {@link #resourcePath()}. */
  public static String resourcePath(NotificationCollection collection, List<String> ids) {
    String course = "courses/" + ids.get(0);
    return switch (collection) {
      case STUDENTS -> course + "/students/" + ids.get(1);
      case TEACHERS -> course + "/teachers/" + ids.get(1);
      case COURSE_WORK -> course + "/courseWork/" + ids.get(1);
      case SUBMISSIONS -> course + "/courseWork/" + ids.get(1) + "/studentSubmissions/" + ids.get(2);
    };
  }

  /**
   * Event types name no closed list, so anything that reads as a deletion means "the resource is
   * gone, do not fetch": {@code DELETED}, {@code REMOVED}, and variants of both.
   */
  public boolean isDeletionLike() {
    String upper = eventType.toUpperCase(Locale.ROOT);
    return upper.contains("DELETE") || upper.contains("REMOVE");
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Notification)) {
      return false;
    }
    Notification n = (Notification) o;
    return messageId.equals(n.messageId)
        && publishTimeMillis == n.publishTimeMillis
        && Objects.equals(registrationId, n.registrationId)
        && collection == n.collection
        && eventType.equals(n.eventType)
        && resourceIds.equals(n.resourceIds)
        && attributes.equals(n.attributes)
        && java.util.Arrays.equals(payload, n.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(messageId, publishTimeMillis, collection, eventType, resourceIds);
  }

  @Override
  public String toString() {
    // No payload or attributes: keep whatever a log line shows small and free of user data.
    return "Notification{" + messageId + " " + collection.wireName() + " " + eventType + " "
        + resourcePath() + "}";
  }
}
