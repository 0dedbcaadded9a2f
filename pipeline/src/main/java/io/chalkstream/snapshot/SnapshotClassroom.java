package io.chalkstream.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.util.Sleeper;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.classroom.BatchedCalls;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.PagedLists;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.DeadLetterCoder;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.enrich.EnrichedChange;
import io.chalkstream.enrich.EnrichedChangeCoder;
import io.chalkstream.enrich.EnrichmentStatus;
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
import org.apache.beam.sdk.Pipeline;
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
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
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
public final class SnapshotClassroom extends PTransform<PBegin, SnapshotClassroom.Result> {
  public static final String EVENT_TYPE = "SNAPSHOT";

  /** What a snapshot read, under tags of the producing instance; reconciliation's input. */
  public static final class Result implements PInput, POutput {
    private final Pipeline pipeline;
    private final Map<TupleTag<?>, PValue> all = new LinkedHashMap<>();
    private final PCollection<EnrichedChange> changes;
    private final PCollection<DeadLetter> deadLetters;
    private final PCollection<String> readLists;

    private Result(Pipeline pipeline, PCollection<EnrichedChange> changes,
        PCollection<DeadLetter> deadLetters, PCollection<String> readLists) {
      this.pipeline = pipeline;
      this.changes = changes;
      this.deadLetters = deadLetters;
      this.readLists = readLists;
      all.put(new TupleTag<EnrichedChange>(), changes);
      all.put(new TupleTag<DeadLetter>(), deadLetters);
      all.put(new TupleTag<String>(), readLists);
    }

    /** One SNAPSHOT change per resource read. */
    public PCollection<EnrichedChange> changes() {
      return changes;
    }

    /** One ENRICH dead letter per list that could not be read. */
    public PCollection<DeadLetter> deadLetters() {
      return deadLetters;
    }

    /**
     * The lists read to their end, as {@link #listName}: what a comparison may call complete (a
     * resource missing from a list that failed is not gone).
     */
    public PCollection<String> readLists() {
      return readLists;
    }

    public <O extends POutput> O apply(String name, PTransform<Result, O> transform) {
      return Pipeline.applyTransform(name, this, transform);
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return all;
    }

    @Override
    public void finishSpecifyingOutput(String transformName, PInput input,
        PTransform<?, ?> transform) {}
  }

  // Four lists a course: a batch of 12 courses is one HTTP batch of 48 first pages.
  private static final int COURSES_PER_BATCH = 12;
  private static final int SHARDS = 8;
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
  public Result expand(PBegin begin) {
    TupleTag<String> courseIds = new TupleTag<>();
    TupleTag<DeadLetter> courseFailures = new TupleTag<>();
    PCollectionTuple listed = begin
        .apply("SnapshotTime", Create.of(at.getMillis()))
        .apply("ListCourses", ParDo.of(new ListCoursesFn(classroom, policy, courses, at,
                courseIds, courseFailures))
            .withOutputTags(courseIds, TupleTagList.of(courseFailures)));
    listed.get(courseIds).setCoder(StringUtf8Coder.of());
    listed.get(courseFailures).setCoder(DeadLetterCoder.of());
    TupleTag<EnrichedChange> changes = new TupleTag<>();
    TupleTag<DeadLetter> listFailures = new TupleTag<>();
    TupleTag<String> readLists = new TupleTag<>();
    PCollectionTuple read = listed.get(courseIds)
        .apply("SpreadCourses", WithKeys.<Integer, String>of(c -> Math.floorMod(c.hashCode(), SHARDS))
            .withKeyType(TypeDescriptors.integers()))
        .apply("BatchCourses", GroupIntoBatches.ofSize(COURSES_PER_BATCH))
        .apply("ListCourseResources", ParDo.of(new ListResourcesFn(classroom, policy, at,
                changes, listFailures, readLists))
            .withOutputTags(changes, TupleTagList.of(listFailures).and(readLists)));
    read.get(changes).setCoder(EnrichedChangeCoder.of());
    read.get(listFailures).setCoder(DeadLetterCoder.of());
    read.get(readLists).setCoder(StringUtf8Coder.of());
    PCollection<DeadLetter> failures = PCollectionList.of(listed.get(courseFailures))
        .and(read.get(listFailures))
        .apply("FlattenFailures", Flatten.pCollections())
        .setCoder(DeadLetterCoder.of());
    return new Result(begin.getPipeline(), read.get(changes), failures, read.get(readLists));
  }

