package io.chalkstream.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assume.assumeTrue;

import com.google.api.client.googleapis.batch.BatchRequest;
import com.google.api.client.googleapis.batch.json.JsonBatchCallback;
import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.model.Student;
import io.chalkstream.simulator.Faults.Fault;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** The per-user and per-project quotas, seen through the real client: direct calls and batches. */
public class ClassroomSimulatorQuotasTest {

  @Rule public final Timeout timeout = Timeout.seconds(30);

  private static final long WINDOW = 60_000;
  private static final Quotas FIVE_PER_USER_EIGHT_IN_ALL = new Quotas(5, 8, WINDOW);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-09-01T07:00:00Z"));
  private School school;
  private ClassroomSimulator server;
  private Classroom alice;
  private Classroom bob;
  private Classroom anonymous;
  private String courseId;
  private Student student;

  @Before
  public void setUp() throws IOException {
    school = School.synthetic(3, 1, 5, 1);
    server = ClassroomSimulator.start(school);
    alice = client("Bearer alice-token");
    bob = client("Bearer bob-token");
    anonymous = client(null);
    courseId = school.courses().get(0).getId();
    student = school.students(courseId).get(0);
  }

  @After
  public void tearDown() {
    server.close();
  }

  @Test
  public void theSixthCallOfOneUserIsRefusedAsTheApiRefusesIt() throws IOException {
    server.quotas(FIVE_PER_USER_EIGHT_IN_ALL, clock);
    for (int i = 0; i < 5; i++) {
      assertEquals(200, status(alice));
    }
    GoogleJsonResponseException refused = assertThrows(GoogleJsonResponseException.class,
        () -> getStudent(alice).execute());
    assertEquals(429, refused.getStatusCode());
    assertNull(refused.getHeaders().getRetryAfter());
    GoogleJsonError error = refused.getDetails();
    assertEquals(429, error.getCode());
    assertEquals("RESOURCE_EXHAUSTED", error.get("status"));
    assertEquals("Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'"
        + " of service 'classroom.googleapis.com' for consumer 'project_number:123456789012'.",
        error.getMessage());
    GoogleJsonError.Details detail = error.getDetails().get(0);
    assertEquals("type.googleapis.com/google.rpc.ErrorInfo", detail.get("@type"));
    assertEquals("RATE_LIMIT_EXCEEDED", detail.getReason());
    assertEquals("googleapis.com", detail.get("domain"));
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) detail.get("metadata");
    assertEquals("classroom.googleapis.com", metadata.get("service"));
    assertEquals("classroom.googleapis.com/default", metadata.get("quota_metric"));
    assertEquals("defaultPerMinutePerUser", metadata.get("quota_limit"));

