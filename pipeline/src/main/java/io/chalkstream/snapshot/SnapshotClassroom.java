package io.chalkstream.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.DeadLetterCoder;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.enrich.BatchedCalls;
import io.chalkstream.enrich.ClassroomClientConfig;
import io.chalkstream.enrich.EnrichedChange;
import io.chalkstream.enrich.EnrichedChangeCoder;
import io.chalkstream.enrich.EnrichmentStatus;
import io.chalkstream.enrich.PagedLists;
import io.chalkstream.enrich.RetryPolicy;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCollection;
import io.chalkstream.registration.CourseSelection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupIntoBatches;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/**
 * The current state of the chosen courses, read with list calls: every course's students,
 * teachers, course work (published and draft) and student submissions, all pages, batched,
 * throttled and retried like enrichment ({@link PagedLists}). Each resource becomes one change
 * with event type {@value #EVENT_TYPE}, status OK, publish time the snapshot's time, and a message
 * id that names the snapshot and the resource ({@link #messageId}). A list that cannot be read
 * becomes an ENRICH dead letter saying which, and the rest of the snapshot goes on.
 */
public final class SnapshotClassroom extends PTransform<PBegin, PCollectionTuple> {
  public static final String EVENT_TYPE = "SNAPSHOT";
  public static final TupleTag<EnrichedChange> CHANGES = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  /**
   * The lists read to their end, as {@link #listName}: what a comparison may call complete (a
   * resource missing from a list that failed is not gone).
   */
  public static final TupleTag<String> READ = new TupleTag<>() {};
  private static final TupleTag<String> COURSES = new TupleTag<>() {};

  // Four lists a course: a batch of 12 courses is one HTTP batch of 48 first pages.
  private static final int COURSES_PER_BATCH = 12;
  private static final int SHARDS = 8;
  private static final int PAGE_SIZE = 500;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ClassroomClientConfig classroom;
  private final RetryPolicy policy;
  private final CourseSelection courses;
  private final Instant at;

  public SnapshotClassroom(ClassroomClientConfig classroom, RetryPolicy policy,
      CourseSelection courses, Instant at) {
    this.classroom = classroom;
    this.policy = policy;
    this.courses = courses;
    this.at = at;
  }

