package io.chalkstream.registration;

import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.Stage;
import io.chalkstream.deadletter.WithDeadLetters;
import io.chalkstream.history.Views;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCoder;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.DelegateCoder;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The FILTER stage: only notifications of registrations this project created flow on; others
 * (and those with no {@code registrationId}) become FILTER dead letters. Classroom's guide warns
 * that anyone who can call the API from the topic's Cloud project could register feeds to it.
 *
 * <p>The known ids are those of {@code registrations} rows with status OK: the ones in the
 * history when the job starts ({@link #EARLIER_RUNS}, read in the pipeline from DuckDB or
 * BigQuery), plus, when the job renews, every pass's (a side input that grows pass by pass).
 * Notifications wait for the earlier runs' ids, and for the job's first pass, rather than being
 * refused.
 */
public final class FilterByRegistration
    extends PTransform<PCollection<Notification>, WithDeadLetters<Notification>> {

  /**
   * The ids earlier runs registered, over the history's tables (prefixed with
   * {@link Views#DATASET}), one per row in column {@code registration_id}.
   */
  public static final String EARLIER_RUNS = "SELECT DISTINCT registration_id FROM "
      + Views.DATASET + "registrations WHERE status = 'OK' AND registration_id IS NOT NULL";

  private final PTransform<PBegin, PCollection<String>> earlierRuns;
  private final @Nullable PCollection<Set<String>> renewals;

  private FilterByRegistration(PTransform<PBegin, PCollection<String>> earlierRuns,
      @Nullable PCollection<Set<String>> renewals) {
    this.earlierRuns = earlierRuns;
    this.renewals = renewals;
  }

  /**
   * Accepts the ids {@code earlierRuns} reads when the job starts: {@link #EARLIER_RUNS} on the
   * history, so that a restart accepts what earlier runs and {@code ./chalkstream renew}
   * registered.
   */
  public static FilterByRegistration knowing(PTransform<PBegin, PCollection<String>> earlierRuns) {
    return new FilterByRegistration(earlierRuns, null);
  }

  /** Also accepts the ids the job's renewal passes register ({@link RenewRegistrations.Result#passes()}). */
  public FilterByRegistration andRenewals(PCollection<Set<String>> passes) {
    return new FilterByRegistration(earlierRuns, passes);
  }

  @Override
  public WithDeadLetters<Notification> expand(PCollection<Notification> notifications) {
    PCollectionView<Set<String>> earlier = notifications.getPipeline()
        .apply("EarlierRegistrations", earlierRuns)
        .apply("AsSets", MapElements.into(new TypeDescriptor<Set<String>>() {})
            .via((String id) -> Set.of(id)))
        .setCoder(SetCoder.of(StringUtf8Coder.of()))
        .apply("EarlierRegistrationIds", Combine.globally(new Union()).asSingletonView());
    PCollectionView<Set<String>> renewed = renewals == null ? null : renewals
        .apply("PassesToGlobalWindow", Window.<Set<String>>into(new GlobalWindows())
            .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
            .accumulatingFiredPanes())
        .apply("KnownRegistrationIds", Combine.globally(new Union()).asSingletonView());
    TupleTag<Notification> accepted = new TupleTag<>();
    TupleTag<DeadLetter> refused = new TupleTag<>();
    ParDo.MultiOutput<Notification, Notification> filter =
        ParDo.of(new FilterFn(earlier, renewed, accepted, refused))
            .withOutputTags(accepted, TupleTagList.of(refused))
            .withSideInputs(earlier);
    if (renewed != null) {
      filter = filter.withSideInputs(renewed);
    }
    PCollectionTuple out = notifications.apply("KeepOwnRegistrations", filter);
    out.get(accepted).setCoder(NotificationCoder.of());
    return WithDeadLetters.of(out, accepted, refused);
  }

  /** Every id of every pass so far; a pass that registered nothing still ends the waiting. */
  static final class Union extends Combine.CombineFn<Set<String>, TreeSet<String>, Set<String>> {
    @Override
    public TreeSet<String> createAccumulator() {
      return new TreeSet<>();
    }

    @Override
    public TreeSet<String> addInput(TreeSet<String> ids, Set<String> pass) {
      ids.addAll(pass);
      return ids;
    }

    @Override
    public TreeSet<String> mergeAccumulators(Iterable<TreeSet<String>> accumulators) {
      TreeSet<String> all = new TreeSet<>();
      accumulators.forEach(all::addAll);
      return all;
    }

    @Override
    public Set<String> extractOutput(TreeSet<String> ids) {
      return ids;
    }

    @Override
    public Coder<TreeSet<String>> getAccumulatorCoder(CoderRegistry registry,
        Coder<Set<String>> input) {
      return DelegateCoder.of(SetCoder.of(StringUtf8Coder.of()), ids -> ids, TreeSet::new);
    }

    @Override
    public Coder<Set<String>> getDefaultOutputCoder(CoderRegistry registry,
        Coder<Set<String>> input) {
      return SetCoder.of(StringUtf8Coder.of());
    }
  }

  static final class FilterFn extends DoFn<Notification, Notification> {
    private final PCollectionView<Set<String>> earlier;
    private final @Nullable PCollectionView<Set<String>> renewed;
    private final TupleTag<Notification> accepted;
    private final TupleTag<DeadLetter> deadLetters;
    private final Counter refused = Metrics.counter("chalkstream", "dead_letters_filter");

    FilterFn(PCollectionView<Set<String>> earlier, @Nullable PCollectionView<Set<String>> renewed,
        TupleTag<Notification> accepted, TupleTag<DeadLetter> deadLetters) {
      this.earlier = earlier;
      this.renewed = renewed;
      this.accepted = accepted;
      this.deadLetters = deadLetters;
    }

    @ProcessElement
    public void process(@Element Notification n, MultiOutputReceiver out, ProcessContext c) {
      String id = n.registrationId();
      if (id != null && (c.sideInput(earlier).contains(id)
          || (renewed != null && c.sideInput(renewed).contains(id)))) {
        out.get(accepted).output(n);
        return;
      }
      refused.inc();
      out.get(deadLetters).output(new DeadLetter(Instant.now().getMillis(), Stage.FILTER,
          id == null
              ? "unknown registration: the message has no registrationId attribute"
              : "unknown registration " + id + ": not created by this project's renewal (see the "
                  + "registrations table); anyone who can call the Classroom API from the "
                  + "topic's project can register feeds to it. Replay it if it is yours",
          n.messageId(), n.publishTimeMillis(), n.attributes(), n.payload()));
    }
  }
}
