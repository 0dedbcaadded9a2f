package io.chalkstream.simulator;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.StudentSubmission;
import com.google.api.services.classroom.model.UserProfile;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

public class SchoolTest {

  @Rule public final Timeout timeout = Timeout.seconds(20);

  @Test
  public void sameSeedGivesAnIdenticalSchool() throws IOException {
    assertEquals(dump(School.synthetic(99, 4, 6, 3)), dump(School.synthetic(99, 4, 6, 3)));
    assertNotEquals(dump(School.synthetic(99, 4, 6, 3)), dump(School.synthetic(100, 4, 6, 3)));
  }

  @Test
  public void syntheticDataHasTheAwkwardCases() {
    School school = School.synthetic(1, 3, 8, 5);
    List<UserProfile> users = school.courses().stream()
        .flatMap(c -> school.students(c.getId()).stream()).map(Student::getProfile).toList();
    assertTrue(users.stream().anyMatch(u -> u.getName().getFamilyName().contains("'")));
    assertTrue(users.stream().anyMatch(u -> u.getName().getFullName().equals("José D'Angelo")));
    assertTrue(users.stream().anyMatch(u -> u.getEmailAddress() == null));
    assertTrue(users.stream().anyMatch(u -> !u.getName().getFullName().chars().allMatch(ch -> ch < 128)));

    List<CourseWork> work =
        school.courses().stream().flatMap(c -> school.courseWork(c.getId()).stream()).toList();
    assertTrue(work.stream().anyMatch(w -> w.getMaxPoints() != null && w.getMaxPoints() % 1 != 0));
    assertTrue(work.stream().anyMatch(w -> w.getMaxPoints() == null));

    List<StudentSubmission> submissions = school.courses().stream()
        .flatMap(c -> school.submissions(c.getId(), "-").stream()).toList();
    assertEquals("every student x course work", 3 * 8 * 5, submissions.size());
    assertThat(submissions.stream().map(StudentSubmission::getState).distinct().count(),
        greaterThanOrEqualTo(4L));
    assertTrue(submissions.stream().allMatch(s -> s.getLate() == null || s.getLate()));

    Set<Integer> fractionDigits = new HashSet<>();
    Stream.concat(work.stream().map(CourseWork::getUpdateTime),
            submissions.stream().map(StudentSubmission::getUpdateTime))
        .forEach(t -> {
          assertTrue(t, t.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z"));
          fractionDigits.add(t.contains(".") ? t.length() - t.indexOf('.') - 2 : 0);
        });
    assertThat(fractionDigits.size(), greaterThan(5));
  }

  @Test
  public void idsLookLikeClassroomIdsAndAreUnique() {
    School school = School.synthetic(5, 6, 10, 2);
    Set<String> userIds = new HashSet<>();
    for (Course course : school.courses()) {
      assertTrue(course.getId(), course.getId().matches("[1-9]\\d{11}"));
      for (Student s : school.students(course.getId())) {
        assertTrue(s.getUserId(), s.getUserId().matches("[1-9]\\d{20}"));
        assertEquals(s.getUserId(), s.getProfile().getId());
        userIds.add(s.getUserId());
      }
    }
    assertThat("students share courses, as in a real school", 6 * 10 - userIds.size(), greaterThan(0));
  }

  @Test
  public void putStampsMissingTimesAndRemoveCascades() {
    MutableClock clock = new MutableClock(Instant.parse("2025-05-05T05:05:05Z"));
    School school = School.synthetic(2, 2, 3, 2, clock);
    Course course = school.courses().get(0);
    CourseWork work =
        new CourseWork().setCourseId(course.getId()).setId("1").setTitle("New 🆕").setState("DRAFT");
    school.putCourseWork(work);
    assertEquals("2025-05-05T05:05:05Z", school.courseWork(course.getId(), "1").orElseThrow().getUpdateTime());
    work.setTitle("changed outside");
    assertEquals("copies go in", "New 🆕", school.courseWork(course.getId(), "1").orElseThrow().getTitle());

    assertThrows(IllegalArgumentException.class,
        () -> school.putStudent(new Student().setCourseId("nope").setUserId("1")));
    assertTrue(school.removeCourse(course.getId()));
    assertTrue(school.students(course.getId()).isEmpty());
    assertTrue(school.submissions(course.getId(), "-").isEmpty());
    assertFalse(school.course(course.getId()).isPresent());
    assertEquals(1, school.courses().size());
  }

  private static String dump(School school) throws IOException {
    List<Object> all = new ArrayList<>();
    for (Course c : school.courses()) {
      all.add(c);
      all.addAll(school.students(c.getId()));
      all.addAll(school.teachers(c.getId()));
      all.addAll(school.courseWork(c.getId()));
      all.addAll(school.submissions(c.getId(), "-"));
    }
    return GsonFactory.getDefaultInstance().toString(all);
  }
}
