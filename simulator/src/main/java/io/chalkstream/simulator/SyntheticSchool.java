package io.chalkstream.simulator;

import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.Date;
import com.google.api.services.classroom.model.Name;
import com.google.api.services.classroom.model.Student;
import com.google.api.services.classroom.model.StudentSubmission;
import com.google.api.services.classroom.model.Teacher;
import com.google.api.services.classroom.model.TimeOfDay;
import com.google.api.services.classroom.model.UserProfile;
import java.text.Normalizer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Fills a {@link School} with deterministic, realistic data from a seed.
 *
 * <p>Students come from a pool smaller than the enrolments, so some share courses. Guarantees,
 * so tests can rely on them: the first course enrols the pool in order, and the pool starts with
 * Siobhán O'Brien, José D'Angelo and Zoë (apostrophes, non-ASCII); Zoë and every 10th pupil
 * after her have no email address (teachers all have one). Counting course work across the
 * school, the 2nd, 7th, 12th, ... have fractional maxPoints and the 4th, 9th, ... none. All
 * course work is PUBLISHED and every student has a submission for every course work of their
 * course. Timestamps carry 0 to 9 fractional digits and are fixed relative to 2025-01-06,
 * independent of the school's clock.
 */
final class SyntheticSchool {

  private static final Instant BASE = Instant.parse("2025-01-06T08:00:00Z");
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private static final String[] GIVEN = {"Siobhán", "José", "Zoë", "Liam", "Mia", "Noah", "Olivia",
      "Mateo", "Priya", "Chloé", "Björn", "Fatima", "Hiroshi", "Aoife", "Ethan", "Amara", "Łukasz",
      "Grace", "Nguyễn Văn", "Søren"};
  private static final String[] FAMILY = {"O'Brien", "D'Angelo", "García", "Müller", "Smith",
      "Nguyen", "Kowalski", "Okafor", "Johansson", "Tanaka", "Patel", "MacDonald", "N'Diaye",
      "van der Berg", "Ó Súilleabháin", "Lefèvre"};
  private static final String[] SUBJECTS = {"Algebra I", "Biology", "World History",
      "English Literature", "Chemistry", "Art & Design", "Français 2", "Physics", "Music 🎵",
      "Computer Science"};
  private static final String[] TITLES = {"Essay: my summer 🌞", "Fractions quiz ➗",
      "Lab report 🔬", "Reading log 📚", "Why do leaves change colour?",
      "Poem analysis — \"Ode to a Nightingale\"", "Map of Europe 🗺️", "Chapter 3 review",
      "Group project 👩‍🔬", "Vocabulary list #4"};
  private static final String[] DESCRIPTIONS = {"Don't forget to cite your sources.",
      "Show your working.", "Max. 500 words — no AI, please!", "Upload a photo of your notebook."};
  private static final String[] SUBMISSION_STATES = {"NEW", "CREATED", "CREATED", "TURNED_IN",
      "TURNED_IN", "TURNED_IN", "RETURNED", "RETURNED", "RECLAIMED_BY_STUDENT"};
  private static final double[] WHOLE_POINTS = {10, 20, 50, 100};
  private static final double[] FRACTIONAL_POINTS = {12.5, 7.5, 2.5, 99.5};

  private final Random random;
  private final Set<String> ids = new HashSet<>();

  private SyntheticSchool(long seed) {
    random = new Random(seed);
  }

  static void populate(School school, long seed, int courses, int studentsPerCourse, int workPerCourse) {
    new SyntheticSchool(seed).fill(school, courses, studentsPerCourse, workPerCourse);
  }

  private void fill(School school, int courseCount, int studentsPerCourse, int workPerCourse) {
    // Students overlap between courses, as in a real school: a pool smaller than the enrolments.
    List<UserProfile> pupils = new ArrayList<>();
    int pool = Math.max(studentsPerCourse, courseCount * studentsPerCourse * 3 / 4);
    for (int i = 0; i < pool; i++) {
      pupils.add(user(i < 3 ? GIVEN[i] : pick(GIVEN), i < 2 ? FAMILY[i] : pick(FAMILY), i % 10 != 2));
    }
    List<UserProfile> staff = new ArrayList<>();
    for (int i = 0; i < courseCount / 2 + 1; i++) {
      staff.add(user(pick(GIVEN), pick(FAMILY), true));
    }
    int workIndex = 0;
    for (int c = 0; c < courseCount; c++) {
      Instant created = BASE.minusSeconds(86_400L * (30 + random.nextInt(300)));
      UserProfile owner = staff.get(c % staff.size());
      Course course = new Course()
          .setId(uniqueNumber(12))
          .setName(pick(SUBJECTS))
          .setSection("Period " + (1 + random.nextInt(8)))
          .setCourseState(c % 5 == 4 ? "ARCHIVED" : "ACTIVE")
          .setOwnerId(owner.getId())
          .setCreationTime(timestamp(created))
          .setUpdateTime(timestamp(later(created)));
      school.putCourse(course);
      school.putTeacher(new Teacher().setCourseId(course.getId()).setUserId(owner.getId()).setProfile(owner));
      if (c % 3 == 2) {
        UserProfile coTeacher = staff.get((c + 1) % staff.size());
        school.putTeacher(
            new Teacher().setCourseId(course.getId()).setUserId(coTeacher.getId()).setProfile(coTeacher));
      }
      List<UserProfile> enrolled = new ArrayList<>(pupils);
      if (c > 0) {
        Collections.shuffle(enrolled, random);
      }
      enrolled = enrolled.subList(0, studentsPerCourse);
      for (UserProfile pupil : enrolled) {
        school.putStudent(
            new Student().setCourseId(course.getId()).setUserId(pupil.getId()).setProfile(pupil));
      }
      for (int w = 0; w < workPerCourse; w++, workIndex++) {
        CourseWork work = courseWork(course, workIndex, created);
        school.putCourseWork(work);
        for (UserProfile pupil : enrolled) {
          school.putSubmission(submission(work, pupil));
        }
      }
    }
  }

