package io.chalkstream.notification;

import static io.chalkstream.GoldenBytes.assertGolden;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * Pins {@link NotificationCoder}'s wire format. A running Dataflow job that is updated keeps its
 * in-flight elements in the old bytes, so a failure here means "drain and replace, do not
 * update" at the very least; prefer keeping the format.
 */
public class NotificationCoderTest {
  private static final NotificationCoder CODER = NotificationCoder.of();

  private static final Notification FULL = new Notification("m-1", 1_700_000_000_123L, "reg-1",
      NotificationCollection.SUBMISSIONS, "MODIFIED", List.of("c1", "w2", "s3"),
      Map.of("registrationId", "reg-1"), "{\"k\":1}".getBytes(UTF_8));
  private static final Notification NULLS = new Notification("m-2", 0L, null,
      NotificationCollection.STUDENTS, "DELETED", List.of("c1", "u2"), Map.of(), new byte[0]);
  private static final Notification MANY_ATTRIBUTES = new Notification("m-3", 7L, "reg-1",
      NotificationCollection.TEACHERS, "CREATED", List.of("c1", "u2"),
      Map.of("registrationId", "reg-1", "b", "2", "a", "1", "z", "9"), new byte[] {0, -1});

  // Captured from the coder before the enum and map changes; those changes kept these bytes.
  private static final String GOLDEN_FULL = "036d2d31fbd095ffbc3101057265672d3103084d4f444946494"
      + "544026331027732027333000000010e726567697374726174696f6e4964057265672d31077b226b223a317d";
  private static final String GOLDEN_NULLS = "036d2d320000000744454c4554454402633102753200000000"
      + "00";
  // Attributes sorted by key (a, b, registrationId, z). Before sorting, a map of two or more
  // entries was written in Map.copyOf's order, which is salted per JVM: no constant could pin it.
  private static final String GOLDEN_MANY_ATTRIBUTES =
      "036d2d330701057265672d310107435245415445440263310275320000000401610131016201320e72656769"
      + "7374726174696f6e4964057265672d31017a01390200ff";

  @Test
  public void encodesAndDecodesTheGoldenBytes() throws Exception {
    assertGolden(CODER, GOLDEN_FULL, FULL);
    assertGolden(CODER, GOLDEN_NULLS, NULLS);
    assertGolden(CODER, GOLDEN_MANY_ATTRIBUTES, MANY_ATTRIBUTES);
  }

  @Test
  public void everyCollectionKeepsItsCode() throws Exception {
    Map<NotificationCollection, Integer> codes = new EnumMap<>(NotificationCollection.class);
    codes.put(NotificationCollection.STUDENTS, 0);
    codes.put(NotificationCollection.TEACHERS, 1);
    codes.put(NotificationCollection.COURSE_WORK, 2);
    codes.put(NotificationCollection.SUBMISSIONS, 3);
    assertEquals("a new constant needs a new code here", EnumSet.allOf(NotificationCollection.class),
        codes.keySet());
    for (Map.Entry<NotificationCollection, Integer> e : codes.entrySet()) {
      List<String> ids = e.getKey().resourceIdKeys();
      Notification n = new Notification("m", 0L, null, e.getKey(), "CREATED", ids, Map.of(),
          new byte[0]);
      // "m" (2 bytes), publish time 0 (1), null registration (1): the code is the fifth byte.
      assertEquals(e.getKey().name(), (int) e.getValue(),
          CoderUtils.encodeToByteArray(CODER, n)[4]);
    }
  }

  @Test
  public void anUnknownCollectionCodeFailsNamingIt() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringUtf8Coder.of().encode("m", bytes);
    VarLongCoder.of().encode(0L, bytes);
    NullableCoder.of(StringUtf8Coder.of()).encode(null, bytes);
    VarIntCoder.of().encode(42, bytes);
    CoderException e = assertThrows(CoderException.class,
        () -> CoderUtils.decodeFromByteArray(CODER, bytes.toByteArray()));
    assertThat(e.getMessage(), containsString("unknown NotificationCollection code 42"));
  }

  @Test
  public void equalNotificationsGiveEqualBytesWhateverTheAttributeOrder() throws Exception {
    Map<String, String> forward = new LinkedHashMap<>();
    Map<String, String> backward = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      forward.put("k" + i, "v" + i);
      backward.put("k" + (19 - i), "v" + (19 - i));
    }
    Notification a = new Notification("m", 1L, "r", NotificationCollection.STUDENTS, "CREATED",
        List.of("c", "u"), forward, new byte[] {1});
    Notification b = new Notification("m", 1L, "r", NotificationCollection.STUDENTS, "CREATED",
        List.of("c", "u"), backward, new byte[] {1});
    CODER.verifyDeterministic();
    CoderProperties.coderDeterministic(CODER, a, b);
    assertArrayEquals(CoderUtils.encodeToByteArray(CODER, a), CoderUtils.encodeToByteArray(CODER, b));
  }

  @Test
  public void roundTripsInEveryContext() throws Exception {
    for (Notification n : List.of(FULL, NULLS, MANY_ATTRIBUTES)) {
      CoderProperties.coderDecodeEncodeEqual(CODER, n);
    }
  }
}
