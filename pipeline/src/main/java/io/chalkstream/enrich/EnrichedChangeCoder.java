package io.chalkstream.enrich;

import io.chalkstream.notification.NotificationCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Compact coder for {@link EnrichedChange}. */
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
    VarIntCoder.of().encode(c.status().ordinal(), out);
    NULLABLE_STRING.encode(c.resourceJson(), out);
    NULLABLE_LONG.encode(c.enrichedAtMillis(), out);
  }

  @Override
  public EnrichedChange decode(InputStream in) throws IOException {
    return new EnrichedChange(
        NotificationCoder.of().decode(in),
        EnrichmentStatus.values()[VarIntCoder.of().decode(in)],
        NULLABLE_STRING.decode(in),
        NULLABLE_LONG.decode(in));
  }
}
