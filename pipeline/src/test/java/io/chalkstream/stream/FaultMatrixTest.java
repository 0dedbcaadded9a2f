package io.chalkstream.stream;

import static org.junit.Assert.assertEquals;

import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.StudentSubmission;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.history.DuckDbHistory;
import io.chalkstream.history.DuckDbSink;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Faults.Fault;
import io.chalkstream.simulator.Faults;
import io.chalkstream.simulator.School;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.joda.time.Duration;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The fault matrix: every kind of API and transport failure the test server can inject, alone
 * and all at once, over two seeds each, through the real pipeline into DuckDB. The invariant
 * holds every time: each message is one change row or one PARSE dead letter, never twice, and
 * each FAILED enrichment has its ENRICH dead letter.
 */
public class FaultMatrixTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static School school;
  private static ClassroomSimulator server;
  private static final List<PubsubMessage> MESSAGES = new ArrayList<>();

  @BeforeClass
  public static void startServer() throws Exception {
    school = School.synthetic(41, 4, 30, 2);
    server = ClassroomSimulator.start(school);
    int id = 0;
    for (Course c : school.courses()) {
      for (Student s : school.students(c.getId())) {
        MESSAGES.add(message(++id, "courses.students", "CREATED",
            "\"courseId\":\"" + c.getId() + "\",\"userId\":\"" + s.getUserId() + "\""));
      }
      for (CourseWork w : school.courseWork(c.getId())) {
        for (StudentSubmission s : school.submissions(c.getId(), w.getId())) {
          MESSAGES.add(message(++id, "courses.courseWork.studentSubmissions", "TURNED_IN",
              "\"courseId\":\"" + c.getId() + "\",\"courseWorkId\":\"" + w.getId()
                  + "\",\"id\":\"" + s.getId() + "\""));
        }
      }
    }
    MESSAGES.add(new PubsubMessage("not json".getBytes(StandardCharsets.UTF_8), Map.of("k", "v"),
        "bad-" + (++id)));
  }

  @AfterClass
  public static void stopServer() {
    server.close();
  }

  private static PubsubMessage message(int id, String collection, String event, String ids) {
    return new PubsubMessage(("{\"collection\":\"" + collection + "\",\"eventType\":\"" + event
        + "\",\"resourceId\":{" + ids + "}}").getBytes(StandardCharsets.UTF_8),
        Map.of("registrationId", "r"), "m-" + id);
  }

  private void runUnder(String name, Consumer<Faults> faults) throws Exception {
    runUnder(name, faults, true);
  }

  private void runUnder(String name, Consumer<Faults> faults, boolean injects) throws Exception {
    for (long seed : new long[] {1, 2}) {
      server.faults().clear().seed(seed);
      server.counters().reset();
      faults.accept(server.faults());
      String path = tmp.getRoot() + "/" + name + "-" + seed + ".duckdb";
      ClassroomOptions options = PipelineOptionsFactory.as(ClassroomOptions.class);
      options.setClassroomRootUrl(server.rootUrl());
      options.setClassroomTimeoutSeconds(1);
      // Unpaced: quota backoff is waited out here; QuotaAdaptationTest covers the paced budget.
      options.setMaxCallsPerMinute(0);
      // Both fetch paths meet every fault: one get per resource, then course lists.
      options.setCourseLevelFetch(seed == 2);
      Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
      p.apply(Create.of(MESSAGES).withCoder(PubsubMessageWithAttributesAndMessageIdCoder.of()))
          .apply(new ProcessNotifications(Duration.standardSeconds(60), Duration.standardHours(1),
              ClassroomClientConfig.forGets(options), new RetryPolicy(4, 10, 100, 20_000)))
          .apply(DuckDbSink.to(path));
      long retries;
      try {
        PipelineResult result = p.run();
        result.waitUntilFinish();
        retries = counter(result, "get_retries") + counter(result, "course_list_retries");
      } finally {
        DuckDbSink.closeAll();
      }
      String where = name + " seed " + seed;
      Map<String, Integer> accounted = DuckDbHistory.accounted(path);
      assertEquals(where, MESSAGES.size(), accounted.size());
      assertEquals(where + ": message ids twice", List.of(), accounted.entrySet().stream()
          .filter(e -> e.getValue() != 1).toList());
      Set<String> failed = ids(path, "SELECT message_id FROM roster_changes WHERE "
          + "enrichment_status = 'FAILED' UNION ALL SELECT message_id FROM submission_changes "
          + "WHERE enrichment_status = 'FAILED'");
      Set<String> enrichDeadLetters =
          ids(path, "SELECT message_id FROM dead_letters WHERE stage = 'ENRICH'");
      assertEquals(where + ": FAILED rows and ENRICH dead letters", failed, enrichDeadLetters);
      if (injects) {
        // Not vacuous: faults hit, so calls were repeated (or gave up as FAILED).
        assertEquals(where + ": faults were injected", true, retries > 0 || !failed.isEmpty());
      }
    }
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> m : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named("chalkstream", name)).build()).getCounters()) {
      total += m.getAttempted();
    }
    return total;
  }

  private static Set<String> ids(String path, String sql) throws Exception {
    return DuckDbHistory.rows(path, sql).stream().map(r -> (String) r.get("message_id"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  public void throttlingWithoutRetryAfter() throws Exception {
    runUnder("429", f -> f.rate(Fault.of(429), 0.3));
  }

  @Test
  public void throttlingWithRetryAfter() throws Exception {
    runUnder("429-retry-after", f -> f.rate(Fault.of(429).retryAfter(1), 0.1));
  }

  @Test
  public void serverErrors() throws Exception {
    runUnder("5xx", f -> f.rate(Fault.of(500), 0.2).rate(Fault.of(503), 0.2));
  }

  @Test
  public void readTimeouts() throws Exception {
    runUnder("timeout", f -> f.transportDelayMillis(1_500)
        .transportRate(Faults.Transport.TIMEOUT, 0.15));
  }

  @Test
  public void connectionResetsAndTruncatedBodies() throws Exception {
    runUnder("reset-truncated", f -> f.transportRate(Faults.Transport.RESET, 0.2)
        .transportRate(Faults.Transport.TRUNCATED, 0.2));
  }

  @Test
  public void slowResponses() throws Exception {
    runUnder("slow", f -> f.latencyMillis(50), false);
  }

  @Test
  public void everythingAtOnce() throws Exception {
    runUnder("all", f -> f.transportDelayMillis(1_500).latencyMillis(10)
        .rate(Fault.of(429), 0.05).rate(Fault.of(429).retryAfter(1), 0.01)
        .rate(Fault.of(500), 0.05).rate(Fault.of(503), 0.05)
        .transportRate(Faults.Transport.TIMEOUT, 0.05)
        .transportRate(Faults.Transport.RESET, 0.05)
        .transportRate(Faults.Transport.TRUNCATED, 0.05));
  }
}
