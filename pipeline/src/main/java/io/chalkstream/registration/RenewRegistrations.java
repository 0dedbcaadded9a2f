package io.chalkstream.registration;

import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.enrich.ClassroomClientConfig;
import io.chalkstream.enrich.RetryPolicy;
import io.chalkstream.sink.Table;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Runs a renewal pass for each tick (a single tick for {@code ./chalkstream renew}, a
 * {@code PeriodicImpulse} in the streaming job) and emits one {@code registrations} row per
 * attempt ({@link #ROWS}) and the ids each pass registered ({@link #PASSES}).
 */
public final class RenewRegistrations extends PTransform<PCollection<Instant>, PCollectionTuple> {
  /** One {@code registrations} row per attempt. */
  public static final TupleTag<Row> ROWS = new TupleTag<>() {};
  /**
   * One element per pass: the ids it registered (possibly none). A pass arrives whole, so the
   * FILTER stage never judges a notification against half a pass.
   */
  public static final TupleTag<Set<String>> PASSES = new TupleTag<>() {};

  private final ClassroomClientConfig client;
  private final String topic;
  private final DesiredFeeds desired;
  private final RetryPolicy policy;

  public RenewRegistrations(ClassroomClientConfig client, String topic, DesiredFeeds desired,
      RetryPolicy policy) {
    this.client = client;
    this.topic = topic;
    this.desired = desired;
    this.policy = policy;
  }

  /** From the options; refuses a missing or malformed topic and feeds that make no sense. */
  public static RenewRegistrations from(RegistrationOptions options) {
    String topic = options.getRegistrationTopic();
    if (topic == null || !topic.matches("projects/[^/]+/topics/[^/]+")) {
      throw new IllegalArgumentException("--registrationTopic=" + topic
          + " is not projects/PROJECT/topics/TOPIC; renewal needs the topic Classroom "
          + "publishes to");
    }
    return new RenewRegistrations(ClassroomClientConfig.forRegistrations(options), topic,
        DesiredFeeds.from(options), RetryPolicy.from(options));
  }

  @Override
  public PCollectionTuple expand(PCollection<Instant> ticks) {
    PCollectionTuple out = ticks.apply("RenewalPass",
        ParDo.of(new PassFn(client, topic, desired, policy))
            .withOutputTags(ROWS, TupleTagList.of(PASSES)));
    out.get(ROWS).setRowSchema(Table.REGISTRATIONS.beamSchema());
    out.get(PASSES).setCoder(SetCoder.of(StringUtf8Coder.of()));
    return out;
  }

  static Row toRow(RenewalPass.Attempt a) {
    return Row.withSchema(Table.REGISTRATIONS.beamSchema())
        .withFieldValue("attempted_at", new Instant(a.attemptedAt().toEpochMilli()))
        .withFieldValue("feed_type", a.feedType())
        .withFieldValue("course_id", a.courseId())
        .withFieldValue("topic_name", a.topicName())
        .withFieldValue("registration_id", a.registrationId())
        .withFieldValue("expiry_time",
            a.expiryTime() == null ? null : new Instant(a.expiryTime().toEpochMilli()))
        .withFieldValue("status", a.status())
        .withFieldValue("error", a.error())
        .build();
  }

  static final class PassFn extends DoFn<Instant, Row> {
    private final ClassroomClientConfig clientConfig;
    private final String topic;
    private final DesiredFeeds desired;
    private final RetryPolicy policy;
    private transient Classroom client;

    PassFn(ClassroomClientConfig clientConfig, String topic, DesiredFeeds desired,
        RetryPolicy policy) {
      this.clientConfig = clientConfig;
      this.topic = topic;
      this.desired = desired;
      this.policy = policy;
    }

    @Setup
    public void setup() throws Exception {
      client = clientConfig.newClient();
    }

    @ProcessElement
    public void process(MultiOutputReceiver out) throws InterruptedException {
      RenewalPass pass = new RenewalPass(topic, desired, policy, clientConfig.throttle(),
          Sleeper.DEFAULT, Clock.systemUTC());
      Set<String> registered = new TreeSet<>();
      for (RenewalPass.Attempt a : pass.run(client)) {
        out.get(ROWS).output(toRow(a));
        if (a.ok() && a.registrationId() != null) {
          registered.add(a.registrationId());
        }
      }
      out.get(PASSES).output(registered);
    }
  }
}
