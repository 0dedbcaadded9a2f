package io.chalkstream.simulator;

import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.Feed;
import com.google.api.services.classroom.model.Name;
import com.google.api.services.classroom.model.Registration;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.StudentSubmission;
import com.google.api.services.classroom.model.Teacher;
import com.google.api.services.classroom.model.UserProfile;
import io.chalkstream.simulator.Faults.Fault;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Drives realistic activity through a {@link School} and publishes the matching notifications:
 * enrolments and drops (also in roster-import bursts), teachers added, course work created,
 * edited and deleted, submissions turned in (some late), graded and returned, reclaimed. Some
 * resources vanish before their get arrives (404), a few are forbidden (403), and a small share
 * of messages is malformed so the dead-letter path shows. Seeded: the same seed, the same story.
 */
public final class ActivityGenerator {
  static final String REGISTRATION_ID = "local-simulation";
  private static final String[] GIVEN = {"Aoife", "Mateo", "Zoë", "Kwame", "Ines", "Liam", "Mei"};
  private static final String[] FAMILY = {"O'Connor", "García", "Nguyen", "D'Souza", "Okafor"};

  private final School school;
  private final ClassroomSimulator server;
  private final NotificationChannel channel;
  private final Random random;
  private int nextId = 1;
  private final Map<String, String> registrations = new HashMap<>(); // "FEED_TYPE/course" -> id
  private long registrationsReadAt;
  private String lastCourseWorkId;

  private int withholdPercent;
  private long withheld;

  public ActivityGenerator(ClassroomSimulator server, NotificationChannel channel, long seed) {
    this.school = server.school();
    this.server = server;
    this.channel = channel;
    this.random = new Random(seed);
  }

