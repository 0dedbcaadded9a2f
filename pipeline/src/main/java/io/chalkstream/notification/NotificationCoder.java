package io.chalkstream.notification;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** A compact, deterministic coder: no Java serialization, no per-element warnings for byte[]. */
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
    VarIntCoder.of().encode(n.collection().ordinal(), out);
    STRING.encode(n.eventType(), out);
    for (String id : n.resourceIds()) {
      STRING.encode(id, out);
    }
    ATTRIBUTES.encode(n.attributes(), out);
    ByteArrayCoder.of().encode(n.payload(), out);
  }

  @Override
  public Notification decode(InputStream in) throws IOException {
    String messageId = STRING.decode(in);
    long publishTime = VarLongCoder.of().decode(in);
    String registrationId = NULLABLE_STRING.decode(in);
    NotificationCollection collection = NotificationCollection.values()[VarIntCoder.of().decode(in)];
    String eventType = STRING.decode(in);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < collection.resourceIdKeys().size(); i++) {
      ids.add(STRING.decode(in));
    }
    return new Notification(
        messageId, publishTime, registrationId, collection, eventType, ids,
        ATTRIBUTES.decode(in), ByteArrayCoder.of().decode(in));
  }
}
