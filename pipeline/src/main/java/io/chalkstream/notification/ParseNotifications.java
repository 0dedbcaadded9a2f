package io.chalkstream.notification;

import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.deadletter.WithDeadLetters;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Parses Pub/Sub messages into notifications. Every message leaves as exactly one notification
 * or one {@code PARSE} dead letter that keeps the original bytes and attributes. The element timestamp (the publish time) is the publish time.
 */
public final class ParseNotifications
    extends PTransform<PCollection<PubsubMessage>, WithDeadLetters<Notification>> {

  @Override
  public WithDeadLetters<Notification> expand(PCollection<PubsubMessage> messages) {
    TupleTag<Notification> parsed = new TupleTag<>();
    TupleTag<DeadLetter> failed = new TupleTag<>();
    PCollectionTuple out = messages.apply("ParseJson",
        ParDo.of(new ParseFn(parsed, failed)).withOutputTags(parsed, TupleTagList.of(failed)));
    out.get(parsed).setCoder(NotificationCoder.of());
    return WithDeadLetters.of(out, parsed, failed);
  }

  static final class ParseFn extends DoFn<PubsubMessage, Notification> {
    private final TupleTag<Notification> notifications;
    private final TupleTag<DeadLetter> deadLetters;
    private final Counter read = Metrics.counter("chalkstream", "messages_read");
    private final Counter parsed = Metrics.counter("chalkstream", "messages_parsed");
    private final Counter failed = Metrics.counter("chalkstream", "dead_letters_parse");

    ParseFn(TupleTag<Notification> notifications, TupleTag<DeadLetter> deadLetters) {
      this.notifications = notifications;
      this.deadLetters = deadLetters;
    }

    @ProcessElement
    public void process(@Element PubsubMessage message, @Timestamp Instant timestamp,
        MultiOutputReceiver out) {
      read.inc();
      Map<String, String> attributes =
          message.getAttributeMap() == null ? Map.of() : message.getAttributeMap();
      String messageId = message.getMessageId();
      long publishTime = timestamp.getMillis();
      if (messageId == null || messageId.isEmpty()) {
        failed.inc();
        out.get(deadLetters).output(new DeadLetter(Instant.now().getMillis(), Stage.PARSE,
            "message has no Pub/Sub message id; read with message ids so rows can be deduplicated",
            null, publishTime, attributes, message.getPayload()));
        return;
      }
      NotificationParser.Result result =
          NotificationParser.parse(message.getPayload(), attributes, messageId, publishTime);
      if (result.notification().isPresent()) {
        parsed.inc();
        out.get(notifications).output(result.notification().get());
      } else {
        failed.inc();
        out.get(deadLetters).output(new DeadLetter(Instant.now().getMillis(), Stage.PARSE,
            result.error().orElseThrow(), messageId, publishTime, attributes,
            message.getPayload()));
      }
    }
  }
}
