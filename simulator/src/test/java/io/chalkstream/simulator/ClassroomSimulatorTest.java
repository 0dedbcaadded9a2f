package io.chalkstream.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.json.GenericJson;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.model.CloudPubsubTopic;
import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.CourseRosterChangesInfo;
import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.Feed;
import com.google.api.services.classroom.model.ListCoursesResponse;
import com.google.api.services.classroom.model.ListStudentSubmissionsResponse;
import com.google.api.services.classroom.model.Registration;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.StudentSubmission;
import com.google.api.services.classroom.model.Teacher;
import io.chalkstream.simulator.Faults.Fault;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** The get, list and registration calls through the real Classroom client over HTTP. */
public class ClassroomSimulatorTest {

  @Rule public final Timeout timeout = Timeout.seconds(20);

  private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
  private School school;
  private ClassroomSimulator server;
  private Classroom classroom;
  private Course course;

  @Before
  public void setUp() throws IOException {
    school = School.synthetic(42, 7, 5, 4, clock);
    server = ClassroomSimulator.start(school);
    classroom = TestClients.classroom(server);
    course = school.courses().get(0);
  }

  @After
  public void tearDown() {
    server.close();
  }

  @Test
  public void rootUrlIsLoopbackWithTrailingSlash() {
    assertTrue(server.rootUrl(), server.rootUrl().matches("http://127\\.0\\.0\\.1:\\d+/"));
  }

  @Test
  public void everyGetReturnsTheSchoolsObject() throws IOException {
    String courseId = course.getId();
    assertSameJson(course, classroom.courses().get(courseId).execute());

    for (Student expected : school.students(courseId)) {
      Student actual = classroom.courses().students().get(courseId, expected.getUserId()).execute();
      assertSameJson(expected, actual);
      assertEquals(expected.getProfile().getName().getFullName(), actual.getProfile().getName().getFullName());
      assertEquals(expected.getProfile().getEmailAddress(), actual.getProfile().getEmailAddress());
    }
    String zoeId = school.students(courseId).get(2).getUserId();
    Student zoe = classroom.courses().students().get(courseId, zoeId).execute();
    assertThat(zoe.getProfile().getName().getGivenName(), is("Zoë"));
    assertNull("an absent email stays absent", zoe.getProfile().getEmailAddress());

    for (Teacher expected : school.teachers(courseId)) {
      assertSameJson(expected, classroom.courses().teachers().get(courseId, expected.getUserId()).execute());
    }
    for (CourseWork expected : school.courseWork(courseId)) {
      CourseWork actual = classroom.courses().courseWork().get(courseId, expected.getId()).execute();
      assertSameJson(expected, actual);
      assertEquals(expected.getTitle(), actual.getTitle());
      assertEquals(expected.getMaxPoints(), actual.getMaxPoints());
      assertEquals(expected.getDueTime(), actual.getDueTime());
      assertEquals(expected.getUpdateTime(), actual.getUpdateTime());
      for (StudentSubmission sub : school.submissions(courseId, expected.getId())) {
        StudentSubmission got = classroom.courses().courseWork().studentSubmissions()
            .get(courseId, expected.getId(), sub.getId()).execute();
        assertSameJson(sub, got);
        assertEquals(sub.getState(), got.getState());
        assertEquals(sub.getLate(), got.getLate());
        assertEquals(sub.getAssignedGrade(), got.getAssignedGrade());
        assertEquals(sub.getDraftGrade(), got.getDraftGrade());
      }
    }
    double points = classroom.courses().courseWork().get(courseId, school.courseWork(courseId).get(1).getId())
        .execute().getMaxPoints();
    assertNotEquals("fractional maxPoints survive", 0.0, points % 1, 0.0);
  }

