package io.chalkstream.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.history.Table;
import io.chalkstream.history.Views;
import java.util.Base64;
import java.util.Map;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.joda.time.ReadableInstant;

/**
 * What {@code ./chalkstream replay} sends again: the dead letters of one stage that failed in a
 * time range and are not resolved yet, one per message (its latest attempt). Resolved means a
 * change row of the message exists: for ENRICH one whose get did not fail, for PARSE and FILTER
 * any. One query, written once for DuckDB and BigQuery like the views.
 */
public final class UnresolvedDeadLetters {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private UnresolvedDeadLetters() {}

  /** The SELECT, table names prefixed with {@link Views#DATASET}. */
  public static String sql(Stage stage, Instant since, Instant until) {
    String resolved = stage == Stage.ENRICH ? " AND c.enrichment_status <> 'FAILED'" : "";
    // The payload goes out as base64: the same text in both dialects, and no BYTES column to map.
    StringBuilder sql = new StringBuilder("SELECT d.failed_at, d.error, d.message_id, "
        + "d.publish_time, d.attributes_json, to_base64(d.payload_bytes) AS payload_base64 "
        + "FROM " + Views.DATASET + "dead_letters d WHERE d.stage = '" + stage.name() + "' "
        + "AND d.failed_at >= " + Views.timestamp(since) + " AND d.failed_at < "
        + Views.timestamp(until) + " AND d.message_id IS NOT NULL "
        + "AND d.payload_bytes IS NOT NULL");
    for (Table t : Table.CHANGE_TABLES) {
      sql.append(" AND NOT EXISTS (SELECT 1 FROM ").append(Views.DATASET).append(t.tableName())
          .append(" c WHERE c.message_id = d.message_id").append(resolved).append(')');
    }
    return sql.append(" QUALIFY row_number() OVER (PARTITION BY d.message_id "
        + "ORDER BY d.failed_at DESC) = 1").toString();
  }

  /** A row of {@link #sql} as the dead letter it was written from. */
  public static SerializableFunction<Map<String, Object>, DeadLetter> parse(Stage stage) {
    return row -> {
      ReadableInstant publishTime = (ReadableInstant) row.get("publish_time");
      return new DeadLetter(((ReadableInstant) row.get("failed_at")).getMillis(), stage,
          String.valueOf(row.get("error")), (String) row.get("message_id"),
          publishTime == null ? null : publishTime.getMillis(),
          attributes((String) row.get("attributes_json"), (String) row.get("message_id")),
          Base64.getDecoder().decode((String) row.get("payload_base64")));
    };
  }

  private static Map<String, String> attributes(@Nullable String json, String messageId) {
    if (json == null) {
      return Map.of();
    }
    try {
      return MAPPER.readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("dead_letters.attributes_json of message " + messageId
          + " is not a JSON object of strings: " + e.getOriginalMessage(), e);
    }
  }
}
