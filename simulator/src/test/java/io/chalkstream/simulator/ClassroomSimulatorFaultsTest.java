package io.chalkstream.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.google.api.client.googleapis.batch.BatchRequest;
import com.google.api.client.googleapis.batch.json.JsonBatchCallback;
import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpHeaders;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.model.CloudPubsubTopic;
import com.google.api.services.classroom.model.Feed;
import com.google.api.services.classroom.model.Registration;
import com.google.api.services.classroom.model.Student;
import io.chalkstream.simulator.Faults.Fault;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Each fault knob, seen through the real client. */
public class ClassroomSimulatorFaultsTest {

  @Rule public final Timeout timeout = Timeout.seconds(20);

  private School school;
  private ClassroomSimulator server;
  private Classroom classroom;
  private String courseId;
  private Student student;
  private String studentPath;

  @Before
  public void setUp() throws IOException {
    school = School.synthetic(3, 1, 5, 1);
    server = ClassroomSimulator.start(school);
    classroom = TestClients.classroom(server);
    courseId = school.courses().get(0).getId();
    student = school.students(courseId).get(0);
    studentPath = "v1/courses/" + courseId + "/students/" + student.getUserId();
  }

  @After
  public void tearDown() {
    server.close();
  }

  @Test
  public void failFirstNThenSucceed() throws IOException {
    server.faults().onPath("/" + studentPath, Fault.of(503), 2);
    assertEquals(503, getStudentStatus());
    assertEquals(503, getStudentStatus());
    assertEquals(200, getStudentStatus());
    assertEquals(200, getStudentStatus());
    assertEquals(4, server.counters().callsTo(studentPath));
  }

  @Test
  public void retryAfterIsSentWith429() {
    server.faults().onPath(studentPath, Fault.of(429).retryAfter(3));
    GoogleJsonResponseException e = assertThrows(GoogleJsonResponseException.class,
        () -> classroom.courses().students().get(courseId, student.getUserId()).execute());
    assertEquals(429, e.getStatusCode());
    assertEquals("3", e.getHeaders().getRetryAfter());
    assertThat(e.getContent(), containsString("RESOURCE_EXHAUSTED"));
  }

  @Test
  public void methodRulesCarryTheirOwnMessage() {
    server.faults().onMethod("registrations.create",
        Fault.of(403).message("@MissingGrant The user has not granted"));
    GoogleJsonResponseException e = assertThrows(GoogleJsonResponseException.class,
        () -> classroom.registrations().create(new Registration()
            .setFeed(new Feed().setFeedType("DOMAIN_ROSTER_CHANGES"))
            .setCloudPubsubTopic(new CloudPubsubTopic().setTopicName("projects/p/topics/t"))).execute());
    assertEquals(403, e.getStatusCode());
    assertThat(e.getDetails().getMessage(), containsString("@MissingGrant"));
  }

  @Test
  public void randomRatesAreReproducibleFromTheSeedInDirectCallsAndBatchParts() throws IOException {
    List<Integer> first = randomRun(this::getStudentStatus);
    List<Integer> second = randomRun(this::getStudentStatus);
    List<Integer> batched = randomRun(null);
    assertEquals(first, second);
    assertEquals("batch parts draw from the same source", first, batched);
    assertThat(first, hasItems(200, 429, 500, 503));
  }

  @Test
  public void latencyDelaysEachRequest() throws IOException {
    server.faults().latencyMillis(300);
    long start = System.nanoTime();
    assertEquals(200, getStudentStatus());
    assertThat((System.nanoTime() - start) / 1_000_000, greaterThanOrEqualTo(300L));
    server.faults().clear();
    assertEquals(200, getStudentStatus());
  }

  private interface Call {
    int status() throws IOException;
  }

  // 40 calls under seeded rates, directly (one by one) or as one batch when `call` is null.
  private List<Integer> randomRun(Call call) throws IOException {
    server.faults().clear().seed(11)
        .rate(Fault.of(429), 0.2)
        .rate(Fault.of(500), 0.1)
        .rate(Fault.of(503), 0.1);
    List<Integer> statuses = new ArrayList<>();
    if (call != null) {
      for (int i = 0; i < 40; i++) {
        statuses.add(call.status());
      }
      return statuses;
    }
    BatchRequest batch = classroom.batch();
    for (int i = 0; i < 40; i++) {
      classroom.courses().students().get(courseId, student.getUserId()).queue(batch, new JsonBatchCallback<>() {
        @Override
        public void onSuccess(Student s, HttpHeaders headers) {
          statuses.add(200);
        }

        @Override
        public void onFailure(GoogleJsonError error, HttpHeaders headers) {
          statuses.add(error.getCode());
        }
      });
    }
    batch.execute();
    return statuses;
  }

  private int getStudentStatus() throws IOException {
    try {
      classroom.courses().students().get(courseId, student.getUserId()).execute();
      return 200;
    } catch (GoogleJsonResponseException e) {
      return e.getStatusCode();
    }
  }
}
