package io.chalkstream.simulator;

import com.google.api.client.json.GenericJson;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.util.Key;
import com.google.api.services.classroom.model.CloudPubsubTopic;
import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.CourseRosterChangesInfo;
import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.CourseWorkChangesInfo;
import com.google.api.services.classroom.model.Feed;
import com.google.api.services.classroom.model.Registration;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.StudentSubmission;
import com.google.api.services.classroom.model.Teacher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A thread-safe in-memory Google Classroom domain: courses, their students, teachers, course
 * work and student submissions, plus the push-notification registrations made against it.
 *
 * <p>Objects are the Classroom client's own model classes. They are copied on the way in and
 * on the way out, so callers never share mutable state with the server. Lists keep insertion
 * order.
 */
public final class School {

  /** How long a registration lives before it must be renewed, as in the real API. */
  public static final Duration REGISTRATION_LIFETIME = Duration.ofDays(7);

  private final Clock clock;
  private final Map<String, Course> courses = new LinkedHashMap<>();
  // courseId -> userId -> member
  private final Map<String, Map<String, Student>> students = new LinkedHashMap<>();
  private final Map<String, Map<String, Teacher>> teachers = new LinkedHashMap<>();
  // courseId -> courseWorkId -> course work
  private final Map<String, Map<String, CourseWork>> courseWork = new LinkedHashMap<>();
  // courseId + "/" + courseWorkId -> submissionId -> submission
  private final Map<String, Map<String, StudentSubmission>> submissions = new LinkedHashMap<>();
  private final Map<String, Registration> registrations = new LinkedHashMap<>();
  private long registrationsCreated;

  /** An empty school on the system UTC clock. */
  public School() {
    this(Clock.systemUTC());
  }

  /** An empty school whose timestamps and registration expiries come from {@code clock}. */
  public School(Clock clock) {
    this.clock = clock;
  }

  /**
   * A deterministic synthetic school: the same arguments give an identical school, ids and
   * timestamps included (timestamps do not depend on the clock). See {@link SyntheticSchool}
   * for what it guarantees.
   */
  public static School synthetic(
      long seed, int courses, int studentsPerCourse, int courseWorkPerCourse) {
    return synthetic(seed, courses, studentsPerCourse, courseWorkPerCourse, Clock.systemUTC());
  }

  /** As {@link #synthetic(long, int, int, int)}, with the clock used for later changes. */
  public static School synthetic(
      long seed, int courses, int studentsPerCourse, int courseWorkPerCourse, Clock clock) {
    School school = new School(clock);
    SyntheticSchool.populate(school, seed, courses, studentsPerCourse, courseWorkPerCourse);
    return school;
  }

  /** The clock behind timestamps and registration expiries. */
  public Clock clock() {
    return clock;
  }

  /** The clock's current instant as an RFC 3339 timestamp, the API's timestamp format. */
  public String now() {
    return clock.instant().toString();
  }

  // --- courses ---

  /** Adds or replaces a course; absent creationTime/updateTime are set to {@link #now()}. */
  public synchronized void putCourse(Course course) {
    Course copy = stamped(course.clone());
    courses.put(required(copy.getId(), "course id"), copy);
  }

  /** Removes a course with all its members, course work and submissions. */
  public synchronized boolean removeCourse(String courseId) {
    students.remove(courseId);
    teachers.remove(courseId);
    courseWork.remove(courseId);
    submissions.keySet().removeIf(key -> key.startsWith(courseId + "/"));
    return courses.remove(courseId) != null;
  }

  public synchronized Optional<Course> course(String courseId) {
    return Optional.ofNullable(courses.get(courseId)).map(Course::clone);
  }

  public synchronized List<Course> courses() {
    return copies(courses);
  }

  // --- students ---

  /** Adds or replaces a student of an existing course. */
  public synchronized void putStudent(Student student) {
    Student copy = student.clone();
    children(students, existingCourse(copy.getCourseId())).put(required(copy.getUserId(), "userId"), copy);
  }

  public synchronized boolean removeStudent(String courseId, String userId) {
    return view(students, courseId).remove(userId) != null;
  }

  public synchronized Optional<Student> student(String courseId, String userId) {
    return Optional.ofNullable(view(students, courseId).get(userId)).map(Student::clone);
  }

  public synchronized List<Student> students(String courseId) {
    return copies(view(students, courseId));
  }

  // --- teachers ---

  /** Adds or replaces a teacher of an existing course. */
  public synchronized void putTeacher(Teacher teacher) {
    Teacher copy = teacher.clone();
    children(teachers, existingCourse(copy.getCourseId())).put(required(copy.getUserId(), "userId"), copy);
  }

  public synchronized boolean removeTeacher(String courseId, String userId) {
    return view(teachers, courseId).remove(userId) != null;
  }

