package io.chalkstream.bench;

import com.google.api.client.http.HttpResponseException;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.Classroom;
import io.chalkstream.classroom.BatchedCalls;
import io.chalkstream.classroom.CallThrottle;
import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.GlobalWindow;
import io.chalkstream.deadletter.WithDeadLetters;
import io.chalkstream.enrich.EnrichedChange;
import io.chalkstream.enrich.EnrichedChangeCoder;
import io.chalkstream.enrich.EnrichmentStatus;
import io.chalkstream.enrich.FetchResult;
import io.chalkstream.enrich.ResourceFetcher;
import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import io.chalkstream.history.TableRows;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.ParseNotifications;
import java.io.IOException;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * The baseline the benchmark compares with, kept here only: parse, then one synchronous get per
 * notification as it arrives (no window, no coalescing, no HTTP batch, no retry), then the same
 * rows as production. It takes the same throttle as production, one call at a time.
 */
final class NaiveEnricher extends PTransform<PCollection<PubsubMessage>, HistoryRows> {
  private final ClassroomClientConfig classroom;

  NaiveEnricher(ClassroomClientConfig classroom) {
    this.classroom = classroom;
  }

  @Override
  public HistoryRows expand(PCollection<PubsubMessage> messages) {
    WithDeadLetters<Notification> parsed = messages.apply("Parse", new ParseNotifications());
    HistoryRows rows = parsed.output()
        .apply("GetOneByOne", ParDo.of(new GetFn(classroom)))
        .setCoder(EnrichedChangeCoder.of())
        .apply("ToChangeRows", new TableRows.FromChanges());
    PCollection<DeadLetter> deadLetters = parsed.deadLetters()
        .apply("DeadLettersToGlobalWindow", GlobalWindow.<DeadLetter>of());
    return rows.and(Table.DEAD_LETTERS,
        deadLetters.apply("ToDeadLetterRows", new TableRows.FromDeadLetters()));
  }

  static final class GetFn extends DoFn<Notification, EnrichedChange> {
    private final ClassroomClientConfig config;
    private final Counter calls = Metrics.counter("chalkstream", "get_calls");
    private transient Classroom client;
    private transient CallThrottle throttle;

    GetFn(ClassroomClientConfig config) {
      this.config = config;
    }

    @Setup
    public void setup() throws IOException {
      client = config.newClient();
      throttle = config.throttle();
    }

    @Teardown
    public void teardown() throws IOException {
      ClassroomClientConfig.release(client);
      client = null;
    }

    @ProcessElement
    public void process(@Element Notification n, OutputReceiver<EnrichedChange> out)
        throws InterruptedException {
      if (n.isDeletionLike()) {
        out.output(new EnrichedChange(n, EnrichmentStatus.SKIPPED, null, null));
        return;
      }
      throttle.acquire(1);
      calls.inc();
      BatchedCalls.Outcome outcome;
      try {
        Object answer = ResourceFetcher.get(client, n).execute();
        outcome = new BatchedCalls.Outcome(200, GsonFactory.getDefaultInstance().toString(answer),
            null, false, System.currentTimeMillis());
      } catch (HttpResponseException e) {
        outcome = new BatchedCalls.Outcome(e.getStatusCode(), null, "HTTP " + e.getStatusCode(),
            false, System.currentTimeMillis());
      } catch (IOException e) {
        outcome = new BatchedCalls.Outcome(0, null, e.toString(), false,
            System.currentTimeMillis());
      }
      FetchResult r = ResourceFetcher.result(outcome);
      out.output(new EnrichedChange(n, r.status(), r.resourceJson(), r.answeredAtMillis()));
    }
  }
}
