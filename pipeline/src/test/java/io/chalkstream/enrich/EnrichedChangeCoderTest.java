package io.chalkstream.enrich;

import static io.chalkstream.GoldenBytes.assertGolden;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCoder;
import io.chalkstream.notification.NotificationCollection;
import java.io.ByteArrayOutputStream;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * Pins {@link EnrichedChangeCoder}'s wire format (which embeds NotificationCoder's). A failure
 * here means a running Dataflow job could not be updated in place: prefer keeping the format.
 */
public class EnrichedChangeCoderTest {
  private static final EnrichedChangeCoder CODER = EnrichedChangeCoder.of();

  private static final Notification N = new Notification("m-1", 1_700_000_000_123L, "reg-1",
      NotificationCollection.COURSE_WORK, "MODIFIED", List.of("c1", "w2"),
      Map.of("registrationId", "reg-1"), "{}".getBytes(UTF_8));
  private static final EnrichedChange FULL = new EnrichedChange(N,
      EnrichmentStatus.PERMISSION_DENIED, "{\"id\":\"w2\"}", 1_700_000_000_456L);
  private static final EnrichedChange NULLS =
      new EnrichedChange(N, EnrichmentStatus.SKIPPED, null, null);

  // Captured from the coder before the enum change, which kept these bytes.
  private static final String GOLDEN_FULL = "036d2d31fbd095ffbc3101057265672d3102084d4f444946494"
      + "544026331027732000000010e726567697374726174696f6e4964057265672d31027b7d02010b7b226964223a"
      + "227732227d01c8d395ffbc31";
  private static final String GOLDEN_NULLS = "036d2d31fbd095ffbc3101057265672d3102084d4f4449464"
      + "94544026331027732000000010e726567697374726174696f6e4964057265672d31027b7d030000";

  @Test
  public void encodesAndDecodesTheGoldenBytes() throws Exception {
    assertGolden(CODER, GOLDEN_FULL, FULL);
    assertGolden(CODER, GOLDEN_NULLS, NULLS);
  }

  @Test
  public void everyStatusKeepsItsCode() throws Exception {
    Map<EnrichmentStatus, Integer> codes = new EnumMap<>(EnrichmentStatus.class);
    codes.put(EnrichmentStatus.OK, 0);
    codes.put(EnrichmentStatus.NOT_FOUND, 1);
    codes.put(EnrichmentStatus.PERMISSION_DENIED, 2);
    codes.put(EnrichmentStatus.SKIPPED, 3);
    codes.put(EnrichmentStatus.FAILED, 4);
    assertEquals("a new constant needs a new code here", EnumSet.allOf(EnrichmentStatus.class),
        codes.keySet());
    int offset = CoderUtils.encodeToByteArray(NotificationCoder.of(), N).length;
    for (Map.Entry<EnrichmentStatus, Integer> e : codes.entrySet()) {
      byte[] bytes = CoderUtils.encodeToByteArray(CODER, new EnrichedChange(N, e.getKey(), null,
          null));
      assertEquals(e.getKey().name(), (int) e.getValue(), bytes[offset]);
    }
  }

  @Test
  public void anUnknownStatusCodeFailsNamingIt() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    NotificationCoder.of().encode(N, bytes);
    VarIntCoder.of().encode(42, bytes);
    bytes.write(new byte[] {0, 0});
    CoderException e = assertThrows(CoderException.class,
        () -> CoderUtils.decodeFromByteArray(CODER, bytes.toByteArray()));
    assertThat(e.getMessage(), containsString("unknown EnrichmentStatus code 42"));
  }

  @Test
  public void roundTripsInEveryContext() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(CODER, FULL);
    CoderProperties.coderDecodeEncodeEqual(CODER, NULLS);
  }
}
