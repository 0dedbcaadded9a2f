package io.chalkstream.registration;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.Registration;
import io.chalkstream.classroom.CallThrottle;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Faults.Fault;
import io.chalkstream.simulator.MutableClock;
import io.chalkstream.simulator.School;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Renewal passes through the real Classroom client against the test server's school. */
public class RenewalPassTest {
  private static final String TOPIC = "projects/p/topics/classroom";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-09-01T07:00:00Z"));
  private School school;
  private ClassroomSimulator server;
  private Classroom client;

  @Before
  public void setUp() throws Exception {
    school = School.synthetic(5, 10, 3, 1, clock); // courses 4 and 9 are ARCHIVED
    server = ClassroomSimulator.start(school);
    client = ClassroomClientConfig.forRegistrations(options("ALL", "ROSTER,COURSE_WORK", true))
        .newClient();
  }

  @After
  public void tearDown() {
    server.close();
  }

  private RegistrationOptions options(String courses, String feeds, boolean domain) {
    RegistrationOptions o = PipelineOptionsFactory.as(RegistrationOptions.class);
    o.setClassroomRootUrl(server.rootUrl());
    o.setRegistrationTopic(TOPIC);
    o.setCourses(courses);
    o.setCourseFeeds(feeds);
    o.setRegisterDomainRoster(domain);
    return o;
  }

  private List<RenewalPass.Attempt> pass(RegistrationOptions options) throws Exception {
    return new RenewalPass(TOPIC, DesiredFeeds.from(options), new RetryPolicy(6, 1, 5, 60_000),
        CallThrottle.perMinute(0), Sleeper.DEFAULT, clock).run(client);
  }

  private Set<String> activeCourses() {
    return school.courses().stream().filter(c -> c.getCourseState().equals("ACTIVE"))
        .map(Course::getId).collect(Collectors.toCollection(TreeSet::new));
  }

  /** "FEED_TYPE/course" of every registration the school holds that expires after now. */
  private Set<String> liveRegistrations() {
    Set<String> live = new TreeSet<>();
    for (Registration r : school.registrations()) {
      if (Instant.parse(r.getExpiryTime()).isAfter(clock.instant())) {
        live.add(key(r));
      }
    }
    return live;
  }

  private static String key(Registration r) {
    var feed = r.getFeed();
    String course = feed.getCourseRosterChangesInfo() != null
        ? feed.getCourseRosterChangesInfo().getCourseId()
        : feed.getCourseWorkChangesInfo() != null
            ? feed.getCourseWorkChangesInfo().getCourseId() : "";
    return feed.getFeedType() + "/" + course;
  }

  private Set<String> desired(Set<String> courses, boolean domain) {
    Set<String> keys = new TreeSet<>();
    if (domain) {
      keys.add("DOMAIN_ROSTER_CHANGES/");
    }
    for (String c : courses) {
      keys.add("COURSE_ROSTER_CHANGES/" + c);
      keys.add("COURSE_WORK_CHANGES/" + c);
    }
    return keys;
  }

  @Test
  public void registersTheDomainAndEveryActiveCourseAcrossListPages() throws Exception {
    server.pageSizes(3, 3); // courses.list pages of 3: paging is exercised
    List<RenewalPass.Attempt> attempts = pass(options("ALL", "ROSTER,COURSE_WORK", true));

    Set<String> active = activeCourses();
    assertEquals(8, active.size());
    assertEquals(1 + 2 * active.size(), attempts.size());
    assertTrue(attempts.stream().allMatch(RenewalPass.Attempt::ok));
    assertEquals(desired(active, true), liveRegistrations());
    for (RenewalPass.Attempt a : attempts) {
      assertEquals(TOPIC, a.topicName());
      assertEquals(clock.instant().plus(Duration.ofDays(7)), a.expiryTime());
      assertNull(a.error());
    }
    assertEquals(1 + 2 * active.size(), server.counters().calls("registrations.create"));
    // Three pages of courses.list, one request each, then one batch for all the creates.
    assertEquals(3, server.counters().calls("courses.list"));
    assertEquals("one batch request for all the creates", 3 + 1,
        server.counters().batchRequests());
  }

  @Test
  public void listedCoursesNeedNoDiscoveryAndFeedsCanBeChosen() throws Exception {
    String first = school.courses().get(0).getId();
    String second = school.courses().get(1).getId();
    List<RenewalPass.Attempt> attempts = pass(options(first + ", " + second, "ROSTER", false));
    assertEquals(List.of("COURSE_ROSTER_CHANGES/" + first, "COURSE_ROSTER_CHANGES/" + second),
        attempts.stream().map(a -> a.feedType() + "/" + a.courseId()).toList());
    assertEquals(0, server.counters().calls("courses.list"));
  }

