package io.chalkstream.enrich;

import io.chalkstream.notification.NotificationCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * Compact coder for {@link EnrichedChange}. The wire format is pinned by EnrichedChangeCoderTest:
 * change it only with a drain and replace, never a Dataflow update.
 */
public final class EnrichedChangeCoder extends CustomCoder<EnrichedChange> {
  private static final EnrichedChangeCoder INSTANCE = new EnrichedChangeCoder();
  private static final NullableCoder<String> NULLABLE_STRING =
      NullableCoder.of(StringUtf8Coder.of());
  private static final NullableCoder<Long> NULLABLE_LONG = NullableCoder.of(VarLongCoder.of());

  public static EnrichedChangeCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(EnrichedChange c, OutputStream out) throws IOException {
    NotificationCoder.of().encode(c.notification(), out);
    VarIntCoder.of().encode(code(c.status()), out);
    NULLABLE_STRING.encode(c.resourceJson(), out);
    NULLABLE_LONG.encode(c.enrichedAtMillis(), out);
  }

  @Override
  public EnrichedChange decode(InputStream in) throws IOException {
    return new EnrichedChange(
        NotificationCoder.of().decode(in),
        status(VarIntCoder.of().decode(in)),
        NULLABLE_STRING.decode(in),
        NULLABLE_LONG.decode(in));
  }

  /**
   * The status's code on the wire. Explicit rather than {@code ordinal()}, so that adding or
   * reordering constants cannot change it; the values are the ordinals the coder first wrote, so
   * existing bytes still decode. The switch has no default: a new constant fails to compile here
   * until it is given a new code.
   */
  private static int code(EnrichmentStatus s) {
    return switch (s) {
      case OK -> 0;
      case NOT_FOUND -> 1;
      case PERMISSION_DENIED -> 2;
      case SKIPPED -> 3;
      case FAILED -> 4;
    };
  }

  private static EnrichmentStatus status(int code) throws CoderException {
    return switch (code) {
      case 0 -> EnrichmentStatus.OK;
      case 1 -> EnrichmentStatus.NOT_FOUND;
      case 2 -> EnrichmentStatus.PERMISSION_DENIED;
      case 3 -> EnrichmentStatus.SKIPPED;
      case 4 -> EnrichmentStatus.FAILED;
      default -> throw new CoderException("unknown EnrichmentStatus code " + code);
    };
  }
}
