package io.chalkstream.enrich;

/** The {@code enrichment_status} column: what the Classroom get call said about the resource. */
public enum EnrichmentStatus {
  /** The get answered; {@code resource_json} holds the resource's current state. */
  OK,
  /** 404: the resource is gone by the time of the call. */
  NOT_FOUND,
  /** 403: the credentials may not read the resource (scopes, grant, or course membership). */
  PERMISSION_DENIED,
  /** A deletion-like event: the resource is gone, so no call was made. */
  SKIPPED,
  /** Retries ran out or the error is not retryable; the detail is in {@code dead_letters}. */
  FAILED
}