  public synchronized Optional<Teacher> teacher(String courseId, String userId) {
    return Optional.ofNullable(view(teachers, courseId).get(userId)).map(Teacher::clone);
  }

  public synchronized List<Teacher> teachers(String courseId) {
    return copies(view(teachers, courseId));
  }

  // --- course work ---

  /**
   * Adds or replaces course work of an existing course; absent creationTime/updateTime are set
   * to {@link #now()}.
   */
  public synchronized void putCourseWork(CourseWork work) {
    CourseWork copy = stamped(work.clone());
    children(courseWork, existingCourse(copy.getCourseId()))
        .put(required(copy.getId(), "course work id"), copy);
  }

  /** Removes course work with its submissions. */
  public synchronized boolean removeCourseWork(String courseId, String courseWorkId) {
    submissions.remove(courseId + "/" + courseWorkId);
    return view(courseWork, courseId).remove(courseWorkId) != null;
  }

  public synchronized Optional<CourseWork> courseWork(String courseId, String courseWorkId) {
    return Optional.ofNullable(view(courseWork, courseId).get(courseWorkId)).map(CourseWork::clone);
  }

  public synchronized List<CourseWork> courseWork(String courseId) {
    return copies(view(courseWork, courseId));
  }

  // --- student submissions ---

  /**
   * Adds or replaces a submission of existing course work; absent creationTime/updateTime are
   * set to {@link #now()}.
   */
  public synchronized void putSubmission(StudentSubmission submission) {
    StudentSubmission copy = stamped(submission.clone());
    String courseId = existingCourse(copy.getCourseId());
    if (!view(courseWork, courseId).containsKey(copy.getCourseWorkId())) {
      throw new IllegalArgumentException(
          "no course work " + copy.getCourseWorkId() + " in course " + courseId);
    }
    children(submissions, courseId + "/" + copy.getCourseWorkId())
        .put(required(copy.getId(), "submission id"), copy);
  }

  public synchronized boolean removeSubmission(String courseId, String courseWorkId, String id) {
    return view(submissions, courseId + "/" + courseWorkId).remove(id) != null;
  }

  public synchronized Optional<StudentSubmission> submission(
      String courseId, String courseWorkId, String id) {
    return Optional.ofNullable(view(submissions, courseId + "/" + courseWorkId).get(id))
        .map(StudentSubmission::clone);
  }

  /** Submissions of one course work, or of all course work of the course when it is {@code "-"}. */
  public synchronized List<StudentSubmission> submissions(String courseId, String courseWorkId) {
    if (!courseWorkId.equals("-")) {
      return copies(view(submissions, courseId + "/" + courseWorkId));
    }
    List<StudentSubmission> all = new ArrayList<>();
    for (String workId : view(courseWork, courseId).keySet()) {
      all.addAll(copies(view(submissions, courseId + "/" + workId)));
    }
    return all;
  }

  // --- registrations ---

  /**
   * Creates a registration, or renews the one with the same feed and topic (same id, new
   * expiry), as {@code registrations.create} does.
   *
   * @return the stored registration with {@code registrationId} and {@code expiryTime}
   * @throws IllegalArgumentException if the feed or topic is missing or malformed
   * @throws NoSuchElementException if a course feed names a course this school does not have
   */
  public synchronized Registration register(Registration request) {
    Feed feed = request.getFeed();
    if (feed == null || feed.getFeedType() == null) {
      throw new IllegalArgumentException("A feed with a feedType is required.");
    }
    String topic = Optional.ofNullable(request.getCloudPubsubTopic())
        .map(CloudPubsubTopic::getTopicName).orElse(null);
    if (topic == null || !topic.matches("projects/[^/]+/topics/[^/]+")) {
      throw new IllegalArgumentException("cloudPubsubTopic.topicName must be projects/P/topics/T.");
    }
    String courseId = feedCourseId(feed);
    if (courseId != null && !courses.containsKey(courseId)) {
      throw new NoSuchElementException("No course " + courseId);
    }
    Registration stored = registrations.values().stream()
        .filter(r -> r.getFeed().getFeedType().equals(feed.getFeedType())
            && Objects.equals(feedCourseId(r.getFeed()), courseId)
            && r.getCloudPubsubTopic().getTopicName().equals(topic))
        .findFirst()
        .orElseGet(() -> {
          // Opaque like the real ids, yet the same in every run.
          String id = UUID.nameUUIDFromBytes(
              ("registration " + ++registrationsCreated).getBytes(StandardCharsets.UTF_8)).toString();
          Registration created = request.clone().setRegistrationId(id);
          registrations.put(created.getRegistrationId(), created);
          return created;
        });
    stored.setExpiryTime(clock.instant().plus(REGISTRATION_LIFETIME).toString());
    return stored.clone();
  }

