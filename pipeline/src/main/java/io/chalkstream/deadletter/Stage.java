package io.chalkstream.deadletter;

/** Where on its way a message failed; the {@code stage} column of {@code dead_letters}. */
public enum Stage {
  /** The message is not a valid Classroom notification; it produces no change row. */
  PARSE,
  /** The message names a registration this project did not create; it produces no change row. */
  FILTER,
  /** The get call failed after its retries; the change row is written with status FAILED. */
  ENRICH,
  /** The sink refused a row; the dead letter carries the row as JSON. */
  WRITE
}
