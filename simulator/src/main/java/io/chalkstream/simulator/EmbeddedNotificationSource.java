package io.chalkstream.simulator;

import java.io.IOException;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Reads a {@link NotificationChannel} as an unbounded source of Pub/Sub messages, so the local run
 * goes through the same transforms as production without an emulator. The watermark follows
 * publish time (the oldest unread message, or now when idle) and jumps to the end of time once
 * the channel is finished and drained, which closes every window and ends the pipeline.
 */
public final class EmbeddedNotificationSource
    extends UnboundedSource<PubsubMessage, EmbeddedNotificationSource.Checkpoint> {
  private final String channelName;

  public EmbeddedNotificationSource(NotificationChannel channel) {
    this.channelName = channel.name();
  }

  /** Nothing to acknowledge: a message leaves the in-memory queue when it is read. */
  public static final class Checkpoint implements UnboundedSource.CheckpointMark,
      java.io.Serializable {
    @Override
    public void finalizeCheckpoint() {}

    @Override
    public boolean equals(Object o) {
      return o instanceof Checkpoint;
    }

    @Override
    public int hashCode() {
      return 1;
    }
  }

  @Override
  public List<EmbeddedNotificationSource> split(int desiredNumSplits, PipelineOptions options) {
    return List.of(this); // one queue, one reader
  }

  @Override
  public UnboundedReader<PubsubMessage> createReader(PipelineOptions options,
      @Nullable Checkpoint checkpoint) {
    return new Reader(this, NotificationChannel.named(channelName));
  }

  @Override
  public Coder<Checkpoint> getCheckpointMarkCoder() {
    return SerializableCoder.of(Checkpoint.class);
  }

  @Override
  public Coder<PubsubMessage> getOutputCoder() {
    return PubsubMessageWithAttributesAndMessageIdCoder.of();
  }

  private static final class Reader extends UnboundedReader<PubsubMessage> {
    private final EmbeddedNotificationSource source;
    private final NotificationChannel channel;
    private NotificationChannel.@Nullable Published current;

    Reader(EmbeddedNotificationSource source, NotificationChannel channel) {
      this.source = source;
      this.channel = channel;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      current = channel.poll();
      return current != null;
    }

    @Override
    public PubsubMessage getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current.message();
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return new Instant(current.publishTimeMillis());
    }

    @Override
    public byte[] getCurrentRecordId() {
      return getCurrent().getMessageId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public Instant getWatermark() {
      NotificationChannel.Published next = channel.peek();
      if (next != null) {
        return new Instant(next.publishTimeMillis());
      }
      if (channel.isFinished()) {
        return BoundedWindow.TIMESTAMP_MAX_VALUE;
      }
      // Idle: nothing older than a moment ago can still arrive.
      return new Instant(System.currentTimeMillis() - 1000);
    }

    @Override
    public CheckpointMark getCheckpointMark() {
      return new Checkpoint();
    }

    @Override
    public UnboundedSource<PubsubMessage, ?> getCurrentSource() {
      return source;
    }

    @Override
    public void close() throws IOException {}
  }
}
