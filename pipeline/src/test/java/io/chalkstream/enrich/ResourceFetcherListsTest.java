package io.chalkstream.enrich;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.classroom.CallThrottle;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.notification.Notification;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.Faults.Fault;
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
 * The get-or-list rule of {@link ResourceFetcher} through the real client: a list is read only
 * where its learned pages are fewer than the distinct resources, and a failing list falls back to
 * gets.
 */
public class ResourceFetcherListsTest {
  private ClassroomSimulator server;
  private Classroom client;
  private String course;
  private List<String> users;

  @Before
  public void setUp() throws Exception {
    School school = School.synthetic(5, 1, 12, 1);
    // Pages of 5: the course's 12 students take 3 pages.
    server = ClassroomSimulator.start(school).pageSizes(5, 5);
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

  private ResourceFetcher fetcher(CollectionSizes sizes) {
    return new ResourceFetcher(client, new RetryPolicy(2, 10, 50, 5_000),
        CallThrottle.perMinute(0), sizes, Sleeper.DEFAULT, Clock.systemUTC());
  }

  private Map<String, Notification> students(int count) {
    Map<String, Notification> pane = new LinkedHashMap<>();
    for (String user : users.subList(0, count)) {
      Notification n = EnrichChangesTest.student(course, user, "MODIFIED");
      pane.put(n.resourcePath(), n);
    }
    return pane;
  }

  @Test
  public void listsOnlyWhereTheLearnedPagesAreFewerThanTheGets() throws Exception {
    CollectionSizes sizes = new CollectionSizes(100);
    ResourceFetcher fetcher = fetcher(sizes);
    // Never listed: taken as one page, so two resources are listed, and it takes three pages.
    Map<String, FetchResult> first = fetcher.fetch(students(2));
    assertEquals(3, server.counters().calls("students.list"));
    assertEquals(0, server.counters().calls("students.get"));
    assertTrue(first.values().stream().allMatch(r -> r.status() == EnrichmentStatus.OK));
    assertEquals(3, sizes.pages(CourseList.of(students(1).values().iterator().next())));

    server.counters().reset();
    fetcher.fetch(students(3)); // 3 pages is not fewer than 3 gets
    assertEquals(0, server.counters().calls("students.list"));
    assertEquals(3, server.counters().calls("students.get"));

    server.counters().reset();
    Map<String, FetchResult> many = fetcher.fetch(students(10));
    assertEquals(3, server.counters().calls("students.list"));
    assertEquals(0, server.counters().calls("students.get"));
    assertEquals(10, many.size());
  }

  @Test
  public void aFailingListFallsBackToGets() throws Exception {
    server.faults().onMethod("students.list", Fault.of(503));
    Map<String, FetchResult> results = fetcher(new CollectionSizes(100)).fetch(students(4));
    assertEquals("the list was tried with its retries", 2,
        server.counters().calls("students.list"));
    assertEquals(4, server.counters().calls("students.get"));
    assertTrue(results.values().stream().allMatch(r -> r.status() == EnrichmentStatus.OK));
  }
}
