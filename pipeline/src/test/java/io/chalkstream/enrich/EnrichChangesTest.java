package io.chalkstream.enrich;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.google.api.services.classroom.model.Student;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.deadletter.WithDeadLetters;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCoder;
import io.chalkstream.notification.NotificationCollection;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Faults.Fault;
import io.chalkstream.simulator.School;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** Enrichment through the real Classroom client library against the test server over HTTP. */
public class EnrichChangesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final AtomicInteger IDS = new AtomicInteger();
  private School school;
  private ClassroomSimulator server;
  private String course;
  private List<Student> students;

  @Before
  public void setUp() throws Exception {
    school = School.synthetic(7, 2, 130, 2);
    server = ClassroomSimulator.start(school);
    course = school.courses().get(0).getId();
    students = school.students(course);
  }

  @After
  public void tearDown() {
    server.close();
  }

  // The get path: faults here are injected on single resources (CourseLevelFetchTest covers lists).
  private ClassroomClientConfig config() {
    ClassroomOptions options = PipelineOptionsFactory.as(ClassroomOptions.class);
    options.setClassroomRootUrl(server.rootUrl());
    options.setCourseLevelFetch(false);
    return ClassroomClientConfig.forGets(options);
  }

  /** Fast retries so the test takes milliseconds, bounded as in production. */
  private static RetryPolicy fastRetries(int attempts) {
    return new RetryPolicy(attempts, 10, 50, 10_000);
  }

  static Notification student(String course, String user, String event) {
    return new Notification("m" + IDS.incrementAndGet(), 1_000L, "reg",
        NotificationCollection.STUDENTS, event, List.of(course, user), Map.of("k", "v"),
        "{\"original\":true}".getBytes());
  }

  private ResourceFetcher fetcher(int attempts) throws Exception {
    return new ResourceFetcher(config().newClient(), fastRetries(attempts));
  }

  private static Map<String, Notification> byPath(Notification... ns) {
    Map<String, Notification> m = new java.util.LinkedHashMap<>();
    for (Notification n : ns) {
      m.put(n.resourcePath(), n);
    }
    return m;
  }

  @Test
  public void everyStatusThroughTheRealClient() throws Exception {
    Notification ok = student(course, students.get(0).getUserId(), "CREATED");
    Notification gone = student(course, "no-such-user", "CREATED");
    Notification forbidden = student(course, students.get(1).getUserId(), "CREATED");
    Notification broken = student(course, students.get(2).getUserId(), "CREATED");
    server.faults().onPath("v1/" + forbidden.resourcePath(), Fault.of(403));
    server.faults().onPath("v1/" + broken.resourcePath(), Fault.of(503));

    Map<String, FetchResult> r = fetcher(3).fetch(byPath(ok, gone, forbidden, broken));

    assertEquals(EnrichmentStatus.OK, r.get(ok.resourcePath()).status());
    assertThat(r.get(ok.resourcePath()).resourceJson(),
        containsString(students.get(0).getProfile().getName().getFullName()
            .replace("'", "\\u0027").substring(0, 1)));
    assertEquals(EnrichmentStatus.NOT_FOUND, r.get(gone.resourcePath()).status());
    assertEquals(EnrichmentStatus.PERMISSION_DENIED, r.get(forbidden.resourcePath()).status());
    assertEquals(EnrichmentStatus.FAILED, r.get(broken.resourcePath()).status());
    assertThat(r.get(broken.resourcePath()).error(), containsString("gave up after 3 attempt(s)"));
    assertThat(r.get(broken.resourcePath()).error(), containsString("HTTP 503"));
    assertEquals("503 retried until attempts ran out", 3, server.counters()
        .callsTo("v1/" + broken.resourcePath()));
  }

  @Test
  public void retriesThrottlingAndServerErrorsThenSucceeds() throws Exception {
    Notification throttled = student(course, students.get(0).getUserId(), "CREATED");
    Notification flaky = student(course, students.get(1).getUserId(), "CREATED");
    Notification polite = student(course, students.get(2).getUserId(), "CREATED");
    server.faults().onPath("v1/" + throttled.resourcePath(), Fault.of(429), 2);
    server.faults().onPath("v1/" + flaky.resourcePath(), Fault.of(500), 2);
    server.faults().onPath("v1/" + polite.resourcePath(), Fault.of(429).retryAfter(1), 1);

    long started = System.currentTimeMillis();
    Map<String, FetchResult> r = fetcher(5).fetch(byPath(throttled, flaky, polite));

    for (Notification n : List.of(throttled, flaky, polite)) {
      assertEquals(n.resourcePath(), EnrichmentStatus.OK, r.get(n.resourcePath()).status());
    }
    assertEquals(3, server.counters().callsTo("v1/" + throttled.resourcePath()));
    assertEquals(3, server.counters().callsTo("v1/" + flaky.resourcePath()));
    assertEquals(2, server.counters().callsTo("v1/" + polite.resourcePath()));
    assertTrue("Retry-After: 1 was honoured", System.currentTimeMillis() - started >= 1_000);
  }

  @Test
  public void aWholeBatchRefusedIsRetried() throws Exception {
    server.faults().onBatch(Fault.of(503), 1);
    Notification ok = student(course, students.get(0).getUserId(), "CREATED");
    Map<String, FetchResult> r = fetcher(3).fetch(byPath(ok));
    assertEquals(EnrichmentStatus.OK, r.get(ok.resourcePath()).status());
    assertEquals(2, server.counters().batchRequests());
  }

  @Test
  public void aPaneOf120ResourcesTakesThreeBatchRequests() throws Exception {
    List<Notification> pane = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      pane.add(student(course, students.get(i).getUserId(), "MODIFIED"));
    }
    Map<String, FetchResult> r = fetcher(3).fetch(byPath(pane.toArray(new Notification[0])));
    assertEquals(120, r.size());
    assertTrue(r.values().stream().allMatch(f -> f.status() == EnrichmentStatus.OK));
    assertEquals(3, server.counters().batchRequests());
    assertEquals(120, server.counters().calls());
    assertEquals(50, server.counters().maxBatchParts());
  }

  @Test
  public void coalescesAPaneAndKeepsEveryNotificationAsARow() {
    String user = students.get(0).getUserId();
    List<Notification> pane = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pane.add(student(course, user, "MODIFIED"));
    }
    Notification deleted = student(course, students.get(1).getUserId(), "DELETED");
    Notification broken = student(course, students.get(2).getUserId(), "CREATED");
    pane.add(deleted);
    pane.add(broken);
    server.faults().onPath("v1/" + broken.resourcePath(), Fault.of(500));
    String deletedId = deleted.messageId();
    String brokenId = broken.messageId();

    WithDeadLetters<EnrichedChange> out = p.apply(Create.of(KV.of("courses.students|" + course,
            (Iterable<Notification>) pane))
            .withCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(NotificationCoder.of()))))
        .apply(new EnrichChanges(config(), fastRetries(2)));

    PAssert.that(out.output()).satisfies(changes -> {
      List<EnrichedChange> all = new ArrayList<>();
      changes.forEach(all::add);
      assertEquals("one row per notification", 7, all.size());
      for (EnrichedChange c : all) {
        Notification n = c.notification();
        if (n.messageId().equals(deletedId)) {
          assertEquals(EnrichmentStatus.SKIPPED, c.status());
          assertNull(c.enrichedAtMillis());
        } else if (n.messageId().equals(brokenId)) {
          assertEquals(EnrichmentStatus.FAILED, c.status());
        } else {
          assertEquals(EnrichmentStatus.OK, c.status());
          assertNotNull(c.resourceJson());
        }
      }
      return null;
    });
    PAssert.that(out.deadLetters()).satisfies(dls -> {
      List<DeadLetter> all = new ArrayList<>();
      dls.forEach(all::add);
      assertEquals(1, all.size());
      DeadLetter d = all.get(0);
      assertEquals(Stage.ENRICH, d.stage());
      assertEquals(brokenId, d.messageId());
      assertEquals("{\"original\":true}", new String(d.payload()));
      assertEquals(Map.of("k", "v"), d.attributes());
      assertThat(d.error(), containsString("HTTP 500"));
      return null;
    });
    p.run().waitUntilFinish();
    assertEquals("five notifications of one resource share one get call", 1,
        server.counters().callsTo("v1/courses/" + course + "/students/" + user));
    assertEquals("no call for a deletion", 0,
        server.counters().callsTo("v1/" + deleted.resourcePath()));
  }
}
