package io.chalkstream.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.notification.StrictUtf8;
import java.util.TreeMap;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/** Builds {@code dead_letters} rows. */
public final class DeadLetterRows {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DeadLetterRows() {}

  public static Row toRow(DeadLetter d) {
    String attributes;
    try {
      attributes = MAPPER.writeValueAsString(new TreeMap<>(d.attributes()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    byte[] payload = d.payload();
    return Row.withSchema(Table.DEAD_LETTERS.beamSchema())
        .withFieldValue("failed_at", new Instant(d.failedAtMillis()))
        .withFieldValue("stage", d.stage().name())
        .withFieldValue("error", d.error())
        .withFieldValue("message_id", d.messageId())
        .withFieldValue("publish_time",
            d.publishTimeMillis() == null ? null : new Instant(d.publishTimeMillis().longValue()))
        .withFieldValue("attributes_json", attributes)
        .withFieldValue("payload_string", utf8OrNull(payload))
        .withFieldValue("payload_bytes", payload)
        .build();
  }

  /** The payload as text only when it is valid UTF-8: the bytes column keeps it exactly anyway. */
  static @Nullable String utf8OrNull(byte @Nullable [] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return StrictUtf8.decode(bytes);
    } catch (StrictUtf8.Malformed e) {
      return null;
    }
  }
}
