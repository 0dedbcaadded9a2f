package io.chalkstream.snapshot;

import static io.chalkstream.GoldenBytes.assertGolden;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import io.chalkstream.notification.NotificationCollection;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/** Pins {@link DriftCoder}'s wire format, which names the collection by its enum name. */
public class DriftCoderTest {
  private static final DriftCoder CODER = DriftCoder.of();

  private static final Drift FULL = new Drift(NotificationCollection.SUBMISSIONS, "c1",
      List.of("c1", "w2", "s3"), "state=TURNED_IN; assigned_grade=9");
  private static final Drift NULLS =
      new Drift(NotificationCollection.TEACHERS, "c1", List.of("c1", "u2"), null);

  // Captured from the coder before the error-message change, which kept these bytes.
  private static final String GOLDEN_FULL = "0b5355424d495353494f4e5302633100000003026331027732"
      + "027333012173746174653d5455524e45445f494e3b2061737369676e65645f67726164653d39";
  private static final String GOLDEN_NULLS = "0854454143484552530263310000000202633102753200";

  @Test
  public void encodesAndDecodesTheGoldenBytes() throws Exception {
    assertGolden(CODER, GOLDEN_FULL, FULL);
    assertGolden(CODER, GOLDEN_NULLS, NULLS);
  }

  @Test
  public void anUnknownCollectionNameFailsNamingIt() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringUtf8Coder.of().encode("COURSE_ALIASES", bytes);
    StringUtf8Coder.of().encode("c1", bytes);
    ListCoder.of(StringUtf8Coder.of()).encode(List.of("c1", "a2"), bytes);
    NullableCoder.of(StringUtf8Coder.of()).encode(null, bytes);
    CoderException e = assertThrows(CoderException.class,
        () -> CoderUtils.decodeFromByteArray(CODER, bytes.toByteArray()));
    assertThat(e.getMessage(), containsString("unknown NotificationCollection name"));
    assertThat(e.getMessage(), containsString("COURSE_ALIASES"));
  }

  @Test
  public void roundTripsEveryCollectionDeterministically() throws Exception {
    CODER.verifyDeterministic();
    for (NotificationCollection c : NotificationCollection.values()) {
      List<String> ids = c.resourceIdKeys();
      Drift d = new Drift(c, ids.get(0), ids, "v");
      CoderProperties.coderDecodeEncodeEqual(CODER, d);
      CoderProperties.coderDeterministic(CODER, d, new Drift(c, ids.get(0), List.copyOf(ids), "v"));
    }
    CoderProperties.coderDecodeEncodeEqual(CODER, FULL);
    CoderProperties.coderDecodeEncodeEqual(CODER, NULLS);
  }
}
