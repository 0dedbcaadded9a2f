package io.chalkstream.enrich;

import java.io.Serializable;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;

/** The answer to one get call, shared by every notification of the resource in a pane. */
public final class FetchResult implements Serializable {
  private final EnrichmentStatus status;
  private final @Nullable String resourceJson;
  private final @Nullable String error;
  private final long answeredAtMillis;

  private FetchResult(EnrichmentStatus status, @Nullable String resourceJson,
      @Nullable String error, long answeredAtMillis) {
    this.status = status;
    this.resourceJson = resourceJson;
    this.error = error;
    this.answeredAtMillis = answeredAtMillis;
  }

  public static FetchResult ok(String json, long answeredAtMillis) {
    return new FetchResult(EnrichmentStatus.OK, json, null, answeredAtMillis);
  }

  public static FetchResult of(EnrichmentStatus status, String error, long answeredAtMillis) {
    return new FetchResult(status, null, error, answeredAtMillis);
  }

  public EnrichmentStatus status() {
    return status;
  }

  public @Nullable String resourceJson() {
    return resourceJson;
  }

  /** What went wrong, for NOT_FOUND, PERMISSION_DENIED and FAILED. */
  public @Nullable String error() {
    return error;
  }

  public long answeredAtMillis() {
    return answeredAtMillis;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FetchResult
        && status == ((FetchResult) o).status
        && Objects.equals(resourceJson, ((FetchResult) o).resourceJson)
        && Objects.equals(error, ((FetchResult) o).error)
        && answeredAtMillis == ((FetchResult) o).answeredAtMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, resourceJson, error, answeredAtMillis);
  }

  @Override
  public String toString() {
    return status + (error == null ? "" : ": " + error);
  }
}
