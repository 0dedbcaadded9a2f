package io.chalkstream.classroom;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Quotas;
import io.chalkstream.simulator.School;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Quota is waited out, not failed: against the simulator enforcing a quota below the budget (as
 * when another app spends the same user's quota), every call ends OK within the retry time limit,
 * refused calls are retried however often they are refused, and the budget slows down. The quota
 * window is 3 s instead of 60 s, and the budget is scaled alike, so the test takes seconds.
 */
public class QuotaAdaptationTest {
  private static final long WINDOW_NANOS = 3_000_000_000L;
  private ClassroomSimulator server;
  private Classroom client;
  private String course;
  private List<String> users;

  @Before
  public void setUp() throws Exception {
    School school = School.synthetic(3, 1, 100, 1);
    server = ClassroomSimulator.start(school);
    course = school.courses().get(0).getId();
    users = school.students(course).stream().map(s -> s.getUserId()).toList();
    ClassroomOptions options = PipelineOptionsFactory.as(ClassroomOptions.class);
    options.setClassroomRootUrl(server.rootUrl());
    client = ClassroomClientConfig.forGets(options).newClient();
  }

  @After
  public void tearDown() {
    server.close();
  }

  private Map<String, BatchedCalls.Call> gets() {
    return gets(users.size());
  }

  private Map<String, BatchedCalls.Call> gets(int count) {
    Map<String, BatchedCalls.Call> calls = new LinkedHashMap<>();
    for (String user : users.subList(0, count)) {
      calls.put(user, c -> c.courses().students().get(course, user));
    }
    return calls;
  }

  @Test(timeout = 120_000)
  public void refusalsSlowTheBudgetAndEveryCallEndsOkWithinTheRetryTime() throws Exception {
    // The budget thinks it has 100 calls a window; the API grants 60 (two batches of 50 in one
    // window are refused in part).
    server.quotas(new Quotas(60, 1000, WINDOW_NANOS / 1_000_000));
    CallThrottle throttle = CallThrottle.perWindow(100, WINDOW_NANOS, CallThrottle.Time.SYSTEM);
    // Two attempts for faults would fail fast; quota refusals do not count against them.
    BatchedCalls calls = new BatchedCalls(client, new RetryPolicy(2, 10, 50, 60_000), throttle,
        BatchedCalls.CounterNames.GETS, Sleeper.DEFAULT, Clock.systemUTC());
    double[] slowest = {1};
    Thread watch = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        slowest[0] = Math.min(slowest[0], throttle.paceShare());
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    watch.start();
    Map<String, BatchedCalls.Outcome> outcomes = new LinkedHashMap<>();
    try {
      for (int round = 0; round < 2; round++) {
        outcomes.putAll(calls.execute(gets()));
      }
    } finally {
      watch.interrupt();
      watch.join();
    }
    assertEquals(users.size(), outcomes.size());
    assertEquals(List.of(), outcomes.values().stream().filter(o -> !o.ok()).toList());
    assertTrue("the API refused some calls", server.counters().quotaRefusals() > 0);
    assertTrue("the budget slowed down: " + slowest[0], slowest[0] < 1);
    assertTrue("and won its pace back: " + throttle.paceShare(), throttle.paceShare() > slowest[0]);
    assertTrue("refused calls were sent again", server.counters().calls() > 2L * users.size());
  }

  @Test(timeout = 60_000)
  public void refusalsGiveUpOnlyAtTheRetryTimeLimit() throws Exception {
    server.quotas(new Quotas(1, 1000, 600_000)); // one call per ten minutes: hopeless
    CallThrottle throttle = CallThrottle.perWindow(100, WINDOW_NANOS, CallThrottle.Time.SYSTEM);
    BatchedCalls calls = new BatchedCalls(client, new RetryPolicy(2, 10, 50, 4_000), throttle,
        BatchedCalls.CounterNames.GETS, Sleeper.DEFAULT, Clock.systemUTC());
    long t0 = System.currentTimeMillis();
    Map<String, BatchedCalls.Outcome> outcomes = calls.execute(gets(3));
    long took = System.currentTimeMillis() - t0;
    long failed = outcomes.values().stream().filter(o -> !o.ok()).count();
    assertEquals(2, failed);
    assertTrue("kept trying until the limit: " + took + " ms", took >= 4_000 && took < 20_000);
    BatchedCalls.Outcome one = outcomes.values().stream().filter(o -> !o.ok()).findFirst()
        .orElseThrow();
    assertTrue(one.error(), one.gaveUp() && one.error().contains("RESOURCE_EXHAUSTED")
        && one.error().contains("retry time limit of 4 s reached"));
    int attempts = Integer.parseInt(one.error().replaceAll("^gave up after (\\d+) .*", "$1"));
    assertTrue("more attempts than the fault limit of 2: " + one.error(), attempts > 2);
  }
}