  /** How {@link Result#readLists()} names the list of {@code collection} in {@code course}. */
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
    private final TupleTag<String> courseIds;
    private final TupleTag<DeadLetter> failures;
    private transient Classroom client;

    ListCoursesFn(ClassroomClientConfig classroom, RetryPolicy policy, CourseSelection courses,
        Instant at, TupleTag<String> courseIds, TupleTag<DeadLetter> failures) {
      this.classroom = classroom;
      this.policy = policy;
      this.courses = courses;
      this.at = at;
      this.courseIds = courseIds;
      this.failures = failures;
    }

    @Setup
    public void setup() throws IOException {
      client = classroom.newClient();
    }

    @Teardown
    public void teardown() throws IOException {
      ClassroomClientConfig.release(client);
      client = null;
    }

    @ProcessElement
    public void process(MultiOutputReceiver out) throws InterruptedException {
      try {
        for (String course : courses.resolve(client, policy, classroom.throttle(),
            Sleeper.DEFAULT)) {
          out.get(courseIds).output(course);
        }
      } catch (IOException e) {
        out.get(failures).output(failure(at, "courses", e.getMessage()));
      }
    }
  }

  /** Every list of a batch of courses, read to the end in shared rounds of HTTP batches. */
  static final class ListResourcesFn extends DoFn<KV<Integer, Iterable<String>>, EnrichedChange> {
    private final ClassroomClientConfig classroom;
    private final RetryPolicy policy;
    private final Instant at;
    private final TupleTag<EnrichedChange> changes;
    private final TupleTag<DeadLetter> failures;
    private final TupleTag<String> readLists;
    private final Counter resources = Metrics.counter("chalkstream", "snapshot_resources");
    private final Counter failedLists = Metrics.counter("chalkstream", "snapshot_lists_failed");
    private transient Classroom client;
    private transient PagedLists lists;

    ListResourcesFn(ClassroomClientConfig classroom, RetryPolicy policy, Instant at,
        TupleTag<EnrichedChange> changes, TupleTag<DeadLetter> failures,
        TupleTag<String> readLists) {
      this.classroom = classroom;
      this.policy = policy;
      this.at = at;
      this.changes = changes;
      this.failures = failures;
      this.readLists = readLists;
    }

    @Setup
    public void setup() throws IOException {
      client = classroom.newClient();
      lists = new PagedLists(new BatchedCalls(client, policy, classroom.throttle(),
          BatchedCalls.CounterNames.LISTS, Sleeper.DEFAULT, Clock.systemUTC()));
    }

    @Teardown
    public void teardown() throws IOException {
      ClassroomClientConfig.release(client);
      client = null;
      lists = null;
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
          out.get(failures).output(failure(at,
              listName(key.collection(), key.course()), listing.failure().error()));
          continue;
        }
        for (String item : listing.items()) {
          out.get(changes).output(change(key, item));
          resources.inc();
        }
        out.get(readLists).output(listName(key.collection(), key.course()));
      }
    }

    private static PagedLists.Paged paged(String course, NotificationCollection collection) {
      return switch (collection) {
        case STUDENTS -> new PagedLists.Paged("students", (c, token) ->
            c.courses().students().list(course).setPageSize(PagedLists.PAGE_SIZE)
                .setPageToken(token));
        case TEACHERS -> new PagedLists.Paged("teachers", (c, token) ->
            c.courses().teachers().list(course).setPageSize(PagedLists.PAGE_SIZE)
                .setPageToken(token));
        // Drafts too: a get shows them to the pipeline, so the history has them.
        case COURSE_WORK -> new PagedLists.Paged("courseWork", (c, token) ->
            c.courses().courseWork().list(course).setCourseWorkStates(List.of("PUBLISHED", "DRAFT"))
                .setPageSize(PagedLists.PAGE_SIZE).setPageToken(token));
        // "-": the submissions of all the course's work in one list.
        case SUBMISSIONS -> new PagedLists.Paged("studentSubmissions", (c, token) ->
            c.courses().courseWork().studentSubmissions().list(course, "-")
                .setPageSize(PagedLists.PAGE_SIZE).setPageToken(token));
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