  /** Deletes a registration; false if there was none with this id. */
  public synchronized boolean unregister(String registrationId) {
    return registrations.remove(registrationId) != null;
  }

  /** Registrations made so far, in creation order, with their latest expiry. */
  public synchronized List<Registration> registrations() {
    return copies(registrations);
  }

  // --- saved to a file, so a simulated school outlives one command ---

  /** What {@link #save} writes: the whole school, and the count that names new registrations. */
  public static final class Saved extends GenericJson {
    @Key public List<Course> courses = new ArrayList<>();
    @Key public List<Student> students = new ArrayList<>();
    @Key public List<Teacher> teachers = new ArrayList<>();
    @Key public List<CourseWork> courseWork = new ArrayList<>();
    @Key public List<StudentSubmission> submissions = new ArrayList<>();
    @Key public List<Registration> registrations = new ArrayList<>();
    @Key public Long registrationsCreated;
    /** How many times the school was saved: runs that continue it tell themselves apart by it. */
    @Key public Long generation;
  }

  /**
   * Writes the school to {@code file} as JSON (through a temporary file, so a crash leaves the
   * previous one), with {@code generation} the number of saves so far.
   */
  public synchronized void save(Path file, long generation) throws IOException {
    Saved saved = new Saved();
    saved.courses.addAll(courses.values());
    students.values().forEach(m -> saved.students.addAll(m.values()));
    teachers.values().forEach(m -> saved.teachers.addAll(m.values()));
    courseWork.values().forEach(m -> saved.courseWork.addAll(m.values()));
    submissions.values().forEach(m -> saved.submissions.addAll(m.values()));
    saved.registrations.addAll(registrations.values());
    saved.registrationsCreated = registrationsCreated;
    saved.generation = generation;
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, GsonFactory.getDefaultInstance().toPrettyString(saved),
        StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A school read back from what {@link #save} wrote, and the generation it was saved at. */
  public static Map.Entry<School, Long> load(Path file, Clock clock) throws IOException {
    Saved saved;
    try {
      saved = GsonFactory.getDefaultInstance()
          .fromString(Files.readString(file, StandardCharsets.UTF_8), Saved.class);
    } catch (IllegalArgumentException e) {
      throw new IOException("simulated school " + file + " is not a saved school ("
          + e.getMessage() + "); delete it to start a new one", e);
    }
    School school = new School(clock);
    saved.courses.forEach(school::putCourse);
    saved.students.forEach(school::putStudent);
    saved.teachers.forEach(school::putTeacher);
    saved.courseWork.forEach(school::putCourseWork);
    saved.submissions.forEach(school::putSubmission);
    synchronized (school) {
      saved.registrations.forEach(r -> school.registrations.put(r.getRegistrationId(), r.clone()));
      school.registrationsCreated =
          saved.registrationsCreated == null ? 0 : saved.registrationsCreated;
    }
    return Map.entry(school, saved.generation == null ? 0L : saved.generation);
  }

  // The course a COURSE_* feed is about; null for the domain feed.
  private static String feedCourseId(Feed feed) {
    String type = feed.getFeedType();
    Supplier<IllegalArgumentException> noCourse =
        () -> new IllegalArgumentException("Feed " + type + " needs its changes info with a courseId.");
    return switch (type) {
      case "DOMAIN_ROSTER_CHANGES" -> null;
      case "COURSE_ROSTER_CHANGES" -> Optional.ofNullable(feed.getCourseRosterChangesInfo())
          .map(CourseRosterChangesInfo::getCourseId).orElseThrow(noCourse);
      case "COURSE_WORK_CHANGES" -> Optional.ofNullable(feed.getCourseWorkChangesInfo())
          .map(CourseWorkChangesInfo::getCourseId).orElseThrow(noCourse);
      default -> throw new IllegalArgumentException("Unknown feedType " + type);
    };
  }

  private String existingCourse(String courseId) {
    if (!courses.containsKey(courseId)) {
      throw new IllegalArgumentException("no course " + courseId);
    }
    return courseId;
  }

  private <T extends GenericJson> T stamped(T model) {
    String now = now();
    model.putIfAbsent("creationTime", now);
    model.putIfAbsent("updateTime", now);
    return model;
  }

  private static String required(String value, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what + " is required");
    }
    return value;
  }

  private static <T> Map<String, T> view(Map<String, Map<String, T>> map, String key) {
    return map.getOrDefault(key, Collections.emptyMap());
  }

  private static <T> Map<String, T> children(Map<String, Map<String, T>> map, String key) {
    return map.computeIfAbsent(key, k -> new LinkedHashMap<>());
  }

  @SuppressWarnings("unchecked")
  private static <T extends GenericJson> List<T> copies(Map<String, T> map) {
    List<T> list = new ArrayList<>(map.size());
    map.values().forEach(v -> list.add((T) v.clone()));
    return list;
  }
}
