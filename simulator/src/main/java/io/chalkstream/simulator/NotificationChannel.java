package io.chalkstream.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * An in-process stand-in for a Pub/Sub topic and subscription: the local run's activity generator
 * publishes here and {@link EmbeddedNotificationSource} reads. Channels live in a static registry
 * by name because the DirectRunner deserializes the source in the same JVM.
 */
public final class NotificationChannel {
  private static final Map<String, NotificationChannel> CHANNELS = new ConcurrentHashMap<>();

  /** A published message and the publish time it was stamped with. */
  record Published(PubsubMessage message, long publishTimeMillis) {}

  private final String name;
  // Message ids unique across runs: a second run appends to the same DuckDB file, whose rows are
  // keyed by message id.
  private final String idPrefix = "local-" + System.currentTimeMillis() + "-";
  private final LinkedBlockingQueue<Published> queue = new LinkedBlockingQueue<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private final AtomicLong published = new AtomicLong();
  private volatile boolean finished;

  private NotificationChannel(String name) {
    this.name = name;
  }

  /** Opens a new channel with a unique name. */
  public static NotificationChannel open(String prefix) {
    String name = prefix + "-" + System.nanoTime();
    NotificationChannel channel = new NotificationChannel(name);
    CHANNELS.put(name, channel);
    return channel;
  }

  static NotificationChannel named(String name) {
    NotificationChannel channel = CHANNELS.get(name);
    if (channel == null) {
      throw new IllegalStateException("no notification channel " + name + " in this JVM");
    }
    return channel;
  }

  public String name() {
    return name;
  }

  /** Publishes like Pub/Sub would: a new message id and the current time as publish time. */
  public String publish(byte[] payload, Map<String, String> attributes) {
    if (finished) {
      throw new IllegalStateException("channel " + name + " is finished");
    }
    String id = idPrefix + nextId.getAndIncrement();
    queue.add(new Published(new PubsubMessage(payload, attributes, id),
        System.currentTimeMillis()));
    published.incrementAndGet();
    return id;
  }

  public String publish(String json, Map<String, String> attributes) {
    return publish(json.getBytes(StandardCharsets.UTF_8), attributes);
  }

  /** No more messages: once the last is read, the source's watermark moves to the end of time. */
  public void finish() {
    finished = true;
  }

  public long publishedCount() {
    return published.get();
  }

  boolean isFinished() {
    return finished;
  }

  /** Takes every message not read yet, oldest first (e.g. to record a workload and replay it). */
  public java.util.List<PubsubMessage> drain() {
    java.util.List<Published> taken = new java.util.ArrayList<>();
    queue.drainTo(taken);
    return taken.stream().map(Published::message).toList();
  }

  Published poll() {
    return queue.poll();
  }

  Published peek() {
    return queue.peek();
  }

  public void close() {
    CHANNELS.remove(name);
  }
}