  /**
   * {@code snapshot/<time>/<digest>}: the snapshot run and, by a digest of its path, the resource;
   * the same resource in the same run always gets the same id, and no user id shows in it.
   */
  public static String messageId(Instant at, String resourcePath) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(resourcePath.getBytes(StandardCharsets.UTF_8));
      return "snapshot/" + at + "/" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple listed = begin
        .apply("SnapshotTime", Create.of(at.getMillis()))
        .apply("ListCourses", ParDo.of(new ListCoursesFn(classroom, policy, courses, at))
            .withOutputTags(COURSES, TupleTagList.of(DEAD_LETTERS)));
    listed.get(COURSES).setCoder(StringUtf8Coder.of());
    listed.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    PCollectionTuple read = listed.get(COURSES)
        .apply("SpreadCourses", WithKeys.<Integer, String>of(c -> Math.floorMod(c.hashCode(), SHARDS))
            .withKeyType(TypeDescriptors.integers()))
        .apply("BatchCourses", GroupIntoBatches.ofSize(COURSES_PER_BATCH))
        .apply("ListCourseResources", ParDo.of(new ListResourcesFn(classroom, policy, at))
            .withOutputTags(CHANGES, TupleTagList.of(DEAD_LETTERS).and(READ)));
    read.get(CHANGES).setCoder(EnrichedChangeCoder.of());
    read.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    read.get(READ).setCoder(StringUtf8Coder.of());
    PCollection<DeadLetter> failures = PCollectionList.of(listed.get(DEAD_LETTERS))
        .and(read.get(DEAD_LETTERS))
        .apply("FlattenFailures", Flatten.pCollections());
    return PCollectionTuple.of(CHANGES, read.get(CHANGES))
        .and(DEAD_LETTERS, failures)
        .and(READ, read.get(READ));
  }

  /** How {@link #READ} names the list of {@code collection} in {@code course}. */
  public static String listName(NotificationCollection collection, String course) {
    return collection.wireName() + "/" + course;
  }

  private static DeadLetter failure(Instant at, String what, String error) {
    return new DeadLetter(System.currentTimeMillis(), Stage.ENRICH, "snapshot: " + what
        + " could not be read: " + error + "; its resources are missing from this snapshot",
        "snapshot/" + at + "/" + what, at.getMillis(), Map.of(), null);
  }

  /** The course ids of the selection; a failed listing is a dead letter and no course. */
  static final class ListCoursesFn extends DoFn<Long, String> {
    private final ClassroomClientConfig classroom;
    private final RetryPolicy policy;
    private final CourseSelection courses;
    private final Instant at;
    private transient Classroom client;

    ListCoursesFn(ClassroomClientConfig classroom, RetryPolicy policy, CourseSelection courses,
        Instant at) {
      this.classroom = classroom;
      this.policy = policy;
      this.courses = courses;
      this.at = at;
    }

    @Setup
    public void setup() throws IOException {
      client = classroom.newClient();
    }

    @ProcessElement
    public void process(MultiOutputReceiver out) throws InterruptedException {
      try {
        for (String course : courses.resolve(client, policy, classroom.throttle(),
            Sleeper.DEFAULT)) {
          out.get(COURSES).output(course);
        }
      } catch (IOException e) {
        out.get(DEAD_LETTERS).output(failure(at, "courses", e.getMessage()));
      }
    }
  }

  /** Every list of a batch of courses, read to the end in shared rounds of HTTP batches. */
  static final class ListResourcesFn extends DoFn<KV<Integer, Iterable<String>>, EnrichedChange> {
    private final ClassroomClientConfig classroom;
    private final RetryPolicy policy;
    private final Instant at;
    private final Counter resources = Metrics.counter("chalkstream", "snapshot_resources");
    private final Counter failedLists = Metrics.counter("chalkstream", "snapshot_lists_failed");
    private transient PagedLists lists;

    ListResourcesFn(ClassroomClientConfig classroom, RetryPolicy policy, Instant at) {
      this.classroom = classroom;
      this.policy = policy;
      this.at = at;
    }

    @Setup
    public void setup() throws IOException {
      lists = new PagedLists(new BatchedCalls(classroom.newClient(), policy, classroom.throttle(),
          BatchedCalls.CounterNames.LISTS, Sleeper.DEFAULT, Clock.systemUTC()));
    }

    private record Key(String course, NotificationCollection collection) {
      @Override
      public String toString() {
        return collection.wireName() + " of course " + course;
      }
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<String>> batch, MultiOutputReceiver out)
        throws InterruptedException, IOException {
      Map<Key, PagedLists.Paged> wanted = new LinkedHashMap<>();
      for (String course : batch.getValue()) {
        for (NotificationCollection collection : NotificationCollection.values()) {
          wanted.put(new Key(course, collection), paged(course, collection));
        }
      }
      for (Map.Entry<Key, PagedLists.Listing> e : lists.listAll(wanted).entrySet()) {
        Key key = e.getKey();
        PagedLists.Listing listing = e.getValue();
        if (!listing.ok()) {
          failedLists.inc();
          out.get(DEAD_LETTERS).output(failure(at,
              listName(key.collection(), key.course()), listing.failure().error()));
          continue;
        }
        for (String item : listing.items()) {
          out.get(CHANGES).output(change(key, item));
          resources.inc();
        }
        out.get(READ).output(listName(key.collection(), key.course()));
      }
    }

    private static PagedLists.Paged paged(String course, NotificationCollection collection) {
      return switch (collection) {
        case STUDENTS -> new PagedLists.Paged("students", (c, token) ->
            c.courses().students().list(course).setPageSize(PAGE_SIZE).setPageToken(token));
        case TEACHERS -> new PagedLists.Paged("teachers", (c, token) ->
            c.courses().teachers().list(course).setPageSize(PAGE_SIZE).setPageToken(token));
        // Drafts too: a get shows them to the pipeline, so the history has them.
        case COURSE_WORK -> new PagedLists.Paged("courseWork", (c, token) ->
            c.courses().courseWork().list(course).setCourseWorkStates(List.of("PUBLISHED", "DRAFT"))
                .setPageSize(PAGE_SIZE).setPageToken(token));
        // "-": the submissions of all the course's work in one list.
        case SUBMISSIONS -> new PagedLists.Paged("studentSubmissions", (c, token) ->
            c.courses().courseWork().studentSubmissions().list(course, "-")
                .setPageSize(PAGE_SIZE).setPageToken(token));
      };
    }

    private EnrichedChange change(Key key, String item) throws IOException {
      JsonNode json = MAPPER.readTree(item);
      List<String> ids = new ArrayList<>();
      for (String field : key.collection().resourceIdKeys()) {
        ids.add(field.equals("courseId") ? key.course() : json.path(field).asText());
      }
      String path = Notification.resourcePath(key.collection(), ids);
      Notification n = new Notification(messageId(at, path), at.getMillis(), null,
          key.collection(), EVENT_TYPE, ids, Map.of(), new byte[0]);
      return new EnrichedChange(n, EnrichmentStatus.OK, item, System.currentTimeMillis());
    }
  }
}
