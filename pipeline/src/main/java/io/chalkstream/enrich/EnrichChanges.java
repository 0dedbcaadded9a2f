package io.chalkstream.enrich;

import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.DeadLetterCoder;
import io.chalkstream.deadletter.Stage;
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
 * Enriches each pane of notifications with Classroom get calls. Notifications of the same resource
 * in a pane share one call (the get returns current state, so one answer serves them all), yet
 * every notification still leaves as its own {@link EnrichedChange}. A change whose call failed is
 * kept with status FAILED, and the failure also leaves as an {@code ENRICH} dead letter.
 */
public final class EnrichChanges
    extends PTransform<PCollection<KV<String, Iterable<Notification>>>, PCollectionTuple> {
  public static final TupleTag<EnrichedChange> CHANGES = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  private final ClassroomClientConfig client;
  private final RetryPolicy retryPolicy;

  public EnrichChanges(ClassroomClientConfig client, RetryPolicy retryPolicy) {
    this.client = client;
    this.retryPolicy = retryPolicy;
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, Iterable<Notification>>> panes) {
    PCollectionTuple out =
        panes.apply("GetCurrentState",
            ParDo.of(new EnrichPaneFn(client, retryPolicy))
                .withOutputTags(CHANGES, TupleTagList.of(DEAD_LETTERS)));
    out.get(CHANGES).setCoder(EnrichedChangeCoder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return out;
  }

  static final class EnrichPaneFn extends DoFn<KV<String, Iterable<Notification>>, EnrichedChange> {
    private final ClassroomClientConfig clientConfig;
    private final RetryPolicy retryPolicy;
    private final Counter coalesced = Metrics.counter("chalkstream", "get_calls_saved_by_coalescing");
    private final Counter deadLetters = Metrics.counter("chalkstream", "dead_letters_enrich");
    private final Map<EnrichmentStatus, Counter> perStatus = new EnumMap<>(EnrichmentStatus.class);
    private transient ResourceFetcher fetcher;

    EnrichPaneFn(ClassroomClientConfig clientConfig, RetryPolicy retryPolicy) {
      this.clientConfig = clientConfig;
      this.retryPolicy = retryPolicy;
      for (EnrichmentStatus s : EnrichmentStatus.values()) {
        perStatus.put(s, Metrics.counter("chalkstream", "rows_" + s.name().toLowerCase()));
      }
    }

    @Setup
    public void setup() throws Exception {
      fetcher = new ResourceFetcher(clientConfig.newClient(), retryPolicy, clientConfig.throttle());
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
          out.get(DEAD_LETTERS).output(new DeadLetter(r.answeredAtMillis(), Stage.ENRICH,
              "get " + n.resourcePath() + " failed: " + r.error(), n.messageId(),
              n.publishTimeMillis(), n.attributes(), n.payload()));
        }
      }
    }

    private void emit(MultiOutputReceiver out, EnrichedChange change) {
      perStatus.get(change.status()).inc();
      out.get(CHANGES).output(change);
    }
  }
}
