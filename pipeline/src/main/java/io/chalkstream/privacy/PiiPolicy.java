package io.chalkstream.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.beam.sdk.util.GcpSecret;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Applies {@code --piiMode} to change rows: the personal columns and the same fields inside
 * {@code resource_json}. Serializable with the key's location only; the key is read where the
 * rows are made ({@link #load()}), so it is never part of the job's graph.
 */
public final class PiiPolicy implements Serializable {
  /** Personal columns of the change tables. */
  private static final Map<String, List<String>> COLUMNS = Map.of(
      "roster_changes", List.of("user_id", "full_name", "email_address"),
      "submission_changes", List.of("user_id"));
  /** Personal fields of Classroom resources, wherever they appear in resource_json. */
  private static final Set<String> FIELDS = Set.of("userId", "creatorUserId", "emailAddress",
      "photoUrl", "fullName", "givenName", "familyName");
  private static final int MIN_KEY_BYTES = 32;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PiiMode mode;
  private final @Nullable String keyFile;
  private final @Nullable String keySecret;

  private PiiPolicy(PiiMode mode, @Nullable String keyFile, @Nullable String keySecret) {
    this.mode = mode;
    this.keyFile = keyFile;
    this.keySecret = keySecret;
  }

  public static PiiPolicy keep() {
    return new PiiPolicy(PiiMode.KEEP, null, null);
  }

  /** From the options; refuses HASH without exactly one key source. */
  public static PiiPolicy from(PrivacyOptions options) {
    PiiMode mode = options.getPiiMode();
    boolean file = options.getPiiKeyFile() != null;
    boolean secret = options.getPiiKeySecret() != null;
    if (mode == PiiMode.HASH && file == secret) {
      throw new IllegalArgumentException("--piiMode=HASH needs the HMAC key from exactly one of "
          + "--piiKeyFile or --piiKeySecret; create one with e.g. "
          + "'head -c 32 /dev/urandom > pii.key' and keep it safe: the same key makes the same "
          + "hashes, so joins across days work");
    }
    if (mode != PiiMode.HASH && (file || secret)) {
      throw new IllegalArgumentException("--piiKeyFile and --piiKeySecret are for --piiMode=HASH; "
          + "the mode is " + mode);
    }
    PiiPolicy policy = new PiiPolicy(mode, options.getPiiKeyFile(), options.getPiiKeySecret());
    if (file) {
      policy.load(); // a missing or short key file fails at launch, not on a worker
    }
    return policy;
  }

  public PiiMode mode() {
    return mode;
  }

  /** The policy ready to scrub rows, with its key read. */
  public Scrubber load() {
    if (mode != PiiMode.HASH) {
      return new Scrubber(mode, null);
    }
    byte[] key;
    try {
      key = keyFile != null ? Files.readAllBytes(Path.of(keyFile))
          : new GcpSecret(keySecret).getSecretBytes();
    } catch (IOException e) {
      throw new IllegalArgumentException("--piiKeyFile=" + keyFile + " cannot be read: "
          + e.getMessage(), e);
    }
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("the HMAC key of --piiMode=HASH has " + key.length
          + " bytes; give at least " + MIN_KEY_BYTES + " (e.g. head -c 32 /dev/urandom)");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return new Scrubber(mode, mac);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  /** Scrubs rows; one per DoFn instance (a {@link Mac} is not thread-safe). */
  public static final class Scrubber {
    private final PiiMode mode;
    private final @Nullable Mac mac;

    private Scrubber(PiiMode mode, @Nullable Mac mac) {
      this.mode = mode;
      this.mac = mac;
    }

    /** {@code row} of table {@code table} with its personal data kept, hashed or dropped. */
    public Row scrub(String table, Row row) {
      if (mode == PiiMode.KEEP) {
        return row;
      }
      Row.FieldValueBuilder out = Row.fromRow(row);
      for (String column : COLUMNS.getOrDefault(table, List.of())) {
        out = out.withFieldValue(column, value(row.getString(column), column.equals("email_address")));
      }
      String json = row.getString("resource_json");
      if (json != null) {
        out = out.withFieldValue("resource_json", scrubJson(json));
      }
      return out.build();
    }

    private @Nullable String value(@Nullable String value, boolean email) {
      if (value == null || mode == PiiMode.DROP) {
        return null;
      }
      // Emails compare case-insensitively: the same address hashes the same however written.
      String normalized = email ? value.trim().toLowerCase(Locale.ROOT) : value;
      return HexFormat.of().formatHex(mac.doFinal(normalized.getBytes(StandardCharsets.UTF_8)));
    }

    private String scrubJson(String json) {
      try {
        JsonNode root = JSON.readTree(json);
        scrubNode(root, null);
        return JSON.writeValueAsString(root);
      } catch (IOException e) {
        // Not JSON (the API never answers so): keep nothing rather than something unscrubbed.
        return null;
      }
    }

    private void scrubNode(JsonNode node, @Nullable String parent) {
      if (node.isArray()) {
        node.forEach(child -> scrubNode(child, parent));
        return;
      }
      if (!node.isObject()) {
        return;
      }
      ObjectNode object = (ObjectNode) node;
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      for (String name : names) {
        JsonNode child = object.get(name);
        boolean personal = FIELDS.contains(name) || ("id".equals(name) && "profile".equals(parent));
        if (personal && child.isTextual()) {
          String v = value(child.asText(), name.equals("emailAddress"));
          if (v == null) {
            object.putNull(name);
          } else {
            object.put(name, v);
          }
        } else {
          scrubNode(child, name);
        }
      }
    }
  }
}
