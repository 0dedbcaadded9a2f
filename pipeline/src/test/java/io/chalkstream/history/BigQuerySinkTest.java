package io.chalkstream.history;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.DeadLetterCoder;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.enrich.EnrichedChange;
import io.chalkstream.enrich.EnrichedChangeCoder;
import io.chalkstream.enrich.EnrichmentStatus;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCollection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** Rows through the real BigQueryIO (Storage Write API) into Beam's fake dataset service. */
public class BigQuerySinkTest {
  private static final AtomicInteger DATASETS = new AtomicInteger();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private FakeDatasetService datasets;
  private FakeBigQueryServices services;
  private String dataset;

  @Before
  public void setUp() throws Exception {
    FakeDatasetService.setUp();
    datasets = new FakeDatasetService();
    services = new FakeBigQueryServices().withDatasetService(datasets)
        .withJobService(new FakeJobService());
    // BigQueryIO caches created tables statically: a fresh dataset per test.
    dataset = "history_" + DATASETS.incrementAndGet() + "_" + System.nanoTime();
    datasets.createDataset("proj-1", dataset, "", "", null);
  }

  private BigQuerySink sink() {
    BigQuerySinkOptions options = PipelineOptionsFactory.as(BigQuerySinkOptions.class);
    options.setBigQueryDataset("proj-1:" + dataset);
    return BigQuerySink.from(options).withTestServices(services);
  }

  static Notification notification(String id, NotificationCollection c, String event,
      String... ids) {
    return new Notification(id, 1_700_000_000_000L, "reg-1", c, event, List.of(ids),
        Map.of("registrationId", "reg-1"), "{\"x\":1}".getBytes(StandardCharsets.UTF_8));
  }

  private void run(List<EnrichedChange> changes, List<DeadLetter> deadLetters) {
    HistoryRows rows = p.apply("Changes", Create.of(changes).withCoder(EnrichedChangeCoder.of()))
        .apply(new TableRows.FromChanges());
    rows = rows.and(Table.DEAD_LETTERS,
        p.apply("DeadLetters", Create.of(deadLetters).withCoder(DeadLetterCoder.of()))
            .apply(new TableRows.FromDeadLetters()));
    rows.apply(sink());
    lastRun = p.run();
    lastRun.waitUntilFinish();
  }

  private org.apache.beam.sdk.PipelineResult lastRun;

