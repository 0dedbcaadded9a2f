package io.chalkstream.deadletter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Compact coder for {@link DeadLetter}; keeps payload bytes exactly. */
public final class DeadLetterCoder extends CustomCoder<DeadLetter> {
  private static final DeadLetterCoder INSTANCE = new DeadLetterCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final NullableCoder<String> NULLABLE_STRING = NullableCoder.of(STRING);
  private static final NullableCoder<Long> NULLABLE_LONG = NullableCoder.of(VarLongCoder.of());
  private static final NullableCoder<byte[]> NULLABLE_BYTES = NullableCoder.of(ByteArrayCoder.of());
  private static final MapCoder<String, String> ATTRIBUTES = MapCoder.of(STRING, STRING);

  public static DeadLetterCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(DeadLetter d, OutputStream out) throws IOException {
    VarLongCoder.of().encode(d.failedAtMillis(), out);
    VarIntCoder.of().encode(d.stage().ordinal(), out);
    STRING.encode(d.error(), out);
    NULLABLE_STRING.encode(d.messageId(), out);
    NULLABLE_LONG.encode(d.publishTimeMillis(), out);
    ATTRIBUTES.encode(d.attributes(), out);
    NULLABLE_BYTES.encode(d.payload(), out);
  }

  @Override
  public DeadLetter decode(InputStream in) throws IOException {
    return new DeadLetter(
        VarLongCoder.of().decode(in),
        Stage.values()[VarIntCoder.of().decode(in)],
        STRING.decode(in),
        NULLABLE_STRING.decode(in),
        NULLABLE_LONG.decode(in),
        ATTRIBUTES.decode(in),
        NULLABLE_BYTES.decode(in));
  }
}
