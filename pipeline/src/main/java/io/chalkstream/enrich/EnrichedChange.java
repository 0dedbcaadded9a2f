package io.chalkstream.enrich;

import io.chalkstream.notification.Notification;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A notification with what its get call said: one change row in the making. */
@DefaultCoder(EnrichedChangeCoder.class)
public final class EnrichedChange {
  private final Notification notification;
  private final EnrichmentStatus status;
  private final @Nullable String resourceJson;
  private final @Nullable Long enrichedAtMillis;

  public EnrichedChange(Notification notification, EnrichmentStatus status,
      @Nullable String resourceJson, @Nullable Long enrichedAtMillis) {
    this.notification = Objects.requireNonNull(notification);
    this.status = Objects.requireNonNull(status);
    this.resourceJson = resourceJson;
    this.enrichedAtMillis = enrichedAtMillis;
  }

  public Notification notification() {
    return notification;
  }

  public EnrichmentStatus status() {
    return status;
  }

  public @Nullable String resourceJson() {
    return resourceJson;
  }

  /** When the get answered; null for SKIPPED (no call was made). */
  public @Nullable Long enrichedAtMillis() {
    return enrichedAtMillis;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EnrichedChange)) {
      return false;
    }
    EnrichedChange c = (EnrichedChange) o;
    return notification.equals(c.notification) && status == c.status
        && Objects.equals(resourceJson, c.resourceJson)
        && Objects.equals(enrichedAtMillis, c.enrichedAtMillis);
  }

  @Override
  public int hashCode() {
    return Objects.hash(notification, status);
  }

  @Override
  public String toString() {
    return "EnrichedChange{" + notification + " " + status + "}";
  }
}
