package io.chalkstream.replay;

import io.chalkstream.deadletter.Stage;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/** Options of {@code ./chalkstream replay}: which dead letters to send through again. */
public interface ReplayOptions extends PipelineOptions {
  @Description("Stage of the dead letters to replay: ENRICH (the get failed after its retries; "
      + "e.g. an outage or a revoked grant, now fixed), PARSE (a parser bug, now fixed) or FILTER "
      + "(notifications of a registration that turned out to be yours; replay does not filter). "
      + "WRITE dead letters hold the rejected row, not the message, and cannot be replayed.")
  @Default.String("ENRICH")
  String getStage();

  void setStage(String value);

  @Description("Replay dead letters that failed at or after this time: an RFC 3339 instant "
      + "(2026-11-22T08:00:00Z) or a UTC date (2026-11-22). Empty: from the first one.")
  @Default.String("")
  String getSince();

  void setSince(String value);

  @Description("Replay dead letters that failed before this time: an RFC 3339 instant or a UTC "
      + "date. Empty: up to now.")
  @Default.String("")
  String getUntil();

  void setUntil(String value);

  /** The stage to replay; WRITE and unknown names are refused with what to do instead. */
  static Stage stage(ReplayOptions options) {
    String name = String.valueOf(options.getStage()).trim().toUpperCase(java.util.Locale.ROOT);
    if (name.equals(Stage.WRITE.name())) {
      throw new IllegalArgumentException("--stage=WRITE cannot be replayed: a WRITE dead letter "
          + "holds the row the sink refused (payload_string), not the original message; fix the "
          + "row and load it with bq load or an INSERT");
    }
    for (Stage s : Stage.values()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("--stage=" + options.getStage()
        + " is not a stage to replay; use ENRICH, PARSE or FILTER");
  }

  /** {@code value} of option {@code name} in epoch millis, or {@code fallback} when empty. */
  static long instant(String name, @Nullable String value, long fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    String v = value.trim();
    try {
      return v.length() == 10
          ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
          : Instant.parse(v).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--" + name + "=" + value + " is neither an RFC 3339 "
          + "instant such as 2026-11-22T08:00:00Z nor a date such as 2026-11-22");
    }
  }
}
