package io.chalkstream.deadletter;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A failure that must not be lost. It keeps the original payload bytes and attributes so that the
 * message can be replayed once the cause is fixed.
 */
@DefaultCoder(DeadLetterCoder.class)
public final class DeadLetter {
  private final long failedAtMillis;
  private final Stage stage;
  private final String error;
  private final @Nullable String messageId;
  private final @Nullable Long publishTimeMillis;
  private final Map<String, String> attributes;
  private final byte @Nullable [] payload;

  public DeadLetter(
      long failedAtMillis,
      Stage stage,
      String error,
      @Nullable String messageId,
      @Nullable Long publishTimeMillis,
      Map<String, String> attributes,
      byte @Nullable [] payload) {
    this.failedAtMillis = failedAtMillis;
    this.stage = Objects.requireNonNull(stage);
    this.error = Objects.requireNonNull(error);
    this.messageId = messageId;
    this.publishTimeMillis = publishTimeMillis;
    this.attributes = Map.copyOf(attributes);
    this.payload = payload == null ? null : payload.clone();
  }

  public long failedAtMillis() {
    return failedAtMillis;
  }

  public Stage stage() {
    return stage;
  }

  public String error() {
    return error;
  }

  public @Nullable String messageId() {
    return messageId;
  }

  public @Nullable Long publishTimeMillis() {
    return publishTimeMillis;
  }

  public Map<String, String> attributes() {
    return attributes;
  }

  public byte @Nullable [] payload() {
    return payload == null ? null : payload.clone();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeadLetter)) {
      return false;
    }
    DeadLetter d = (DeadLetter) o;
    return failedAtMillis == d.failedAtMillis
        && stage == d.stage
        && error.equals(d.error)
        && Objects.equals(messageId, d.messageId)
        && Objects.equals(publishTimeMillis, d.publishTimeMillis)
        && attributes.equals(d.attributes)
        && Arrays.equals(payload, d.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(stage, error, messageId);
  }

  @Override
  public String toString() {
    return "DeadLetter{" + stage + " " + messageId + ": " + error + "}";
  }
}
