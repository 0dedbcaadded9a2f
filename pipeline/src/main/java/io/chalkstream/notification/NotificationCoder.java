package io.chalkstream.notification;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
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
 * A compact, deterministic coder: no Java serialization, no per-element warnings for byte[].
 *
 * <p>Deterministic on purpose: equal notifications always give equal bytes. Notifications are
 * grouped only as values today (WindowByCourse), which does not need it, but the attributes map
 * comes from {@code Map.copyOf}, whose iteration order is salted per JVM, so without sorting the
 * same element encoded differently on two workers. Sorting keeps MapCoder's layout (size, then
 * entries), so bytes written before the change still decode.
 *
 * <p>The wire format is pinned by NotificationCoderTest: change it only with a drain and replace,
 * never a Dataflow update, since a running job would mis-decode its in-flight elements.
 */
public final class NotificationCoder extends CustomCoder<Notification> {
  private static final NotificationCoder INSTANCE = new NotificationCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final NullableCoder<String> NULLABLE_STRING = NullableCoder.of(STRING);
  private static final MapCoder<String, String> ATTRIBUTES = MapCoder.of(STRING, STRING);

  public static NotificationCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Notification n, OutputStream out) throws IOException {
    STRING.encode(n.messageId(), out);
    VarLongCoder.of().encode(n.publishTimeMillis(), out);
    NULLABLE_STRING.encode(n.registrationId(), out);
    VarIntCoder.of().encode(code(n.collection()), out);
    STRING.encode(n.eventType(), out);
    for (String id : n.resourceIds()) {
      STRING.encode(id, out);
    }
    ATTRIBUTES.encode(new TreeMap<>(n.attributes()), out);
    ByteArrayCoder.of().encode(n.payload(), out);
  }

  @Override
  public Notification decode(InputStream in) throws IOException {
    String messageId = STRING.decode(in);
    long publishTime = VarLongCoder.of().decode(in);
    String registrationId = NULLABLE_STRING.decode(in);
    NotificationCollection collection = collection(VarIntCoder.of().decode(in));
    String eventType = STRING.decode(in);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < collection.resourceIdKeys().size(); i++) {
      ids.add(STRING.decode(in));
    }
    return new Notification(
        messageId, publishTime, registrationId, collection, eventType, ids,
        ATTRIBUTES.decode(in), ByteArrayCoder.of().decode(in));
  }

  /**
   * Every field coder is deterministic and the attributes are written sorted by key, so
   * MapCoder's own objection (a map's iteration order may vary) does not apply here.
   */
  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    verifyDeterministic(this, "a field coder is not deterministic",
        STRING, NULLABLE_STRING, VarLongCoder.of(), VarIntCoder.of(), ByteArrayCoder.of());
  }

  /**
   * The collection's code on the wire. Explicit rather than {@code ordinal()}, so that adding or
   * reordering constants cannot change it; the values are the ordinals the coder first wrote, so
   * existing bytes still decode. The switch has no default: a new constant fails to compile here
   * until it is given a new code.
   */
  private static int code(NotificationCollection c) {
    return switch (c) {
      case STUDENTS -> 0;
      case TEACHERS -> 1;
      case COURSE_WORK -> 2;
      case SUBMISSIONS -> 3;
    };
  }

  private static NotificationCollection collection(int code) throws CoderException {
    return switch (code) {
      case 0 -> NotificationCollection.STUDENTS;
      case 1 -> NotificationCollection.TEACHERS;
      case 2 -> NotificationCollection.COURSE_WORK;
      case 3 -> NotificationCollection.SUBMISSIONS;
      default -> throw new CoderException("unknown NotificationCollection code " + code);
    };
  }
}
