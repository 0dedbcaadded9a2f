package io.chalkstream;

import static org.junit.Assert.assertEquals;

import java.util.HexFormat;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.util.CoderUtils;

/** Pins a coder's wire format: a running job being updated must decode what it wrote before. */
public final class GoldenBytes {
  private static final HexFormat HEX = HexFormat.of();

  private GoldenBytes() {}

  /** {@code value} encodes to exactly {@code golden} (hex) and decodes back from it. */
  public static <T> void assertGolden(Coder<T> coder, String golden, T value) throws Exception {
    assertEquals(golden, HEX.formatHex(CoderUtils.encodeToByteArray(coder, value)));
    assertEquals(value, CoderUtils.decodeFromByteArray(coder, HEX.parseHex(golden)));
  }
}
