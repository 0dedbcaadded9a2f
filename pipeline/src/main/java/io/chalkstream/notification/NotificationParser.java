package io.chalkstream.notification;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Turns the bytes and attributes of a Pub/Sub message into a {@link Notification}, or says
 * precisely why it cannot. Never throws for any input.
 */
public final class NotificationParser {
  /** The attribute Classroom sets to the id of the registration that caused the notification. */
  public static final String REGISTRATION_ID_ATTRIBUTE = "registrationId";

  /**
   * Real notifications are a few hundred bytes; anything far larger is not one, and refusing it
   * early bounds the time and memory one message can cost.
   */
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  /** Longest id accepted; real Classroom ids are under 30 characters. */
  static final int MAX_ID_LENGTH = 256;

  private static final ObjectMapper MAPPER = newMapper();

  private NotificationParser() {}

  private static ObjectMapper newMapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxNumberLength(100)
                    .maxStringLength(MAX_PAYLOAD_BYTES)
                    .build())
            .build();
    return new ObjectMapper(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
  }

  /** The outcome: exactly one of {@link #notification()} and {@link #error()} is present. */
  public static final class Result {
    private final @Nullable Notification notification;
    private final @Nullable String error;

    private Result(@Nullable Notification notification, @Nullable String error) {
      this.notification = notification;
      this.error = error;
    }

    public Optional<Notification> notification() {
      return Optional.ofNullable(notification);
    }

    public Optional<String> error() {
      return Optional.ofNullable(error);
    }
  }

  public static Result parse(
      byte @Nullable [] payload,
      @Nullable Map<String, String> attributes,
      String messageId,
      long publishTimeMillis) {
    try {
      return parseOrFail(
          payload == null ? new byte[0] : payload,
          attributes == null ? Map.of() : attributes,
          messageId,
          publishTimeMillis);
    } catch (Invalid e) {
      return new Result(null, e.getMessage());
    } catch (RuntimeException e) {
      // A parser bug must still end in a dead letter, not a failed bundle retried forever.
      return new Result(null, "unexpected parser error: " + e);
    }
  }

  private static Result parseOrFail(
      byte[] payload, Map<String, String> attributes, String messageId, long publishTimeMillis)
      throws Invalid {
    if (payload.length == 0) {
      throw new Invalid("empty payload: a Classroom notification is a JSON object");
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new Invalid(
          "payload of " + payload.length + " bytes exceeds the " + MAX_PAYLOAD_BYTES
              + "-byte limit for a notification (real ones are a few hundred bytes)");
    }
    JsonNode root = readJson(decodeUtf8Strictly(payload));
    if (!root.isObject()) {
      throw new Invalid("payload is JSON but not an object (found " + kind(root) + ")");
    }
    String collectionName = requiredString(root, "collection", "collection");
    NotificationCollection collection =
        NotificationCollection.fromWireName(collectionName)
            .orElseThrow(
                () ->
                    new Invalid(
                        "unknown collection '" + shorten(collectionName) + "' (expected one of "
                            + NotificationCollection.wireNames() + ")"));
    String eventType = requiredString(root, "eventType", "eventType");
    JsonNode resourceId = root.get("resourceId");
    if (resourceId == null || resourceId.isNull()) {
      throw new Invalid("field 'resourceId' is missing");
    }
    if (!resourceId.isObject()) {
      throw new Invalid("field 'resourceId' must be an object, found " + kind(resourceId));
    }
    List<String> ids = new ArrayList<>();
    for (String key : collection.resourceIdKeys()) {
      if (!resourceId.has(key)) {
        throw new Invalid(
            "resourceId lacks '" + key + "', which " + collection.wireName() + " requires "
                + collection.resourceIdKeys());
      }
      ids.add(requiredString(resourceId, key, "resourceId." + key));
    }
    String registrationId = attributes.get(REGISTRATION_ID_ATTRIBUTE);
    return new Result(
        new Notification(
            messageId, publishTimeMillis, registrationId, collection, eventType, ids, attributes,
            payload),
        null);
  }

  private static String decodeUtf8Strictly(byte[] payload) throws Invalid {
    try {
      return StrictUtf8.decode(payload);
    } catch (StrictUtf8.Malformed e) {
      throw new Invalid("payload is not valid UTF-8 (" + e.getMessage() + ")");
    }
  }

  private static JsonNode readJson(String text) throws Invalid {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new Invalid("payload is not JSON: no value in " + text.length() + " characters");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new Invalid("payload is not JSON: " + shorten(e.getOriginalMessage()));
    }
  }

  private static String requiredString(JsonNode parent, String field, String label)
      throws Invalid {
    JsonNode value = parent.get(field);
    if (value == null || value.isNull()) {
      throw new Invalid("field '" + label + "' is missing");
    }
    if (!value.isTextual()) {
      throw new Invalid("field '" + label + "' must be a string, found " + kind(value));
    }
    String text = value.textValue();
    if (text.isBlank()) {
      throw new Invalid("field '" + label + "' is empty");
    }
    if (text.length() > MAX_ID_LENGTH) {
      throw new Invalid(
          "field '" + label + "' is " + text.length() + " characters, over the limit of "
              + MAX_ID_LENGTH);
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        throw new Invalid("field '" + label + "' contains a control character");
      }
    }
    return text;
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name();
  }

  private static String shorten(@Nullable String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= 120 ? s : s.substring(0, 120) + "…";
  }

  /** A checked signal that carries the message for the dead letter. */
  private static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }
}
