package io.chalkstream.cli;

import io.chalkstream.classroom.ClassroomClientConfig;
import io.chalkstream.classroom.ClassroomOptions;
import io.chalkstream.history.BigQuerySinkOptions;
import io.chalkstream.history.HistoryOptions;
import io.chalkstream.history.DuckDbSink;
import io.chalkstream.history.HistoryRows;
import io.chalkstream.history.Table;
import io.chalkstream.history.Warehouse;
import io.chalkstream.privacy.PrivacyOptions;
import io.chalkstream.registration.FilterByRegistration;
import io.chalkstream.registration.RegistrationOptions;
import io.chalkstream.registration.RenewRegistrations;
import io.chalkstream.stream.ChalkstreamOptions;
import io.chalkstream.stream.ProcessNotifications;
import java.io.PrintStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.dataflow.util.DataflowTemplateJob;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.PeriodicImpulse;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.joda.time.Duration;

/**
 * {@code ./chalkstream stream}: builds the streaming pipeline from options and runs it. Locally
 * (DirectRunner) it watches the run, prints progress and stops cleanly; on Dataflow it submits the
 * job and returns.
 */
final class StreamCommand {
  static final List<Class<?>> OWN_OPTIONS =
      List.of(ChalkstreamOptions.class, RegistrationOptions.class, ClassroomOptions.class,
          BigQuerySinkOptions.class, HistoryOptions.class, PrivacyOptions.class);
  /** Embedded runs use short windows so results show within seconds. */
  static final int EMBEDDED_WINDOW_SECONDS = 5;

  /** The topic the embedded run registers its simulated feeds to. */
  static final String EMBEDDED_TOPIC = "projects/chalkstream-local/topics/classroom-notifications";

  private StreamCommand() {}

  static boolean given(String[] args, String option) {
    return Arrays.stream(args).anyMatch(a -> a.equals("--" + option)
        || a.startsWith("--" + option + "="));
  }

  static int run(String[] args, PrintStream out) throws Exception {
    ChalkstreamOptions options = Cli.parse(args, ChalkstreamOptions.class, "stream");
    boolean embedded = options.getSubscription() == null;
    boolean explicit = given(args, "classroomRootUrl");
    if (!embedded && !options.getSubscription().matches("projects/[^/]+/subscriptions/[^/]+")) {
      throw new IllegalArgumentException("--subscription=" + options.getSubscription()
          + " is not projects/PROJECT/subscriptions/SUBSCRIPTION");
    }
    if (embedded && explicit) {
      throw new IllegalArgumentException("--classroomRootUrl needs --subscription: without one the "
          + "built-in activity generator drives the built-in simulator only");
    }
    if (embedded && !given(args, "windowSeconds")) {
      options.setWindowSeconds(EMBEDDED_WINDOW_SECONDS);
    }
    if (embedded && !given(args, "maxCallsPerMinute")) {
      options.setMaxCallsPerMinute(0); // the simulator has no quota to protect
    }
    if (embedded && !given(args, "renewRegistrations")) {
      // A newcomer sees the registrations table filled and the FILTER stage at work.
      options.setRenewRegistrations(true);
    }
    if (embedded && !given(args, "registrationTopic")) {
      options.setRegistrationTopic(EMBEDDED_TOPIC);
    }
    boolean renew = Boolean.TRUE.equals(options.getRenewRegistrations());
    boolean filter = options.getAcceptUnknownRegistrations() == null
        ? renew : !options.getAcceptUnknownRegistrations();
    if (renew && (options.getRenewEverySeconds() == null || options.getRenewEverySeconds() < 60)) {
      throw new IllegalArgumentException("--renewEverySeconds must be at least 60, got "
          + options.getRenewEverySeconds() + "; registrations last 7 days, once a day is plenty");
    }
    boolean local = Cli.isLocal(options);
    Cli.checkRemote(options);
    Warehouse history = Warehouse.of(options, null);
    if (!local && embedded) {
      throw new IllegalArgumentException("--runner=" + options.getRunner().getSimpleName()
          + " needs --subscription: the embedded simulator runs only locally");
    }
    options.as(StreamingOptions.class).setStreaming(true);

    Simulator.Simulation simulation = null;
    try {
      if (embedded) {
        simulation = Simulator.load("stream").start(new Simulator.Settings(
            options.getSimulationMessages(), options.getSimulationPaceMillis(), renew,
            history.isBigQuery() ? null : schoolFile(options),
            options.getSimulationDropPercent()));
        options.setClassroomRootUrl(simulation.rootUrl());
      } else if (local) {
        requireReachable("--classroomRootUrl", options.getClassroomRootUrl());
        requireReachable("--pubsubRootUrl", options.getPubsubRootUrl());
      }
      if (local && options.getBigQueryDataset() == null
          && (embedded || ClassroomClientConfig.isLoopback(options.getPubsubRootUrl()))) {
        Cli.withoutGoogleCredentials(options);
      }
      PTransform<HistoryRows, PDone> sink = history.writer();
      Pipeline pipeline = Pipeline.create(options);
      PCollection<PubsubMessage> messages = embedded
          ? pipeline.apply("ReadEmbeddedNotifications", simulation.source())
          : pipeline.apply("ReadSubscription", PubsubIO.readMessagesWithAttributesAndMessageId()
              .fromSubscription(options.getSubscription()));
      ProcessNotifications process = ProcessNotifications.from(options);
      RenewRegistrations.Result renewals = null;
      if (renew) {
        RenewRegistrations renewal = RenewRegistrations.from(options);
        renewals = pipeline
            .apply("RenewalTicks", PeriodicImpulse.create()
                .withInterval(Duration.standardSeconds(options.getRenewEverySeconds())))
            .apply("RenewRegistrations", renewal);
      }
      if (filter) {
        FilterByRegistration byRegistration = filterKnowing(history);
        process = process.withFilter(
            renewals == null ? byRegistration
                : byRegistration.andRenewals(renewals.passes()));
      }
      HistoryRows rows = messages.apply("ProcessNotifications", process);
      if (renewals != null) {
        rows = rows.and(Table.REGISTRATIONS, renewals.rows());
      }
      rows.apply("WriteHistory", sink);

      if (!local) {
        PipelineResult result = pipeline.run();
        if (result instanceof DataflowTemplateJob) {
          // The flex-template launcher asks for the job graph only; its state is not knowable.
          out.println("job graph written for the template launcher");
        } else {
          out.println("submitted: " + result.getState() + " (see the job in the Dataflow console)");
        }
        return 0;
      }
      options.as(DirectOptions.class).setBlockOnRun(false);
      return runLocally(pipeline, options, simulation, out);
    } finally {
      if (simulation != null) {
        simulation.close();
      }
    }
  }

