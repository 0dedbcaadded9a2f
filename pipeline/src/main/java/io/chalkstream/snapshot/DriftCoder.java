package io.chalkstream.snapshot;

import io.chalkstream.notification.NotificationCollection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * Encodes a {@link Drift} field by field (Java serialization was most of a reconcile's CPU). The
 * collection goes by its name, which adding or reordering constants cannot change; the wire
 * format is pinned by DriftCoderTest.
 */
public final class DriftCoder extends AtomicCoder<Drift> {
  private static final DriftCoder INSTANCE = new DriftCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final ListCoder<String> IDS = ListCoder.of(StringUtf8Coder.of());
  private static final NullableCoder<String> VALUE = NullableCoder.of(StringUtf8Coder.of());

  public static DriftCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Drift d, OutputStream out) throws IOException {
    STRING.encode(d.collection().name(), out);
    STRING.encode(d.courseId(), out);
    IDS.encode(d.ids(), out);
    VALUE.encode(d.value(), out);
  }

  @Override
  public Drift decode(InputStream in) throws IOException {
    NotificationCollection collection = collection(STRING.decode(in));
    String course = STRING.decode(in);
    List<String> ids = IDS.decode(in);
    return new Drift(collection, course, ids, VALUE.decode(in));
  }

  // A renamed or removed constant must fail as a coder error naming the value, not as a bare
  // IllegalArgumentException from valueOf.
  private static NotificationCollection collection(String name) throws CoderException {
    try {
      return NotificationCollection.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new CoderException("unknown NotificationCollection name \"" + name + "\"", e);
    }
  }
}
