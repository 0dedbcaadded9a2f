package io.chalkstream.simulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import com.google.api.client.googleapis.batch.BatchRequest;
import com.google.api.client.googleapis.batch.json.JsonBatchCallback;
import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpResponseException;
import com.google.api.client.json.GenericJson;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.ClassroomRequest;
import com.google.api.services.classroom.model.CloudPubsubTopic;
import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.CourseWorkChangesInfo;
import com.google.api.services.classroom.model.Feed;
import com.google.api.services.classroom.model.Registration;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.StudentSubmission;
import io.chalkstream.simulator.Faults.Fault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Google HTTP batch through the real client's {@link BatchRequest}. */
public class ClassroomSimulatorBatchTest {

  @Rule public final Timeout timeout = Timeout.seconds(20);

  private School school;
  private ClassroomSimulator server;
  private Classroom classroom;

  /** One queued call: what it should answer, and what it did. */
  private static final class Expectation {
    final String expectedJson; // null: expect 404
    Object answer; // the JSON of the result, or the error

    Expectation(String expectedJson) {
      this.expectedJson = expectedJson;
    }
  }

  @Before
  public void setUp() throws IOException {
    school = School.synthetic(7, 3, 10, 3);
    server = ClassroomSimulator.start(school);
    classroom = TestClients.classroom(server);
  }

  @After
  public void tearDown() {
    server.close();
  }

  @Test
  public void hundredTwentyCallsInBatchesOf50And50And20AnswerInOrder() throws IOException {
    List<ClassroomRequest<? extends GenericJson>> calls = new ArrayList<>();
    List<Expectation> expectations = new ArrayList<>();
    for (var course : school.courses()) {
      for (Student s : school.students(course.getId())) {
        calls.add(classroom.courses().students().get(course.getId(), s.getUserId()));
        expectations.add(new Expectation(json(s)));
      }
      for (CourseWork w : school.courseWork(course.getId())) {
        calls.add(classroom.courses().courseWork().get(course.getId(), w.getId()));
        expectations.add(new Expectation(json(w)));
        for (StudentSubmission sub : school.submissions(course.getId(), w.getId())) {
          calls.add(classroom.courses().courseWork().studentSubmissions()
              .get(course.getId(), w.getId(), sub.getId()));
          expectations.add(new Expectation(json(sub)));
        }
      }
    }
    assertEquals("3 x (10 students + 3 course work + 30 submissions)", 129, calls.size());
    calls = calls.subList(0, 120);

    for (int from = 0; from < 120; from += 50) {
      BatchRequest batch = classroom.batch();
      for (int i = from; i < Math.min(120, from + 50); i++) {
        queue(batch, calls.get(i), expectations.get(i));
      }
      batch.execute();
    }

    for (int i = 0; i < 120; i++) {
      assertEquals("call " + i, expectations.get(i).expectedJson, expectations.get(i).answer);
    }
    assertEquals(3, server.counters().batchRequests());
    assertEquals(3, server.counters().requests());
    assertEquals(120, server.counters().calls());
    assertEquals(50, server.counters().maxBatchParts());
    assertEquals(30, server.counters().calls("students.get"));
    assertEquals(9, server.counters().calls("courseWork.get"));
    assertEquals(81, server.counters().calls("studentSubmissions.get"));
  }