    assertEquals(6, server.counters().calls());
    assertEquals(1, server.counters().quotaRefusals());
    assertEquals(1, server.counters().quotaRefusals("students.get"));
    assertEquals(0, server.counters().quotaRefusals("courses.get"));
  }

  @Test
  public void twoUsersGetFiveEachButTheProjectStopsAtEight() throws IOException {
    server.quotas(FIVE_PER_USER_EIGHT_IN_ALL, clock);
    for (int i = 0; i < 5; i++) {
      assertEquals(200, status(alice));
    }
    assertEquals(429, status(alice));
    for (int i = 0; i < 3; i++) {
      assertEquals(200, status(bob));
    }
    GoogleJsonResponseException refused = assertThrows(GoogleJsonResponseException.class,
        () -> getStudent(bob).execute());
    assertEquals(429, refused.getStatusCode());
    assertNull(refused.getHeaders().getRetryAfter());
    assertEquals("RESOURCE_EXHAUSTED", refused.getDetails().get("status"));
    assertThat(refused.getDetails().getMessage(), containsString(
        "limit 'Queries per minute' of service 'classroom.googleapis.com' for consumer"));
    assertEquals("defaultPerMinutePerProject",
        ((Map<?, ?>) refused.getDetails().getDetails().get(0).get("metadata")).get("quota_limit"));
    // Calls without credentials are one more user, under the same project cap.
    assertEquals(429, status(anonymous));
    assertEquals(6 + 4 + 1, server.counters().calls());
    assertEquals(3, server.counters().quotaRefusals());
  }

  @Test
  public void theWindowMovesAndRefusedCallsDoNotCount() throws IOException {
    server.quotas(FIVE_PER_USER_EIGHT_IN_ALL, clock);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, status(alice));
    }
    clock.advance(Duration.ofSeconds(20));
    for (int i = 0; i < 2; i++) {
      assertEquals(200, status(alice));
    }
    for (int i = 0; i < 4; i++) {
      assertEquals("refused, and the refusals use nothing up", 429, status(alice));
    }
    clock.advance(Duration.ofMillis(WINDOW - 20_000 - 1));
    assertEquals("59.999 s after the first three", 429, status(alice));
    clock.advance(Duration.ofMillis(1));
    for (int i = 0; i < 3; i++) {
      assertEquals("the first three have left the window", 200, status(alice));
    }
    assertEquals("the two of 20 s later are still in it", 429, status(alice));
    clock.advance(Duration.ofSeconds(20));
    for (int i = 0; i < 2; i++) {
      assertEquals(200, status(alice));
    }
    assertEquals(429, status(alice));
    assertEquals(3 + 2 + 4 + 1 + 3 + 1 + 2 + 1, server.counters().calls());
    assertEquals(4 + 1 + 1 + 1, server.counters().quotaRefusals());
  }

  @Test
  public void afterTheWindowBothUsersAreAdmittedAgain() throws IOException {
    server.quotas(FIVE_PER_USER_EIGHT_IN_ALL, clock);
    for (int i = 0; i < 5; i++) {
      assertEquals(200, status(alice));
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(200, status(bob));
    }
    assertEquals(429, status(bob));
    assertEquals(429, status(alice));
    clock.advance(Duration.ofMillis(WINDOW));
    for (int i = 0; i < 5; i++) {
      assertEquals(200, status(bob));
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(200, status(alice));
    }
    assertEquals(429, status(alice));
  }

  @Test
  public void batchPartsCountOneEachAndOnlyTheExcessPartsAreRefused() throws IOException {
    server.quotas(FIVE_PER_USER_EIGHT_IN_ALL, clock);
    assertEquals(List.of(200, 200, 200), batch(alice, alice.batch(), 3));
    List<HttpHeaders> refusedHeaders = new ArrayList<>();
    List<GoogleJsonError> errors = new ArrayList<>();
    assertEquals(List.of(200, 200, 429, 429), batch(alice, alice.batch(), 4, refusedHeaders, errors));
    for (int i = 0; i < 2; i++) {
      assertNull(refusedHeaders.get(i).getRetryAfter());
      assertEquals("RESOURCE_EXHAUSTED", errors.get(i).get("status"));
      assertThat(errors.get(i).getMessage(), containsString("'Queries per minute per user'"));
      assertEquals("RATE_LIMIT_EXCEEDED", errors.get(i).getDetails().get(0).getReason());
    }
    assertEquals(2, server.counters().batchRequests());
    assertEquals(7, server.counters().calls());
    assertEquals(2, server.counters().quotaRefusals());
    assertEquals(2, server.counters().quotaRefusals("students.get"));

    clock.advance(Duration.ofMillis(WINDOW));
    // A batch request is not a query: a full window's worth of parts fits in one.
    assertEquals(List.of(200, 200, 200, 200, 200, 429), batch(alice, alice.batch(), 6));
    assertEquals(3, server.counters().quotaRefusals());
  }

  @Test
  public void aPartIsItsOwnAuthorizationsUserElseTheBatchRequests() throws IOException {
    server.quotas(new Quotas(5, 20, WINDOW), clock);
    Classroom carol = client("Bearer carol");
    for (int i = 0; i < 4; i++) {
      assertEquals(200, status(carol));
    }
    // The batch request itself carries carol's token; alice's parts carry hers, the anonymous
    // client's parts none, so those are carol's.
    BatchRequest batch = anonymous.batch(request -> request.getHeaders().setAuthorization("Bearer carol"));
    List<Integer> statuses = new ArrayList<>();
    List<GoogleJsonError> errors = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      queue(batch, alice, statuses, new ArrayList<>(), errors);
    }
    for (int i = 0; i < 3; i++) {
      queue(batch, anonymous, statuses, new ArrayList<>(), errors);
    }
    batch.execute();
    assertEquals("alice: 5 then over her limit; carol: her fifth, then over her limit",
        List.of(200, 200, 200, 200, 200, 429, 200, 429, 429), statuses);
    for (GoogleJsonError error : errors) {
      assertThat(error.getMessage(), containsString("'Queries per minute per user'"));
    }
    assertEquals("a direct call without credentials is anonymous's", 200, status(anonymous));
    assertEquals(3, server.counters().quotaRefusals());
  }

  @Test
  public void offNeverRefusesAndIsTheDefault() throws IOException {
    for (int i = 0; i < 20; i++) {
      assertEquals(200, status(alice));
    }
    assertEquals(Collections.nCopies(50, 200), batch(alice, alice.batch(), 50));
    server.quotas(new Quotas(1, 1, WINDOW), clock);
    assertEquals(200, status(alice));
    assertEquals(429, status(alice));
    server.quotas(Quotas.OFF, clock);
    for (int i = 0; i < 20; i++) {
      assertEquals(200, status(bob));
    }
    assertEquals(92, server.counters().calls());
    assertEquals(1, server.counters().quotaRefusals());
  }

  @Test
  public void changingTheQuotasStartsEmptyWindows() throws IOException {
    server.quotas(new Quotas(2, 2, WINDOW), clock);
    assertEquals(200, status(alice));
    assertEquals(200, status(alice));
    assertEquals(429, status(alice));
    server.quotas(new Quotas(1, 1, WINDOW), clock);
    assertEquals(200, status(alice));
    assertEquals(429, status(alice));
  }

  @Test
  public void aRefusedCallSpendsNoFaultAndCountersResetZeroesRefusals() throws IOException {
    server.quotas(new Quotas(1, 5, WINDOW), clock);
    assertEquals(200, status(alice));
    String path = "v1/courses/" + courseId + "/students/" + student.getUserId();
    server.faults().onPath(path, Fault.of(503), 1);
    assertEquals(429, status(alice));
    assertEquals("bob's call meets the fault", 503, status(bob));
    assertEquals(200, status(anonymous));
    assertEquals(4, server.counters().calls());
    assertEquals(1, server.counters().quotaRefusals());
    server.counters().reset();
    assertEquals(0, server.counters().quotaRefusals());
    assertEquals(0, server.counters().quotaRefusals("students.get"));
    assertEquals("the windows are the server's, not counters", 429, status(alice));
  }

  @Test
  public void tokenExchangesAndUnauthenticatedRequestsAreNotCalls() throws IOException {
    server.requireOAuth("refresh-1", "access-1").quotas(new Quotas(1, 1, WINDOW), clock);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, postToken("refresh-1"));
    }
    assertEquals(3, server.tokensIssued());
    assertEquals(401, status(alice));
    Classroom granted = client("Bearer access-1");
    assertEquals(200, status(granted));
    assertEquals(429, status(granted));
    assertEquals(2, server.counters().calls());
    assertEquals(1, server.counters().quotaRefusals());
  }

  @Test
  public void concurrentCallsAreAdmittedExactlyUpToTheLimit() throws Exception {
    server.quotas(new Quotas(1_000, 50, WINDOW), clock);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> admitted = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Classroom user = client("Bearer user-" + t);
        admitted.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 20; i++) {
            ok += status(user) == 200 ? 1 : 0;
          }
          return ok;
        }));
      }
      int total = 0;
      for (Future<Integer> future : admitted) {
        total += future.get();
      }
      assertEquals(50, total);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(160, server.counters().calls());
    assertEquals(110, server.counters().quotaRefusals());
  }

  @Test
  public void onTheSystemClockAShortWindowFreesByItself() throws Exception {
    long window = 1_500;
    server.quotas(new Quotas(2, 10, window));
    long start = System.currentTimeMillis();
    assertEquals(200, status(alice));
    assertEquals(200, status(alice));
    int third = status(alice);
    assumeTrue("the three calls took longer than the window", System.currentTimeMillis() - start < window);
    assertEquals(429, third);
    Thread.sleep(window + 100);
    assertEquals(200, status(alice));
  }

  // The real client, sending this Authorization header (none if null).
  private Classroom client(String authorization) {
    return new Classroom.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(),
            request -> {
              request.setConnectTimeout(5_000).setReadTimeout(5_000);
              if (authorization != null) {
                request.getHeaders().setAuthorization(authorization);
              }
            })
        .setRootUrl(server.rootUrl())
        .setApplicationName("test")
        .build();
  }

  private Classroom.Courses.Students.Get getStudent(Classroom client) throws IOException {
    return client.courses().students().get(courseId, student.getUserId());
  }

  private int status(Classroom client) throws IOException {
    try {
      getStudent(client).execute();
      return 200;
    } catch (GoogleJsonResponseException e) {
      return e.getStatusCode();
    }
  }

  private List<Integer> batch(Classroom client, BatchRequest batch, int parts) throws IOException {
    return batch(client, batch, parts, new ArrayList<>(), new ArrayList<>());
  }

  // The status of each part, in order; the failures' headers and errors, in order.
  private List<Integer> batch(Classroom client, BatchRequest batch, int parts,
      List<HttpHeaders> failureHeaders, List<GoogleJsonError> errors) throws IOException {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      queue(batch, client, statuses, failureHeaders, errors);
    }
    batch.execute();
    assertEquals(parts, statuses.size());
    return statuses;
  }

  private void queue(BatchRequest batch, Classroom client, List<Integer> statuses,
      List<HttpHeaders> failureHeaders, List<GoogleJsonError> errors) throws IOException {
    getStudent(client).queue(batch, new JsonBatchCallback<>() {
      @Override
      public void onSuccess(Student s, HttpHeaders headers) {
        assertEquals(student.getUserId(), s.getUserId());
        statuses.add(200);
      }

      @Override
      public void onFailure(GoogleJsonError error, HttpHeaders headers) {
        statuses.add(error.getCode());
        if (failureHeaders != null) {
          failureHeaders.add(headers);
          errors.add(error);
        }
      }
    });
  }

  private int postToken(String refreshToken) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL(server.tokenUri()).openConnection();
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
    try (OutputStream out = connection.getOutputStream()) {
      out.write(("grant_type=refresh_token&refresh_token=" + refreshToken)
          .getBytes(StandardCharsets.UTF_8));
    }
    int status = connection.getResponseCode();
    connection.disconnect();
    return status;
  }
}