  @Test
  public void thirtyDaysWithTenPercentTransientFailuresNeverLeaveAFeedUnregistered()
      throws Exception {
    server.faults().seed(30).rate(Fault.of(503), 0.05).rate(Fault.of(429), 0.05);
    RegistrationOptions options = options("ALL", "ROSTER,COURSE_WORK", true);
    Set<String> archivedLater = new TreeSet<>();
    String newCourse = null;
    int retried = 0;
    for (int hour = 0; hour <= 30 * 24; hour++) {
      if (hour % 24 == 0) { // the default --renewEverySeconds
        for (RenewalPass.Attempt a : pass(options)) {
          assertTrue("attempt failed: " + a.error(), a.ok());
        }
      }
      if (hour == 10 * 24 + 5) { // a course is created mid-cycle
        newCourse = "new-course";
        school.putCourse(new Course().setId(newCourse).setName("New").setCourseState("ACTIVE"));
      }
      if (hour == 12 * 24 + 5) { // and one is archived
        Course c = school.course(activeCourses().iterator().next()).orElseThrow();
        school.putCourse(c.clone().setCourseState("ARCHIVED"));
        archivedLater.add(c.getId());
      }
      Set<String> expected = desired(activeCourses(), true);
      if (newCourse != null && hour < 11 * 24) {
        expected.removeAll(desired(Set.of(newCourse), false)); // registered at the next pass
      }
      Set<String> live = liveRegistrations();
      assertTrue("hour " + hour + ": missing " + difference(expected, live),
          live.containsAll(expected));
      clock.advance(Duration.ofHours(1));
    }
    assertTrue(liveRegistrations().containsAll(desired(Set.of(newCourse), false)));
    // The archived course was not renewed: its feeds lapsed a week after its last pass.
    Set<String> archivedFeeds = desired(archivedLater, false);
    assertTrue(difference(archivedFeeds, liveRegistrations()).containsAll(archivedFeeds));
    assertTrue("transient failures were injected and retried",
        server.counters().callsByMethod().get("registrations.create")
            > 31 * (1 + 2 * 8));
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> d = new TreeSet<>(a);
    d.removeAll(b);
    return d;
  }

  @Test
  public void aMissingGrantSaysWhatToDo() throws Exception {
    server.faults().onMethod("registrations.create", Fault.of(403).message(
        "@MissingGrant The user has not granted the app permission to use this feed."));
    List<RenewalPass.Attempt> attempts = pass(options("ALL", "ROSTER", true));
    assertEquals(1 + 8, attempts.size());
    for (RenewalPass.Attempt a : attempts) {
      assertEquals("FAILED", a.status());
      assertNull(a.registrationId());
      assertThat(a.error(), containsString("HTTP 403 PERMISSION_DENIED: @MissingGrant"));
      assertThat(a.error(), containsString("registrations need a user's OAuth grant"));
      assertThat(a.error(), containsString("classroom.push-notifications"));
      assertThat(a.error(), containsString("refuses domain-wide delegation"));
    }
    assertEquals("not retried", 9, server.counters().calls("registrations.create"));
  }

  @Test
  public void aMissingTopicSaysToCreateItAndGrantThePublisherRole() throws Exception {
    for (int status : new int[] {404, 400}) {
      server.faults().clear().onMethod("registrations.create", Fault.of(status).message(
          "Topic projects/p/topics/classroom not found or not accessible"));
      RenewalPass.Attempt a = pass(options("ALL", "", true)).get(0);
      assertEquals("FAILED", a.status());
      assertThat(a.error(), containsString("HTTP " + status));
      assertThat(a.error(), containsString("create the topic and grant "
          + "classroom-notifications@system.gserviceaccount.com the Pub/Sub publisher role"));
    }
  }

  @Test
  public void aFailedCourseListingIsRecordedAndTheDomainFeedStillRenewed() throws Exception {
    server.faults().onMethod("courses.list", Fault.of(403));
    List<RenewalPass.Attempt> attempts = pass(options("ALL", "ROSTER,COURSE_WORK", true));
    assertEquals(2, attempts.size());
    assertEquals(RenewalPass.COURSE_DISCOVERY, attempts.get(0).feedType());
    assertThat(attempts.get(0).error(), containsString("courses.list failed: HTTP 403"));
    assertThat(attempts.get(0).error(), containsString("or give --courses=ID,ID"));
    assertEquals("DOMAIN_ROSTER_CHANGES", attempts.get(1).feedType());
    assertTrue(attempts.get(1).ok());
  }

  @Test
  public void retriesRunOutIntoAFailedRowThatSaysTheNextPassTries() throws Exception {
    server.faults().onMethod("registrations.create", Fault.of(503));
    RenewalPass.Attempt a = pass(options("ALL", "", true)).get(0);
    assertEquals("FAILED", a.status());
    assertThat(a.error(), containsString("gave up after 6 attempt(s)"));
    assertThat(a.error(), containsString("the next pass tries again"));
  }

  @Test
  public void badFeedOptionsAreRefused() {
    List<String> errors = new ArrayList<>();
    for (String[] o : new String[][] {{"ALL", "ROSTERS"}, {"ALL,123", "ROSTER"}, {"ALL", ""}}) {
      try {
        DesiredFeeds.from(options(o[0], o[1], false));
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }
    assertEquals(List.of(
        "--courseFeeds=ROSTERS: unknown feed 'ROSTERS'; use ROSTER, COURSE_WORK or both, "
            + "comma-separated",
        "--courses=ALL,123: ALL cannot be combined with course ids",
        "nothing to register: --registerDomainRoster is false and --courseFeeds is empty"),
        errors);
  }
}