  private long counter(String name) {
    long total = 0;
    for (org.apache.beam.sdk.metrics.MetricResult<Long> c : lastRun.metrics().queryMetrics(
        org.apache.beam.sdk.metrics.MetricsFilter.builder().addNameFilter(
            org.apache.beam.sdk.metrics.MetricNameFilter.named("chalkstream", name)).build())
        .getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }

  private List<TableRow> rows(Table t) throws Exception {
    return datasets.getAllRows("proj-1", dataset, t.tableName());
  }

  @Test
  public void writesEveryTableWithExactlyTheColumnsOfSchemas() throws Exception {
    String student = "{\"courseId\":\"c1\",\"userId\":\"u1\",\"profile\":{\"id\":\"u1\","
        + "\"name\":{\"fullName\":\"Siobhán O'Brien\"},\"emailAddress\":\"s@example.edu\"}}";
    String work = "{\"courseId\":\"c1\",\"id\":\"w1\",\"title\":\"Essay 📝\",\"state\":\"PUBLISHED\","
        + "\"workType\":\"ASSIGNMENT\",\"maxPoints\":12.5,\"dueDate\":{\"year\":2026,\"month\":9,"
        + "\"day\":1},\"dueTime\":{},\"creationTime\":\"2026-08-01T10:00:00.123456789Z\","
        + "\"updateTime\":\"2026-08-02T10:00:00Z\"}";
    String submission = "{\"courseId\":\"c1\",\"courseWorkId\":\"w1\",\"id\":\"s1\","
        + "\"userId\":\"u1\",\"state\":\"TURNED_IN\",\"late\":true,\"draftGrade\":9.5,"
        + "\"updateTime\":\"2026-08-03T10:00:00.5Z\"}";
    run(List.of(
        new EnrichedChange(notification("m1", NotificationCollection.STUDENTS, "CREATED", "c1", "u1"),
            EnrichmentStatus.OK, student, 1_700_000_001_000L),
        new EnrichedChange(notification("m2", NotificationCollection.TEACHERS, "DELETED", "c1", "t1"),
            EnrichmentStatus.SKIPPED, null, null),
        new EnrichedChange(notification("m3", NotificationCollection.COURSE_WORK, "CREATED", "c1", "w1"),
            EnrichmentStatus.OK, work, 1_700_000_001_000L),
        new EnrichedChange(notification("m4", NotificationCollection.SUBMISSIONS, "MODIFIED", "c1",
            "w1", "s1"), EnrichmentStatus.OK, submission, 1_700_000_001_000L)),
        List.of(new DeadLetter(1_700_000_002_000L, Stage.PARSE, "payload is not JSON", "m5",
            1_700_000_000_000L, Map.of("registrationId", "r"), new byte[] {(byte) 0xff, 'x'})));

    for (Table t : Table.values()) {
      if (t == Table.REGISTRATIONS || t == Table.RECONCILIATION) {
        continue; // rows of their own commands: the tests below
      }
      com.google.api.services.bigquery.model.Table created = datasets.getTable(
          new TableReference().setProjectId("proj-1").setDatasetId(dataset)
              .setTableId(t.tableName()));
      assertEquals(t.tableName(), t.columnNames(), created.getSchema().getFields().stream()
          .map(f -> f.getName()).toList());
      assertEquals(t.partitionField(), created.getTimePartitioning().getField());
      assertEquals("DAY", created.getTimePartitioning().getType());
      if (t != Table.DEAD_LETTERS) {
        assertEquals(List.of("course_id"), created.getClustering().getFields());
      }
      for (TableRow row : rows(t)) {
        Set<String> unknown = new TreeSet<>(row.keySet());
        unknown.removeAll(t.columnNames());
        assertEquals("columns not in schemas/" + t.tableName() + ".json", Set.of(), unknown);
      }
    }

    List<TableRow> roster = rows(Table.ROSTER_CHANGES);
    assertEquals(2, roster.size());
    TableRow s = roster.stream().filter(r -> r.get("message_id").equals("m1")).findFirst().get();
    assertEquals("Siobhán O'Brien", s.get("full_name"));
    assertEquals("s@example.edu", s.get("email_address"));
    assertEquals("STUDENT", s.get("role"));
    assertEquals("OK", s.get("enrichment_status"));
    assertEquals(student, s.get("resource_json"));
    TableRow t = roster.stream().filter(r -> r.get("message_id").equals("m2")).findFirst().get();
    assertEquals("SKIPPED", t.get("enrichment_status"));
    assertEquals("TEACHER", t.get("role"));
    assertNull(t.get("enriched_at"));

    TableRow w = rows(Table.COURSEWORK_CHANGES).get(0);
    assertEquals("Essay 📝", w.get("title"));
    assertEquals(12.5, Double.parseDouble(String.valueOf(w.get("max_points"))), 0);
    assertThat(String.valueOf(w.get("due_time")), containsString("2026-09-01"));

    TableRow sub = rows(Table.SUBMISSION_CHANGES).get(0);
    assertEquals("true", String.valueOf(sub.get("late")));
    assertEquals(9.5, Double.parseDouble(String.valueOf(sub.get("draft_grade"))), 0);
    assertNull(sub.get("assigned_grade"));

    TableRow dl = rows(Table.DEAD_LETTERS).get(0);
    assertEquals("PARSE", dl.get("stage"));
    assertEquals("{\"registrationId\":\"r\"}", dl.get("attributes_json"));
    assertNull("invalid UTF-8 has no text form", dl.get("payload_string"));
    assertEquals(java.util.Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 'x'}),
        dl.get("payload_bytes"));
  }

  @Test
  public void rowsBigQueryTookAreCountedPerTable() throws Exception {
    run(List.of(
        new EnrichedChange(notification("m1", NotificationCollection.STUDENTS, "DELETED", "c1",
            "u1"), EnrichmentStatus.SKIPPED, null, null),
        new EnrichedChange(notification("m2", NotificationCollection.TEACHERS, "DELETED", "c1",
            "t1"), EnrichmentStatus.SKIPPED, null, null)),
        List.of(new DeadLetter(1L, Stage.PARSE, "not JSON", "m3", 1L, Map.of(), new byte[] {1})));
    assertEquals(2, rows(Table.ROSTER_CHANGES).size());
    assertEquals(2, counter("rows_written_roster_changes"));
    assertEquals(1, counter("rows_written_dead_letters"));
    assertEquals(0, counter("rows_written_submission_changes"));
  }

  @Test
  public void rowsBigQueryRefusesBecomeWriteDeadLetters() throws Exception {
    datasets.setShouldFailRow(
        (java.util.function.Function<TableRow, Boolean> & java.io.Serializable)
            row -> "poison".equals(row.get("message_id")) && row.containsKey("role"));
    List<EnrichedChange> changes = new ArrayList<>();
    for (String id : List.of("ok-1", "poison", "ok-2")) {
      changes.add(new EnrichedChange(notification(id, NotificationCollection.STUDENTS, "DELETED",
          "c1", "u-" + id), EnrichmentStatus.SKIPPED, null, null));
    }
    run(changes, List.of());
    assertEquals(2, rows(Table.ROSTER_CHANGES).size());
    List<TableRow> deadLetters = rows(Table.DEAD_LETTERS);
    assertEquals(1, deadLetters.size());
    assertEquals("WRITE", deadLetters.get(0).get("stage"));
    assertEquals("poison", deadLetters.get(0).get("message_id"));
    assertThat((String) deadLetters.get(0).get("error"),
        containsString("BigQuery refused the row for roster_changes"));
    assertThat((String) deadLetters.get(0).get("payload_string"), containsString("\"poison\""));
  }

  @Test
  public void renewalRowsAloneLandInRegistrations() throws Exception {
    org.apache.beam.sdk.values.Row attempt = org.apache.beam.sdk.values.Row
        .withSchema(Table.REGISTRATIONS.beamSchema())
        .withFieldValue("attempted_at", new org.joda.time.Instant(1_700_000_000_000L))
        .withFieldValue("feed_type", "COURSE_ROSTER_CHANGES")
        .withFieldValue("course_id", "c1")
        .withFieldValue("topic_name", "projects/p/topics/t")
        .withFieldValue("registration_id", "r-1")
        .withFieldValue("expiry_time", new org.joda.time.Instant(1_700_604_800_000L))
        .withFieldValue("status", "OK")
        .build();
    HistoryRows.of(Table.REGISTRATIONS, p.apply(Create.of(attempt)
            .withRowSchema(Table.REGISTRATIONS.beamSchema())))
        .apply(sink());
    p.run().waitUntilFinish();

    List<TableRow> rows = rows(Table.REGISTRATIONS);
    assertEquals(1, rows.size());
    assertEquals("r-1", rows.get(0).get("registration_id"));
    assertEquals("c1", rows.get(0).get("course_id"));
    com.google.api.services.bigquery.model.Table table = datasets.getTable(
        new com.google.api.services.bigquery.model.TableReference().setProjectId("proj-1")
            .setDatasetId(dataset).setTableId("registrations"));
    assertEquals("attempted_at", table.getTimePartitioning().getField());
    assertEquals(List.of("course_id"), table.getClustering().getFields());
  }

  @Test
  public void reconciliationRowsLandInTheirPartitionedTable() throws Exception {
    org.apache.beam.sdk.values.Row difference = org.apache.beam.sdk.values.Row
        .withSchema(Table.RECONCILIATION.beamSchema())
        .withFieldValue("checked_at", new org.joda.time.Instant(1_700_000_000_000L))
        .withFieldValue("course_id", "c1")
        .withFieldValue("collection", "courses.courseWork")
        .withFieldValue("course_work_id", "w1")
        .withFieldValue("kind", "STATE_DIFFERS")
        .withFieldValue("history_value", "state=PUBLISHED; title=Essay")
        .withFieldValue("classroom_value", "state=PUBLISHED; title=Essay (final)")
        .withFieldValue("repaired", false)
        .build();
    HistoryRows.of(Table.RECONCILIATION, p.apply(Create.of(difference)
            .withRowSchema(Table.RECONCILIATION.beamSchema())))
        .apply(sink());
    p.run().waitUntilFinish();

    List<TableRow> rows = rows(Table.RECONCILIATION);
    assertEquals(1, rows.size());
    assertEquals("STATE_DIFFERS", rows.get(0).get("kind"));
    assertEquals("state=PUBLISHED; title=Essay (final)", rows.get(0).get("classroom_value"));
    com.google.api.services.bigquery.model.Table table = datasets.getTable(
        new com.google.api.services.bigquery.model.TableReference().setProjectId("proj-1")
            .setDatasetId(dataset).setTableId("reconciliation"));
    assertEquals(Table.RECONCILIATION.columnNames(), table.getSchema().getFields().stream()
        .map(f -> f.getName()).toList());
    assertEquals("checked_at", table.getTimePartitioning().getField());
    assertEquals(List.of("course_id"), table.getClustering().getFields());
  }

  @Test
  public void refusesABadDatasetSpec() {
    BigQuerySinkOptions options = PipelineOptionsFactory.as(BigQuerySinkOptions.class);
    options.setBigQueryDataset("just-a-dataset");
    try {
      BigQuerySink.from(options);
      throw new AssertionError("expected a configuration error");
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage(), containsString("is not PROJECT:DATASET"));
    }
  }
}
