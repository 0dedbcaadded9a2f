package io.chalkstream.registration;

import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.model.CloudPubsubTopic;
import com.google.api.services.classroom.model.Registration;
import io.chalkstream.classroom.BatchedCalls;
import io.chalkstream.classroom.CallThrottle;
import io.chalkstream.classroom.RetryPolicy;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One renewal pass: resolves the desired feeds and sends an identical
 * {@code registrations.create} for each that is due ({@link RenewalSchedule}; which creates it, or
 * extends the one that exists),
 * batched, throttled and retried like every Classroom call. Every attempt becomes an
 * {@link Attempt}, a row of the {@code registrations} table; failures say what to do.
 */
public final class RenewalPass {
  private static final Logger LOG = LoggerFactory.getLogger(RenewalPass.class);
  /** feed_type of the row that records a failed course discovery (courses.list). */
  public static final String COURSE_DISCOVERY = "COURSE_DISCOVERY";
  static final String MISSING_GRANT = "registrations need a user's OAuth grant (an "
      + "authorized-user JSON in --classroomCredentialsFile or --classroomCredentialsSecret) "
      + "with the classroom.push-notifications scope plus the feed's read scope "
      + "(classroom.rosters.readonly, classroom.coursework.students.readonly); Classroom "
      + "refuses domain-wide delegation here (@MissingGrant)";
  static final String TOPIC = "create the topic and grant "
      + "classroom-notifications@system.gserviceaccount.com the Pub/Sub publisher role on it "
      + "(templates/setup.sh does both)";

  /** One attempt, as a row of {@code registrations}. */
  public record Attempt(Instant attemptedAt, String feedType, @Nullable String courseId,
      String topicName, @Nullable String registrationId, @Nullable Instant expiryTime,
      String status, @Nullable String error) {
    public boolean ok() {
      return status.equals("OK");
    }
  }

  private final String topic;
  private final DesiredFeeds desired;
  private final RetryPolicy policy;
  private final CallThrottle throttle;
  private final Sleeper sleeper;
  private final Clock clock;
  private final RenewalSchedule schedule;
  private final Counter ok = Metrics.counter("chalkstream", "registrations_ok");
  private final Counter failed = Metrics.counter("chalkstream", "registrations_failed");
  private final Counter notDue = Metrics.counter("chalkstream", "registrations_not_due");

  public RenewalPass(String topic, DesiredFeeds desired, RetryPolicy policy, CallThrottle throttle,
      Sleeper sleeper, Clock clock) {
    this(topic, desired, policy, throttle, sleeper, clock, RenewalSchedule.everyPass());
  }

  /** A pass that renews only the feeds {@code schedule} says are due. */
  public RenewalPass(String topic, DesiredFeeds desired, RetryPolicy policy, CallThrottle throttle,
      Sleeper sleeper, Clock clock, RenewalSchedule schedule) {
    this.schedule = schedule;
    this.topic = topic;
    this.desired = desired;
    this.policy = policy;
    this.throttle = throttle;
    this.sleeper = sleeper;
    this.clock = clock;
  }

  /** Runs the pass; never throws for an API failure, which becomes a FAILED attempt instead. */
  public List<Attempt> run(Classroom client) throws InterruptedException {
    Instant started = clock.instant();
    List<Attempt> attempts = new ArrayList<>();
    List<Feed> feeds;
    try {
      feeds = desired.resolve(client, policy, throttle, sleeper);
    } catch (IOException e) {
      // The domain feed and listed courses need no discovery: renew what can be renewed.
      String error = e.getMessage() + "; course feeds were not renewed in this pass";
      attempts.add(record(new Attempt(started, COURSE_DISCOVERY, null, topic, null, null,
          "FAILED", error)));
      feeds = desired.withoutDiscovery();
    }
    schedule.retainOnly(feeds);
    Map<Feed, BatchedCalls.Call> creates = new LinkedHashMap<>();
    for (Feed feed : feeds) {
      if (!schedule.due(feed, started)) {
        notDue.inc();
        continue;
      }
      creates.put(feed, c -> c.registrations().create(new Registration()
          .setFeed(feed.toModel())
          .setCloudPubsubTopic(new CloudPubsubTopic().setTopicName(topic))));
    }
    BatchedCalls calls = new BatchedCalls(client, policy, throttle,
        BatchedCalls.CounterNames.REGISTRATIONS, sleeper, clock);
    calls.execute(creates).forEach((feed, outcome) -> {
      Attempt a = record(attempt(feed, outcome));
      if (a.ok()) {
        schedule.registered(feed, a.expiryTime());
      }
      attempts.add(a);
    });
    return attempts;
  }

  private Attempt attempt(Feed feed, BatchedCalls.Outcome o) {
    Instant at = Instant.ofEpochMilli(o.answeredAtMillis());
    if (o.ok()) {
      try {
        Registration r = GsonFactory.getDefaultInstance().fromString(o.json(), Registration.class);
        return new Attempt(at, feed.type().name(), feed.courseId(), topic, r.getRegistrationId(),
            r.getExpiryTime() == null ? null : Instant.parse(r.getExpiryTime()), "OK", null);
      } catch (IOException | RuntimeException e) {
        return new Attempt(at, feed.type().name(), feed.courseId(), topic, null, null, "FAILED",
            "registrations.create answered something that is not a registration: " + e);
      }
    }
    return new Attempt(at, feed.type().name(), feed.courseId(), topic, null, null, "FAILED",
        "registrations.create for " + feed + " failed: " + o.error() + advice(o));
  }

  private static String advice(BatchedCalls.Outcome o) {
    String error = String.valueOf(o.error());
    if (o.gaveUp()) {
      return "; the next pass tries again";
    }
    if (o.status() == 403 || error.contains("@MissingGrant")) {
      return "; " + MISSING_GRANT;
    }
    if (o.status() == 404 || o.status() == 400) {
      return "; if the topic is the problem: " + TOPIC;
    }
    return "";
  }

  private Attempt record(Attempt a) {
    if (a.ok()) {
      ok.inc();
    } else {
      failed.inc();
      LOG.warn("registration renewal: {}", a.error());
    }
    return a;
  }
}