  /**
   * Changes the school as always but withholds {@code percent} of the notifications, as a lapsed
   * registration or a revoked grant would: drift that only reconciliation finds.
   */
  public ActivityGenerator withholding(int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("--simulationDropPercent must be 0 to 100, got " + percent);
    }
    this.withholdPercent = percent;
    return this;
  }

  /** Notifications withheld so far ({@link #withholding}). */
  public synchronized long withheld() {
    return withheld;
  }

  /** One step of school life; returns how many notifications it published. */
  public int step() {
    List<com.google.api.services.classroom.model.Course> courses = school.courses();
    String course = courses.get(random.nextInt(courses.size())).getId();
    int dice = random.nextInt(100);
    if (dice < 3) {
      return rosterImport(course, 10 + random.nextInt(20));
    } else if (dice < 15) {
      return enrol(course, false);
    } else if (dice < 18) {
      return enrol(course, true); // dropped again before the get: NOT_FOUND
    } else if (dice < 23) {
      return drop(course);
    } else if (dice < 26) {
      return addTeacher(course);
    } else if (dice < 32) {
      return createCourseWork(course);
    } else if (dice < 36) {
      return editCourseWork(course);
    } else if (dice < 38) {
      return deleteCourseWork(course);
    } else if (dice < 97) {
      return submissionActivity(course);
    } else if (dice < 98) {
      return forbidden(course);
    }
    return malformed();
  }

  private String newId(int digits) {
    StringBuilder id = new StringBuilder(String.valueOf(1 + random.nextInt(9)));
    while (id.length() < digits - 6) {
      id.append(random.nextInt(10));
    }
    return id.append(String.format("%06d", nextId++)).toString();
  }

  private UserProfile person(String userId) {
    String given = GIVEN[random.nextInt(GIVEN.length)];
    String family = FAMILY[random.nextInt(FAMILY.length)];
    return new UserProfile().setId(userId)
        .setName(new Name().setGivenName(given).setFamilyName(family)
            .setFullName(given + " " + family))
        .setEmailAddress(random.nextInt(10) == 0 ? null
            : given.toLowerCase().replace("ë", "e") + "." + userId.substring(userId.length() - 6)
                + "@students.example.edu");
  }

  private int publish(String collection, String event, Map<String, String> ids) {
    String registration = registrationFor(collection, ids.get("courseId"));
    if (registration == null) {
      return 0; // no feed covers it: Classroom sends nothing
    }
    if (withholdPercent > 0 && random.nextInt(100) < withholdPercent) {
      synchronized (this) {
        withheld++;
      }
      return 0; // the change happened; Classroom's notification never arrives
    }
    StringBuilder json = new StringBuilder("{\"collection\":\"" + collection
        + "\",\"eventType\":\"" + event + "\",\"resourceId\":{");
    ids.forEach((k, v) -> json.append(json.charAt(json.length() - 1) == '{' ? "" : ",")
        .append('"').append(k).append("\":\"").append(v).append('"'));
    channel.publish(json.append("}}").toString(), Map.of("registrationId", registration));
    return 1;
  }

  /**
   * The registration Classroom would send this notification under: the course's roster or
   * course-work feed, else the domain roster feed for roster changes; null when no feed covers
   * it. With nothing registered at all (renewal off), everything goes out under
   * {@value #REGISTRATION_ID}.
   */
  private @Nullable String registrationFor(String collection, String course) {
    boolean roster = collection.equals("courses.students") || collection.equals("courses.teachers");
    String courseFeed = (roster ? "COURSE_ROSTER_CHANGES/" : "COURSE_WORK_CHANGES/") + course;
    String id = registrations.getOrDefault(courseFeed,
        roster ? registrations.get("DOMAIN_ROSTER_CHANGES/") : null);
    if (id == null && System.currentTimeMillis() - registrationsReadAt > 1_000) {
      registrationsReadAt = System.currentTimeMillis(); // a new course's feed may be new
      registrations.clear();
      for (Registration r : school.registrations()) {
        Feed feed = r.getFeed();
        String c = feed.getCourseRosterChangesInfo() != null
            ? feed.getCourseRosterChangesInfo().getCourseId()
            : feed.getCourseWorkChangesInfo() != null
                ? feed.getCourseWorkChangesInfo().getCourseId() : "";
        registrations.put(feed.getFeedType() + "/" + c, r.getRegistrationId());
      }
      id = registrations.getOrDefault(courseFeed,
          roster ? registrations.get("DOMAIN_ROSTER_CHANGES/") : null);
    }
    return id != null ? id : registrations.isEmpty() ? REGISTRATION_ID : null;
  }

  private int enrol(String course, boolean goneBeforeGet) {
    String userId = newId(21);
    school.putStudent(new Student().setCourseId(course).setUserId(userId)
        .setProfile(person(userId)));
    publish("courses.students", "CREATED", Map.of("courseId", course, "userId", userId));
    if (goneBeforeGet) {
      school.removeStudent(course, userId);
      return 1 + publish("courses.students", "DELETED", Map.of("courseId", course, "userId", userId));
    }
    return 1;
  }

  /** A roster import: {@code size} students enrolled in {@code course} at once. */
  public int rosterImport(String course, int size) {
    int n = 0;
    for (int i = 0; i < size; i++) {
      n += enrol(course, false);
    }
    return n;
  }

  private int drop(String course) {
    List<Student> students = school.students(course);
    if (students.isEmpty()) {
      return enrol(course, false);
    }
    Student s = students.get(random.nextInt(students.size()));
    school.removeStudent(course, s.getUserId());
    return publish("courses.students", "DELETED",
        Map.of("courseId", course, "userId", s.getUserId()));
  }

  private int addTeacher(String course) {
    String userId = newId(21);
    school.putTeacher(new Teacher().setCourseId(course).setUserId(userId)
        .setProfile(person(userId)));
    return publish("courses.teachers", "CREATED", Map.of("courseId", course, "userId", userId));
  }

  private int createCourseWork(String course) {
    String id = newId(12);
    lastCourseWorkId = id;
    school.putCourseWork(new CourseWork().setCourseId(course).setId(id)
        .setTitle(random.nextBoolean() ? "Lab report " + id.substring(8) : "Reading ✍️ week "
            + (1 + random.nextInt(12)))
        .setState("PUBLISHED").setWorkType("ASSIGNMENT")
        .setMaxPoints(random.nextInt(4) == 0 ? 12.5 : 100.0));
    int n = publish("courses.courseWork", "CREATED", Map.of("courseId", course, "id", id));
    for (Student s : school.students(course)) {
      String subId = "Cg" + newId(12);
      school.putSubmission(new StudentSubmission().setCourseId(course).setCourseWorkId(id)
          .setId(subId).setUserId(s.getUserId()).setState("CREATED"));
      n += publish("courses.courseWork.studentSubmissions", "CREATED",
          Map.of("courseId", course, "courseWorkId", id, "id", subId));
    }
    return n;
  }

  /**
   * An assignment posted to every student of {@code course}, then each submission turned in, then
   * each graded and returned: the course work's notification, and three per student.
   */
  public int assignmentTurnedInAndGraded(String course) {
    int n = postAssignment(course);
    String id = lastCourseWorkId;
    return n + turnIn(course, id) + gradeAndReturn(course, id);
  }

  /**
   * An assignment posted to every student of {@code course}: the course work's notification and
   * one per new submission. {@link #lastCourseWorkId()} names it.
   */
  public int postAssignment(String course) {
    return createCourseWork(course);
  }

  /** The id of the course work posted last. */
  public String lastCourseWorkId() {
    return lastCourseWorkId;
  }

  /** Every submission of one course work turned in: a notification each. */
  public int turnIn(String course, String courseWorkId) {
    return setSubmissions(course, courseWorkId, "TURNED_IN");
  }

  /** Every submission of one course work graded and returned: a notification each. */
  public int gradeAndReturn(String course, String courseWorkId) {
    return setSubmissions(course, courseWorkId, "RETURNED");
  }

  private int setSubmissions(String course, String courseWorkId, String state) {
    int n = 0;
    for (StudentSubmission s : school.submissions(course, courseWorkId)) {
      school.putSubmission(state.equals("TURNED_IN") ? s.setState(state)
          : s.setState(state).setAssignedGrade(Math.round(random.nextDouble() * 200) / 2.0));
      n += publish("courses.courseWork.studentSubmissions", "MODIFIED",
          Map.of("courseId", course, "courseWorkId", courseWorkId, "id", s.getId()));
    }
    return n;
  }

  private CourseWork anyCourseWork(String course) {
    List<CourseWork> work = school.courseWork(course);
    return work.isEmpty() ? null : work.get(random.nextInt(work.size()));
  }

  private int editCourseWork(String course) {
    CourseWork w = anyCourseWork(course);
    if (w == null) {
      return createCourseWork(course);
    }
    school.putCourseWork(w.setTitle(w.getTitle() + " (revised)"));
    return publish("courses.courseWork", "MODIFIED", Map.of("courseId", course, "id", w.getId()));
  }

  private int deleteCourseWork(String course) {
    CourseWork w = anyCourseWork(course);
    if (w == null) {
      return createCourseWork(course);
    }
    school.removeCourseWork(course, w.getId());
    return publish("courses.courseWork", "DELETED", Map.of("courseId", course, "id", w.getId()));
  }

  private int submissionActivity(String course) {
    CourseWork w = anyCourseWork(course);
    if (w == null) {
      return createCourseWork(course);
    }
    List<StudentSubmission> subs = school.submissions(course, w.getId());
    if (subs.isEmpty()) {
      return editCourseWork(course);
    }
    StudentSubmission s = subs.get(random.nextInt(subs.size()));
    switch (s.getState() == null ? "CREATED" : s.getState()) {
      case "TURNED_IN":
        s.setState("RETURNED").setAssignedGrade(Math.round(random.nextDouble() * 200) / 2.0);
        break;
      case "RETURNED":
        s.setState("RECLAIMED_BY_STUDENT");
        break;
      default:
        s.setState("TURNED_IN").setDraftGrade(null).setLate(random.nextInt(5) == 0 ? true : null);
    }
    school.putSubmission(s);
    return publish("courses.courseWork.studentSubmissions", "MODIFIED",
        Map.of("courseId", course, "courseWorkId", w.getId(), "id", s.getId()));
  }

  private int forbidden(String course) {
    String userId = newId(21);
    school.putStudent(new Student().setCourseId(course).setUserId(userId)
        .setProfile(person(userId)));
    server.faults().onPath("v1/courses/" + course + "/students/" + userId, Fault.of(403));
    return publish("courses.students", "CREATED", Map.of("courseId", course, "userId", userId));
  }

  private int malformed() {
    switch (random.nextInt(4)) {
      case 0:
        channel.publish("{\"collection\":\"courses.students\",\"eventType\":\"CREATED\"}",
            Map.of("registrationId", REGISTRATION_ID));
        break;
      case 1:
        channel.publish(new byte[] {'{', (byte) 0xC3, '}'}, Map.of("registrationId", REGISTRATION_ID));
        break;
      case 2:
        // Well formed, but from a feed someone else registered to the topic: a FILTER dead
        // letter when the run accepts only its own registrations.
        String course = school.courses().get(0).getId();
        channel.publish("{\"collection\":\"courses.students\",\"eventType\":\"CREATED\","
            + "\"resourceId\":{\"courseId\":\"" + course + "\",\"userId\":\"1\"}}",
            Map.of("registrationId", "registered-by-someone-else"));
        break;
      default:
        channel.publish("not a notification", Map.of("registrationId", REGISTRATION_ID));
    }
    return 1;
  }

}