  @Test
  public void concurrentCallersAreAllAnsweredAndCounted() throws Exception {
    List<Student> students = school.students(course.getId());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> names = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        Student s = students.get(i % students.size());
        names.add(pool.submit(() ->
            classroom.courses().students().get(course.getId(), s.getUserId()).execute().getProfile().getId()));
      }
      for (int i = 0; i < names.size(); i++) {
        assertEquals(students.get(i % students.size()).getUserId(), names.get(i).get(10, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(200, server.counters().calls("students.get"));
    String firstPath = "v1/courses/" + course.getId() + "/students/" + students.get(0).getUserId();
    assertEquals(40, server.counters().callsTo(firstPath));
  }

  @Test
  public void missingAndForbiddenResourcesAreApiErrors() {
    String courseId = course.getId();
    Student student = school.students(courseId).get(0);

    GoogleJsonResponseException missing = assertThrows(GoogleJsonResponseException.class,
        () -> classroom.courses().students().get(courseId, "999").execute());
    assertEquals(404, missing.getStatusCode());
    assertEquals("Requested entity was not found.", missing.getDetails().getMessage());
    assertThat(missing.getContent(), containsString("NOT_FOUND"));

    school.removeStudent(courseId, student.getUserId());
    assertEquals(404, assertThrows(GoogleJsonResponseException.class,
        () -> classroom.courses().students().get(courseId, student.getUserId()).execute()).getStatusCode());

    String teacherPath = "v1/courses/" + courseId + "/teachers/" + course.getOwnerId();
    server.faults().onPath(teacherPath, Fault.of(403));
    GoogleJsonResponseException forbidden = assertThrows(GoogleJsonResponseException.class,
        () -> classroom.courses().teachers().get(courseId, course.getOwnerId()).execute());
    assertEquals(403, forbidden.getStatusCode());
    assertEquals("The caller does not have permission", forbidden.getDetails().getMessage());
    assertThat(forbidden.getContent(), containsString("PERMISSION_DENIED"));
    assertEquals(1, server.counters().callsTo(teacherPath));
  }

  @Test
  public void unknownPathsAre404InTheApiErrorShape() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.rootUrl() + "v1/nothing"))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, response.statusCode());
    assertEquals("application/json; charset=UTF-8",
        response.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(
        "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\",\"status\":\"NOT_FOUND\"}}",
        response.body());
    assertEquals(1, server.counters().calls("unknown"));
  }

  @Test
  public void registrationsAreCreatedFromGzippedBodiesAndRenewedByIdenticalCreates() throws IOException {
    Registration request = new Registration()
        .setFeed(new Feed().setFeedType("COURSE_ROSTER_CHANGES")
            .setCourseRosterChangesInfo(new CourseRosterChangesInfo().setCourseId(course.getId())))
        .setCloudPubsubTopic(new CloudPubsubTopic().setTopicName("projects/p/topics/roster"));
    Classroom.Registrations.Create create = classroom.registrations().create(request);
    assertFalse("the client gzips the body, so the server must gunzip", create.getDisableGZipContent());

    Registration created = create.execute();
    assertNotNull(created.getRegistrationId());
    assertEquals("2025-03-08T10:00:00Z", created.getExpiryTime());
    assertEquals(request.getFeed(), created.getFeed());

    clock.advance(Duration.ofDays(2));
    Registration renewed = classroom.registrations().create(request).execute();
    assertEquals(created.getRegistrationId(), renewed.getRegistrationId());
    assertEquals("2025-03-10T10:00:00Z", renewed.getExpiryTime());

    Registration domain = classroom.registrations().create(new Registration()
        .setFeed(new Feed().setFeedType("DOMAIN_ROSTER_CHANGES"))
        .setCloudPubsubTopic(new CloudPubsubTopic().setTopicName("projects/p/topics/roster"))).execute();
    assertNotEquals(created.getRegistrationId(), domain.getRegistrationId());

    List<Registration> stored = school.registrations();
    assertEquals(2, stored.size());
    assertEquals("2025-03-10T10:00:00Z", stored.get(0).getExpiryTime());
    assertEquals(3, server.counters().calls("registrations.create"));

    assertTrue(classroom.registrations().delete(domain.getRegistrationId()).execute().isEmpty());
    assertEquals(1, school.registrations().size());
    assertEquals(404, assertThrows(GoogleJsonResponseException.class,
        () -> classroom.registrations().delete(domain.getRegistrationId()).execute()).getStatusCode());
  }

  @Test
  public void badRegistrationsAreRefused() {
    CloudPubsubTopic topic = new CloudPubsubTopic().setTopicName("projects/p/topics/t");
    GoogleJsonResponseException noFeed = assertThrows(GoogleJsonResponseException.class,
        () -> classroom.registrations().create(new Registration().setCloudPubsubTopic(topic)).execute());
    assertEquals(400, noFeed.getStatusCode());
    assertThat(noFeed.getContent(), containsString("INVALID_ARGUMENT"));

    GoogleJsonResponseException noCourse = assertThrows(GoogleJsonResponseException.class,
        () -> classroom.registrations().create(new Registration().setCloudPubsubTopic(topic)
            .setFeed(new Feed().setFeedType("COURSE_ROSTER_CHANGES")
                .setCourseRosterChangesInfo(new CourseRosterChangesInfo().setCourseId("1")))).execute());
    assertEquals(404, noCourse.getStatusCode());
    assertThat(school.registrations(), is(empty()));
  }

  @Test
  public void listsPageThroughEveryItemExactlyOnce() throws IOException {
    server.pageSizes(2, 3);
    List<String> ids = new ArrayList<>();
    String token = null;
    do {
      ListCoursesResponse page = classroom.courses().list().setPageToken(token).execute();
      page.getCourses().forEach(c -> ids.add(c.getId()));
      token = page.getNextPageToken();
    } while (token != null);
    assertEquals(school.courses().stream().map(Course::getId).toList(), ids);
    assertEquals("7 courses at the default page size 2", 4, server.counters().calls("courses.list"));

    ListCoursesResponse capped = classroom.courses().list().setPageSize(100).execute();
    assertEquals("the max page size caps what is asked", 3, capped.getCourses().size());

    ListCoursesResponse archived = classroom.courses().list().setCourseStates(List.of("ARCHIVED")).execute();
    assertEquals(List.of(school.courses().get(4).getId()),
        archived.getCourses().stream().map(Course::getId).toList());
    assertNull(archived.getNextPageToken());
  }

  @Test
  public void submissionsOfAllCourseWorkPageWithDash() throws IOException {
    server.pageSizes(7, 7);
    Set<String> ids = new HashSet<>();
    String token = null;
    int pages = 0;
    do {
      ListStudentSubmissionsResponse page = classroom.courses().courseWork().studentSubmissions()
          .list(course.getId(), "-").setPageToken(token).execute();
      page.getStudentSubmissions().forEach(s -> assertTrue("no duplicates", ids.add(s.getId())));
      token = page.getNextPageToken();
      pages++;
    } while (token != null);
    assertEquals("5 students x 4 course work", 20, ids.size());
    assertEquals(3, pages);

    assertEquals(5,
        classroom.courses().students().list(course.getId()).setPageSize(5).execute().getStudents().size());
    assertEquals(404, assertThrows(GoogleJsonResponseException.class,
        () -> classroom.courses().students().list("1").execute()).getStatusCode());
    assertEquals(400, assertThrows(GoogleJsonResponseException.class,
        () -> classroom.courses().list().setPageToken("garbage").execute()).getStatusCode());
  }

  @Test
  public void emptyListsLeaveTheirFieldOut() throws IOException {
    school.courseWork(course.getId()).forEach(w -> school.removeCourseWork(course.getId(), w.getId()));
    assertNull(classroom.courses().courseWork().list(course.getId()).execute().getCourseWork());
    assertThat(school.submissions(course.getId(), "-"), is(empty()));
    assertThat(classroom.courses().students().list(course.getId()).execute().getStudents(), is(not(empty())));
  }

  private static void assertSameJson(GenericJson expected, GenericJson actual) throws IOException {
    GsonFactory json = GsonFactory.getDefaultInstance();
    assertEquals(json.toString(expected), json.toString(actual));
  }
}
