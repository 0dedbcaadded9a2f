package io.chalkstream.registration;

import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.history.Table;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Runs a renewal pass for each tick (a single tick for {@code ./chalkstream renew}, a
 * {@code PeriodicImpulse} in the streaming job) and emits one {@code registrations} row per
 * attempt and the ids each pass registered ({@link Result}).
 */
public final class RenewRegistrations
    extends PTransform<PCollection<Instant>, RenewRegistrations.Result> {

  /** What the passes produced, under tags of the producing instance. */
  public static final class Result implements POutput {
    private final TupleTag<Row> rowsTag;
    private final TupleTag<Set<String>> passesTag;
    private final PCollectionTuple tuple;

    private Result(PCollectionTuple tuple, TupleTag<Row> rowsTag, TupleTag<Set<String>> passesTag) {
      this.tuple = tuple;
      this.rowsTag = rowsTag;
      this.passesTag = passesTag;
    }

    /** One {@code registrations} row per attempt. */
    public PCollection<Row> rows() {
      return tuple.get(rowsTag);
    }

    /**
     * One element per pass: the ids it registered (possibly none). A pass arrives whole, so the
     * FILTER stage never judges a notification against half a pass.
     */
    public PCollection<Set<String>> passes() {
      return tuple.get(passesTag);
    }

    @Override
    public Pipeline getPipeline() {
      return tuple.getPipeline();
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return tuple.expand();
    }

    @Override
    public void finishSpecifyingOutput(String transformName, PInput input,
        PTransform<?, ?> transform) {}
  }

  private final ClassroomClientConfig client;
  private final String topic;
  private final DesiredFeeds desired;
  private final RetryPolicy policy;
  private final RenewalSchedule schedule;

  public RenewRegistrations(ClassroomClientConfig client, String topic, DesiredFeeds desired,
      RetryPolicy policy, RenewalSchedule schedule) {
    this.client = client;
    this.topic = topic;
    this.desired = desired;
    this.policy = policy;
    this.schedule = schedule;
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
        DesiredFeeds.from(options), RetryPolicy.from(options), RenewalSchedule.from(options));
  }

  /** Every feed on every pass, as {@code ./chalkstream renew} does. */
  public RenewRegistrations renewingEveryFeed() {
    return new RenewRegistrations(client, topic, desired, policy, RenewalSchedule.everyPass());
  }

  @Override
  public Result expand(PCollection<Instant> ticks) {
    TupleTag<Row> rows = new TupleTag<>();
    TupleTag<Set<String>> passes = new TupleTag<>();
    PCollectionTuple out = ticks.apply("RenewalPass",
        ParDo.of(new PassFn(client, topic, desired, policy, schedule, rows, passes))
            .withOutputTags(rows, TupleTagList.of(passes)));
    out.get(rows).setRowSchema(Table.REGISTRATIONS.beamSchema());
    out.get(passes).setCoder(SetCoder.of(StringUtf8Coder.of()));
    return new Result(out, rows, passes);
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
    private final RenewalSchedule schedule;
    private final TupleTag<Row> rows;
    private final TupleTag<Set<String>> passes;
    private transient Classroom client;

    PassFn(ClassroomClientConfig clientConfig, String topic, DesiredFeeds desired,
        RetryPolicy policy, RenewalSchedule schedule, TupleTag<Row> rows,
        TupleTag<Set<String>> passes) {
      this.schedule = schedule;
      this.clientConfig = clientConfig;
      this.topic = topic;
      this.desired = desired;
      this.policy = policy;
      this.rows = rows;
      this.passes = passes;
    }

    @Setup
    public void setup() throws Exception {
      client = clientConfig.newClient();
    }

    @Teardown
    public void teardown() throws Exception {
      ClassroomClientConfig.release(client);
      client = null;
    }

    @ProcessElement
    public void process(MultiOutputReceiver out) throws InterruptedException {
      RenewalPass pass = new RenewalPass(topic, desired, policy, clientConfig.throttle(),
          Sleeper.DEFAULT, Clock.systemUTC(), schedule);
      Set<String> registered = new TreeSet<>();
      for (RenewalPass.Attempt a : pass.run(client)) {
        out.get(rows).output(toRow(a));
        if (a.ok() && a.registrationId() != null) {
          registered.add(a.registrationId());
        }
      }
      out.get(passes).output(registered);
    }
  }
}