  /**
   * The FILTER stage, knowing the registrations recorded in the history (DuckDB or BigQuery), so a
   * restart accepts what earlier runs and {@code ./chalkstream renew} registered.
   */
  static FilterByRegistration filterKnowing(Warehouse history) {
    return FilterByRegistration.knowing(history.read(FilterByRegistration.EARLIER_RUNS,
        row -> (String) row.get("registration_id"), StringUtf8Coder.of()));
  }

  private static int runLocally(Pipeline pipeline, ChalkstreamOptions options,
      Simulator.Simulation simulation, PrintStream out) throws Exception {
    out.println(simulation != null
        ? "Streaming a simulated school (" + simulation.describe() + ") into "
            + options.getDuckdbPath() + "; Ctrl-C stops cleanly."
        : "Reading " + options.getSubscription() + "; Ctrl-C stops cleanly.");
    PipelineResult result = pipeline.run();
    LocalRun run = new LocalRun(result, out);
    run.installShutdownHook(() -> {
      if (simulation != null) {
        simulation.stopActivity();
      }
    });
    long idleMillis = options.getStopAfterIdleSeconds() * 1000L;
    IdleStop idleStop = new IdleStop(idleMillis, System::currentTimeMillis);
    try {
      Map<String, Long> last = run.await(() -> {
        Map<String, Long> counters = run.counters();
        long read = counters.getOrDefault("messages_read", 0L);
        if (simulation != null && simulation.drainedBy(read)) {
          return true; // the simulated activity is over and all of it was read
        }
        if (run.stopRequested()) {
          // The embedded channel is the only copy of its messages: read them all first.
          return simulation == null || simulation.drainedBy(read);
        }
        return idleMillis > 0 && idleStop.idle(counters);
      }, Math.max(60_000L, 3L * options.getWindowSeconds() * 1000));
      closeSink(options);
      Summary.print(out, last, options, simulation);
      return 0;
    } finally {
      try {
        closeSink(options);
      } finally {
        // Only now may a Ctrl-C or SIGTERM let the JVM end: the database closed, the summary out.
        run.markFinished();
      }
    }
  }

  private static void closeSink(ChalkstreamOptions options) {
    if (options.getBigQueryDataset() == null) {
      DuckDbSink.closeAll();
    }
  }

  /**
   * Where the embedded school is kept between commands: beside the DuckDB file, so that stream,
   * snapshot and reconcile on embedded defaults all see the same simulated Classroom.
   */
  static java.nio.file.Path schoolFile(ChalkstreamOptions options) {
    return java.nio.file.Path.of(options.getDuckdbPath() + ".school.json");
  }

  /** Fail before starting when an endpoint is plainly unreachable. */
  private static void requireReachable(String option, String rootUrl) {
    URI uri;
    try {
      uri = URI.create(rootUrl);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null) {
      throw new IllegalArgumentException(option + "=" + rootUrl + " is not a URL with a host, "
          + "such as http://127.0.0.1:8085/");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(uri.getHost(), port), 5_000);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(option + "=" + rootUrl + " is unreachable ("
          + e.getMessage() + "); check the URL and that the server is running");
    }
  }
}
