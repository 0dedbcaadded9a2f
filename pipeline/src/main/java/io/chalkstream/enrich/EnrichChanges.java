package io.chalkstream.enrich;

import com.google.api.services.classroom.Classroom;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.RetryPolicy;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.deadletter.WithDeadLetters;
import io.chalkstream.notification.Notification;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Enriches each pane of notifications with Classroom calls: a get per resource, or a list of the
 * collection where that is cheaper ({@link ResourceFetcher}). Notifications of the same resource
 * in a pane share one answer (the API returns current state, so one answer serves them all), yet
 * every notification still leaves as its own {@link EnrichedChange}. A change whose call failed is
 * kept with status FAILED, and the failure also leaves as an {@code ENRICH} dead letter.
 */
public final class EnrichChanges
    extends PTransform<PCollection<KV<String, Iterable<Notification>>>,
        WithDeadLetters<EnrichedChange>> {

  private final ClassroomClientConfig client;
  private final RetryPolicy retryPolicy;

  public EnrichChanges(ClassroomClientConfig client, RetryPolicy retryPolicy) {
    this.client = client;
    this.retryPolicy = retryPolicy;
  }

  @Override
  public WithDeadLetters<EnrichedChange> expand(
      PCollection<KV<String, Iterable<Notification>>> panes) {
    TupleTag<EnrichedChange> changes = new TupleTag<>();
    TupleTag<DeadLetter> failed = new TupleTag<>();
    PCollectionTuple out = panes.apply("GetCurrentState",
        ParDo.of(new EnrichPaneFn(client, retryPolicy, changes, failed))
            .withOutputTags(changes, TupleTagList.of(failed)));
    out.get(changes).setCoder(EnrichedChangeCoder.of());
    return WithDeadLetters.of(out, changes, failed);
  }

  static final class EnrichPaneFn extends DoFn<KV<String, Iterable<Notification>>, EnrichedChange> {
    private final ClassroomClientConfig clientConfig;
    private final RetryPolicy retryPolicy;
    private final TupleTag<EnrichedChange> changes;
    private final TupleTag<DeadLetter> failed;
    private final Counter coalesced = Metrics.counter("chalkstream", "get_calls_saved_by_coalescing");
    private final Counter deadLetters = Metrics.counter("chalkstream", "dead_letters_enrich");
    private final Map<EnrichmentStatus, Counter> perStatus = new EnumMap<>(EnrichmentStatus.class);
    private transient Classroom client;
    private transient ResourceFetcher fetcher;

    EnrichPaneFn(ClassroomClientConfig clientConfig, RetryPolicy retryPolicy,
        TupleTag<EnrichedChange> changes, TupleTag<DeadLetter> failed) {
      this.clientConfig = clientConfig;
      this.retryPolicy = retryPolicy;
      this.changes = changes;
      this.failed = failed;
      for (EnrichmentStatus s : EnrichmentStatus.values()) {
        perStatus.put(s, Metrics.counter("chalkstream", "rows_" + s.name().toLowerCase()));
      }
    }

    @Setup
    public void setup() throws Exception {
      client = clientConfig.newClient();
      fetcher = new ResourceFetcher(client, retryPolicy, clientConfig.throttle(),
          clientConfig.courseLists());
    }

    @Teardown
    public void teardown() throws Exception {
      ClassroomClientConfig.release(client);
      client = null;
      fetcher = null;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Notification>> pane, MultiOutputReceiver out)
        throws InterruptedException {
      Map<String, Notification> toFetch = new LinkedHashMap<>();
      int needingCall = 0;
      for (Notification n : pane.getValue()) {
        if (!n.isDeletionLike()) {
          needingCall++;
          toFetch.putIfAbsent(n.resourcePath(), n);
        }
      }
      coalesced.inc(needingCall - toFetch.size());
      Map<String, FetchResult> results = fetcher.fetch(toFetch);
      for (Notification n : pane.getValue()) {
        if (n.isDeletionLike()) {
          emit(out, new EnrichedChange(n, EnrichmentStatus.SKIPPED, null, null));
          continue;
        }
        FetchResult r = results.get(n.resourcePath());
        emit(out, new EnrichedChange(n, r.status(), r.resourceJson(), r.answeredAtMillis()));
        if (r.status() == EnrichmentStatus.FAILED) {
          deadLetters.inc();
          out.get(failed).output(new DeadLetter(r.answeredAtMillis(), Stage.ENRICH,
              "get " + n.resourcePath() + " failed: " + r.error(), n.messageId(),
              n.publishTimeMillis(), n.attributes(), n.payload()));
        }
      }
    }

    private void emit(MultiOutputReceiver out, EnrichedChange change) {
      perStatus.get(change.status()).inc();
      out.get(changes).output(change);
    }
  }
}