  @Test
  public void oneBatchMixesSuccessesAndNotFound() throws IOException {
    String courseId = school.courses().get(0).getId();
    List<Student> students = school.students(courseId);
    BatchRequest batch = classroom.batch();
    List<Expectation> expectations = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      boolean exists = i % 3 != 1;
      Expectation e = new Expectation(exists ? json(students.get(i)) : null);
      expectations.add(e);
      String userId = exists ? students.get(i).getUserId() : "404" + i;
      queue(batch, classroom.courses().students().get(courseId, userId), e);
    }
    batch.execute();
    for (Expectation e : expectations) {
      if (e.expectedJson == null) {
        GoogleJsonError error = (GoogleJsonError) e.answer;
        assertEquals(404, error.getCode());
        assertEquals("Requested entity was not found.", error.getMessage());
      } else {
        assertEquals(e.expectedJson, e.answer);
      }
    }
  }

  @Test
  public void partsMayCarryBodies() throws IOException {
    String courseId = school.courses().get(0).getId();
    Registration request = new Registration()
        .setFeed(new Feed().setFeedType("COURSE_WORK_CHANGES")
            .setCourseWorkChangesInfo(new CourseWorkChangesInfo().setCourseId(courseId)))
        .setCloudPubsubTopic(new CloudPubsubTopic().setTopicName("projects/p/topics/work"));
    Expectation course = new Expectation(json(school.course(courseId).orElseThrow()));
    Expectation created = new Expectation(null);
    BatchRequest batch = classroom.batch();
    queue(batch, classroom.courses().get(courseId), course);
    queue(batch, classroom.registrations().create(request), created);
    batch.execute();
    assertEquals(course.expectedJson, course.answer);
    Registration stored = school.registrations().get(0);
    assertEquals(json(stored), created.answer);
    assertEquals(courseId, stored.getFeed().getCourseWorkChangesInfo().getCourseId());
  }

  @Test
  public void partsCarryRetryAfterAndAnsweredCallsCount() throws IOException {
    String courseId = school.courses().get(0).getId();
    Student student = school.students(courseId).get(0);
    String path = "v1/courses/" + courseId + "/students/" + student.getUserId();
    server.faults().onPath(path, Fault.of(429).retryAfter(7));
    List<HttpHeaders> failureHeaders = new ArrayList<>();
    BatchRequest batch = classroom.batch();
    classroom.courses().students().get(courseId, student.getUserId()).queue(batch, new JsonBatchCallback<>() {
      @Override
      public void onSuccess(Student s, HttpHeaders headers) {
        throw new AssertionError("expected 429");
      }

      @Override
      public void onFailure(GoogleJsonError error, HttpHeaders headers) {
        assertEquals(429, error.getCode());
        failureHeaders.add(headers);
      }
    });
    batch.execute();
    assertEquals("7", failureHeaders.get(0).getRetryAfter());
  }

  @Test
  public void moreThan50PartsAreRefusedWhole() throws IOException {
    String courseId = school.courses().get(0).getId();
    BatchRequest batch = classroom.batch();
    for (int i = 0; i < 51; i++) {
      queue(batch, classroom.courses().get(courseId), new Expectation(null));
    }
    HttpResponseException refused = assertThrows(HttpResponseException.class, batch::execute);
    assertEquals(400, refused.getStatusCode());
    assertEquals(0, server.counters().calls());
    assertEquals(51, server.counters().maxBatchParts());
  }

  @Test
  public void wholeBatchFaultsHitOnlyTheFirstN() throws IOException {
    server.faults().onBatch(Fault.of(503), 1);
    String courseId = school.courses().get(0).getId();
    Expectation e = new Expectation(json(school.course(courseId).orElseThrow()));

    BatchRequest first = classroom.batch();
    queue(first, classroom.courses().get(courseId), e);
    assertEquals(503, assertThrows(HttpResponseException.class, first::execute).getStatusCode());
    assertNull(e.answer);

    BatchRequest second = classroom.batch();
    queue(second, classroom.courses().get(courseId), e);
    second.execute();
    assertEquals(e.expectedJson, e.answer);
    assertEquals(2, server.counters().batchRequests());
    assertEquals(1, server.counters().calls());
  }

  private static <T extends GenericJson> void queue(BatchRequest batch, ClassroomRequest<T> call, Expectation e)
      throws IOException {
    call.queue(batch, new JsonBatchCallback<T>() {
      @Override
      public void onSuccess(T result, HttpHeaders headers) {
        e.answer = json(result);
      }

      @Override
      public void onFailure(GoogleJsonError error, HttpHeaders headers) {
        e.answer = error;
      }
    });
  }

  private static String json(GenericJson model) {
    try {
      return GsonFactory.getDefaultInstance().toString(model);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