  private CourseWork courseWork(Course course, int index, Instant courseCreated) {
    Instant created = courseCreated.plusSeconds(random.nextInt(20 * 86_400));
    CourseWork work = new CourseWork()
        .setCourseId(course.getId())
        .setId(uniqueNumber(12))
        .setTitle(pick(TITLES))
        .setState("PUBLISHED")
        .setWorkType(index % 4 == 3 ? "SHORT_ANSWER_QUESTION" : "ASSIGNMENT")
        .setCreationTime(timestamp(created))
        .setUpdateTime(timestamp(later(created)));
    if (random.nextBoolean()) {
      work.setDescription(pick(DESCRIPTIONS));
    }
    switch (index % 5) {
      case 1 -> work.setMaxPoints(FRACTIONAL_POINTS[random.nextInt(FRACTIONAL_POINTS.length)]);
      case 3 -> { } // ungraded: maxPoints absent
      default -> work.setMaxPoints(WHOLE_POINTS[random.nextInt(WHOLE_POINTS.length)]);
    }
    if (random.nextInt(3) > 0) {
      LocalDate due = LocalDate.ofInstant(created, ZoneOffset.UTC).plusDays(1 + random.nextInt(14));
      work.setDueDate(
          new Date().setYear(due.getYear()).setMonth(due.getMonthValue()).setDay(due.getDayOfMonth()));
      // The API omits zero fields: an empty TimeOfDay is midnight.
      work.setDueTime(switch (random.nextInt(4)) {
        case 0 -> new TimeOfDay();
        case 1 -> new TimeOfDay().setHours(23).setMinutes(59);
        case 2 -> new TimeOfDay().setHours(9);
        default -> new TimeOfDay().setHours(15).setMinutes(30).setSeconds(15);
      });
    }
    return work;
  }

  private StudentSubmission submission(CourseWork work, UserProfile pupil) {
    Instant created = Instant.parse(work.getCreationTime()).plusSeconds(random.nextInt(86_400));
    String state = pick(SUBMISSION_STATES);
    StudentSubmission submission = new StudentSubmission()
        .setCourseId(work.getCourseId())
        .setCourseWorkId(work.getId())
        .setId(uniqueOpaqueId())
        .setUserId(pupil.getId())
        .setState(state)
        .setCourseWorkType(work.getWorkType())
        .setCreationTime(timestamp(created))
        .setUpdateTime(timestamp(later(created)));
    boolean handedIn = state.equals("TURNED_IN") || state.equals("RETURNED");
    // The API leaves `late` out unless it is true.
    if (handedIn && work.getDueDate() != null && random.nextInt(5) == 0) {
      submission.setLate(true);
    }
    Double max = work.getMaxPoints();
    if (max != null && handedIn && (state.equals("RETURNED") || random.nextBoolean())) {
      double grade = Math.round(random.nextDouble() * max * 2) / 2.0; // half points happen
      submission.setDraftGrade(grade);
      if (state.equals("RETURNED")) {
        submission.setAssignedGrade(grade);
      }
    }
    return submission;
  }

  private UserProfile user(String given, String family, boolean hasEmail) {
    String id = uniqueNumber(12) + uniqueNumber(9);
    UserProfile profile = new UserProfile()
        .setId(id)
        .setName(new Name().setGivenName(given).setFamilyName(family).setFullName(given + " " + family));
    if (hasEmail) {
      profile.setEmailAddress(ascii(given) + "." + ascii(family) + id.substring(17) + "@school.example.edu");
    }
    return profile;
  }

  private String pick(String[] choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static String ascii(String name) {
    return Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("[^A-Za-z]", "").toLowerCase();
  }

  // A number of exactly `digits` digits (no leading zero), distinct from every id so far.
  private String uniqueNumber(int digits) {
    long low = (long) Math.pow(10, digits - 1);
    String id;
    do {
      id = Long.toString(random.nextLong(low, low * 10));
    } while (!ids.add(id));
    return id;
  }

  // Submission ids are opaque base64url strings in the real API.
  private String uniqueOpaqueId() {
    byte[] bytes = new byte[15];
    String id;
    do {
      random.nextBytes(bytes);
      id = "Cg" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (!ids.add(id));
    return id;
  }

  private Instant later(Instant instant) {
    return instant.plusSeconds(random.nextInt(7 * 86_400)).plusNanos(random.nextInt(1_000_000_000));
  }

  // RFC 3339 with 0 to 9 fractional digits, as the API is seen to send.
  private String timestamp(Instant instant) {
    int digits = random.nextInt(10);
    String fraction = String.format("%09d", instant.getNano()).substring(0, digits);
    return SECONDS.format(instant) + (digits == 0 ? "" : "." + fraction) + "Z";
  }
}
