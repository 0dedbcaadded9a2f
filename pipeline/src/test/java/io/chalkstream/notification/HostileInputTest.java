package io.chalkstream.notification;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Hostile input for the parser, generated: random bytes, mutated real notifications, deep
 * nesting, huge strings and numbers, wrong types, duplicate keys, control characters, invalid
 * UTF-8, oversized bodies. The parser never throws and never falls into its catch-all; each input
 * is exactly one notification or one error that names the problem.
 */
class HostileInputTest {
  private static final String VALID = "{\"collection\":\"courses.courseWork.studentSubmissions\","
      + "\"eventType\":\"MODIFIED\",\"resourceId\":{\"courseId\":\"123\",\"courseWorkId\":\"456\","
      + "\"id\":\"Cg4I\"}}";

  /** Exactly one outcome, and never the catch-all that hides a parser bug. */
  private static NotificationParser.Result parseOnce(byte[] payload, Map<String, String> attributes) {
    NotificationParser.Result r = NotificationParser.parse(payload, attributes, "m1", 1L);
    assertTrue("exactly one of notification or error",
        r.notification().isPresent() != r.error().isPresent());
    r.error().ifPresent(e -> assertThat(e, not(startsWith("unexpected parser error"))));
    return r;
  }

  @Property(tries = 2000)
  void anyBytesAndAttributes(@ForAll @Size(max = 2048) byte[] payload,
      @ForAll @Size(max = 5) Map<@Size(max = 40) String, @Size(max = 200) String> attributes) {
    parseOnce(payload, attributes);
  }

  @Property(tries = 2000)
  void mutatedRealNotifications(@ForAll("mutations") byte[] payload) {
    NotificationParser.Result r = parseOnce(payload, Map.of("registrationId", "r"));
    r.notification().ifPresent(n -> assertEquals(3, n.resourceIds().size()));
  }

  @Provide
  Arbitrary<byte[]> mutations() {
    byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
    Arbitrary<Integer> position = Arbitraries.integers().between(0, valid.length - 1);
    Arbitrary<Byte> any = Arbitraries.bytes();
    Arbitrary<byte[]> flipped = Combinators.combine(position, any).as((i, b) -> {
      byte[] copy = valid.clone();
      copy[i] = b;
      return copy;
    });
    Arbitrary<byte[]> truncated = position.map(i -> Arrays.copyOf(valid, i));
    Arbitrary<byte[]> inserted = Combinators.combine(position,
        Arbitraries.of("\u0000", "\"", "\\", "{", "}", "[", ",", ":", "\u0085", "\uD83D\uDE00",
            "\\u0000", "\\uD800", "null", "1e999999", "-0", "\t\r\n"))
        .as((i, s) -> {
          String text = VALID.substring(0, i) + s + VALID.substring(i);
          return text.getBytes(StandardCharsets.UTF_8);
        });
    return Arbitraries.oneOf(flipped, truncated, inserted);
  }

  @Property(tries = 200)
  void deepNesting(@ForAll @IntRange(min = 1, max = 100_000) int depth,
      @ForAll boolean objects) {
    String open = objects ? "{\"a\":" : "[";
    String close = objects ? "}" : "]";
    String json = "{\"collection\":\"courses.students\",\"eventType\":\"CREATED\","
        + "\"resourceId\":{\"courseId\":\"1\",\"userId\":\"2\"},\"x\":"
        + open.repeat(depth) + "1" + close.repeat(depth) + "}";
    NotificationParser.Result r =
        parseOnce(json.getBytes(StandardCharsets.UTF_8), Map.of());
    if (json.length() > NotificationParser.MAX_PAYLOAD_BYTES) {
      assertThat(r.error().orElseThrow(), containsString("exceeds the 65536-byte limit"));
    }
  }

  @Property(tries = 300)
  void wrongTypesDuplicateKeysAndHugeValues(@ForAll("fieldValues") String collection,
      @ForAll("fieldValues") String eventType, @ForAll("fieldValues") String courseId,
      @ForAll boolean duplicate) {
    String json = "{\"collection\":" + collection + ",\"eventType\":" + eventType
        + ",\"resourceId\":{\"courseId\":" + courseId + ",\"userId\":\"2\"}"
        + (duplicate ? ",\"eventType\":\"DELETED\"" : "") + "}";
    NotificationParser.Result r = parseOnce(json.getBytes(StandardCharsets.UTF_8), Map.of());
    if (duplicate) {
      assertTrue("a duplicate key is refused", r.error().isPresent());
    }
  }

  @Provide
  Arbitrary<String> fieldValues() {
    return Arbitraries.oneOf(
        Arbitraries.of("\"courses.students\"", "\"CREATED\"", "\"12345\"", "null", "true", "[]",
            "{}", "1e999999", "-1", "0.5", "\"\"", "\"\\u0000\"", "\"\\uD800\"", "\"\u0007\""),
        Arbitraries.integers().between(1, 70_000).map(n -> "\"" + "x".repeat(n) + "\""),
        Arbitraries.integers().between(1, 70_000).map(n -> "9".repeat(n)));
  }

  @Property(tries = 50)
  void controlCharactersInIds(@ForAll @IntRange(min = 0, max = 31) int control) {
    String id = "12" + (char) control + "3";
    String json = "{\"collection\":\"courses.students\",\"eventType\":\"CREATED\","
        + "\"resourceId\":{\"courseId\":\"" + id + "\",\"userId\":\"2\"}}";
    parseOnce(json.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  @Property(tries = 5)
  void tenMegabyteBodiesAreRefusedBySize(@ForAll @IntRange(min = 10_000_000, max = 10_500_000)
      int size) {
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) '[');
    NotificationParser.Result r = parseOnce(body, Map.of());
    assertThat(r.error().orElseThrow(), containsString("exceeds the 65536-byte limit"));
  }

  @Property(tries = 500)
  void invalidUtf8IsRefusedNotRepaired(@ForAll("invalidUtf8") byte[] bad) {
    byte[] prefix = "{\"collection\":\"courses.students\",\"eventType\":\"CREATED\",\"resourceId\":{\"courseId\":\"1"
        .getBytes(StandardCharsets.UTF_8);
    byte[] suffix = "\",\"userId\":\"2\"}}".getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[prefix.length + bad.length + suffix.length];
    System.arraycopy(prefix, 0, payload, 0, prefix.length);
    System.arraycopy(bad, 0, payload, prefix.length, bad.length);
    System.arraycopy(suffix, 0, payload, prefix.length + bad.length, suffix.length);
    NotificationParser.Result r = parseOnce(payload, Map.of());
    assertThat(r.error().orElseThrow(), containsString("not valid UTF-8"));
  }

  @Provide
  Arbitrary<byte[]> invalidUtf8() {
    return Arbitraries.of(List.of(
        new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC0, (byte) 0x80},
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF8, 1, 2, 3},
        new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0x80}));
  }
}
