package io.chalkstream.deadletter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * Compact coder for {@link DeadLetter}; keeps payload bytes exactly. The wire format is pinned by
 * DeadLetterCoderTest: change it only with a drain and replace, never a Dataflow update.
 */
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
    VarIntCoder.of().encode(code(d.stage()), out);
    STRING.encode(d.error(), out);
    NULLABLE_STRING.encode(d.messageId(), out);
    NULLABLE_LONG.encode(d.publishTimeMillis(), out);
    // Sorted: Map.copyOf's order is salted per JVM, so equal letters would not give equal bytes.
    // The layout is MapCoder's either way, so bytes written before sorting still decode.
    ATTRIBUTES.encode(new TreeMap<>(d.attributes()), out);
    NULLABLE_BYTES.encode(d.payload(), out);
  }

  @Override
  public DeadLetter decode(InputStream in) throws IOException {
    return new DeadLetter(
        VarLongCoder.of().decode(in),
        stage(VarIntCoder.of().decode(in)),
        STRING.decode(in),
        NULLABLE_STRING.decode(in),
        NULLABLE_LONG.decode(in),
        ATTRIBUTES.decode(in),
        NULLABLE_BYTES.decode(in));
  }

  /**
   * The stage's code on the wire. Explicit rather than {@code ordinal()}, so that adding or
   * reordering constants cannot change it; the values are the ordinals the coder first wrote, so
   * existing bytes still decode. The switch has no default: a new constant fails to compile here
   * until it is given a new code.
   */
  private static int code(Stage s) {
    return switch (s) {
      case PARSE -> 0;
      case FILTER -> 1;
      case ENRICH -> 2;
      case WRITE -> 3;
    };
  }

  private static Stage stage(int code) throws CoderException {
    return switch (code) {
      case 0 -> Stage.PARSE;
      case 1 -> Stage.FILTER;
      case 2 -> Stage.ENRICH;
      case 3 -> Stage.WRITE;
      default -> throw new CoderException("unknown Stage code " + code);
    };
  }
}
