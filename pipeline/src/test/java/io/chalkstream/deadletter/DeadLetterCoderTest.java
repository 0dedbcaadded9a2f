package io.chalkstream.deadletter;

import static io.chalkstream.GoldenBytes.assertGolden;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * Pins {@link DeadLetterCoder}'s wire format. A failure here means a running Dataflow job could
 * not be updated in place: prefer keeping the format.
 */
public class DeadLetterCoderTest {
  private static final DeadLetterCoder CODER = DeadLetterCoder.of();

  private static final DeadLetter FULL = new DeadLetter(1_700_000_000_789L, Stage.ENRICH,
      "HTTP 500", "m-1", 1_700_000_000_123L, Map.of("registrationId", "reg-1"),
      "{}".getBytes(UTF_8));
  private static final DeadLetter NULLS =
      new DeadLetter(5L, Stage.WRITE, "no row", null, null, Map.of(), null);
  private static final DeadLetter MANY_ATTRIBUTES = new DeadLetter(6L, Stage.PARSE, "bad json",
      "m-3", 7L, Map.of("registrationId", "reg-1", "b", "2", "a", "1"), new byte[] {0, -1});

  // Captured from the coder before the enum and map changes; those changes kept these bytes.
  private static final String GOLDEN_FULL = "95d695ffbc310208485454502035303001036d2d3101fbd095f"
      + "fbc31000000010e726567697374726174696f6e4964057265672d3101027b7d";
  private static final String GOLDEN_NULLS = "0503066e6f20726f7700000000000000";
  // Attributes sorted by key. Before sorting, two or more entries were written in Map.copyOf's
  // order, which is salted per JVM: no constant could pin it.
  private static final String GOLDEN_MANY_ATTRIBUTES =
      "060008626164206a736f6e01036d2d3301070000000301610131016201320e726567697374726174696f6e49"
      + "64057265672d31010200ff";

  @Test
  public void encodesAndDecodesTheGoldenBytes() throws Exception {
    assertGolden(CODER, GOLDEN_FULL, FULL);
    assertGolden(CODER, GOLDEN_NULLS, NULLS);
    assertGolden(CODER, GOLDEN_MANY_ATTRIBUTES, MANY_ATTRIBUTES);
  }

  @Test
  public void everyStageKeepsItsCode() throws Exception {
    Map<Stage, Integer> codes = new EnumMap<>(Stage.class);
    codes.put(Stage.PARSE, 0);
    codes.put(Stage.FILTER, 1);
    codes.put(Stage.ENRICH, 2);
    codes.put(Stage.WRITE, 3);
    assertEquals("a new constant needs a new code here", EnumSet.allOf(Stage.class),
        codes.keySet());
    for (Map.Entry<Stage, Integer> e : codes.entrySet()) {
      DeadLetter d = new DeadLetter(0L, e.getKey(), "e", null, null, Map.of(), null);
      // failedAt 0 is one byte: the code is the second.
      assertEquals(e.getKey().name(), (int) e.getValue(), CoderUtils.encodeToByteArray(CODER, d)[1]);
    }
  }

  @Test
  public void anUnknownStageCodeFailsNamingIt() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    VarLongCoder.of().encode(0L, bytes);
    VarIntCoder.of().encode(42, bytes);
    CoderException e = assertThrows(CoderException.class,
        () -> CoderUtils.decodeFromByteArray(CODER, bytes.toByteArray()));
    assertThat(e.getMessage(), containsString("unknown Stage code 42"));
  }

  @Test
  public void roundTripsInEveryContext() throws Exception {
    for (DeadLetter d : List.of(FULL, NULLS, MANY_ATTRIBUTES)) {
      CoderProperties.coderDecodeEncodeEqual(CODER, d);
    }
  }
}
