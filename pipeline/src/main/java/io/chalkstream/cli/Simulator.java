package io.chalkstream.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The built-in Classroom behind the embedded defaults, as the commands see it. The product never
 * imports the simulator: the local jar registers an implementation ({@code
 * io.chalkstream.local.EmbeddedSimulator}) for {@link ServiceLoader}; the Dataflow jar has none.
 */
public interface Simulator {

  /**
   * What to simulate: about {@code notifications} messages, one step every {@code paceMillis};
   * with {@code awaitRegistrations} the activity waits for the run's first renewal pass. The
   * school is read from {@code schoolFile} when it exists and saved there on close (null: a new
   * school each time); {@code dropPercent} of the notifications are withheld.
   */
  record Settings(int notifications, long paceMillis, boolean awaitRegistrations,
      @Nullable Path schoolFile, int dropPercent) {}

  /** A Classroom API over a simulated school, at {@link #rootUrl()}. */
  interface Served extends AutoCloseable {
    String rootUrl();

    /** Stops the server; a school with a file is saved there as it was left. */
    @Override
    void close();
  }

  /** A simulated school with activity that publishes notifications: the stream's defaults. */
  interface Simulation extends Served {
    /** The in-process notification source the pipeline reads. */
    PTransform<PBegin, PCollection<PubsubMessage>> source();

    /** One line for a newcomer: the size of the school and where its API is. */
    String describe();

    long published();

    /** Notifications withheld on purpose ({@code dropPercent}). */
    long withheld();

    /**
     * Whether the activity has ended and {@code read} messages cover all it published: only then
     * may a stopping run cancel without losing a message.
     */
    boolean drainedBy(long read);

    /** Stops the activity early (Ctrl-C): what was published is still processed. */
    void stopActivity();
  }

  /** Starts a school with activity. */
  Simulation start(Settings settings) throws IOException;

  /**
   * Serves the school saved in {@code schoolFile} (a new one, saved there, when absent) without
   * changing it: snapshot and reconcile on embedded defaults.
   */
  Served serve(Path schoolFile) throws IOException;

  /** The simulator of this jar, or an error that says what to give instead. */
  static Simulator load(String command) {
    return ServiceLoader.load(Simulator.class).findFirst().orElseThrow(() ->
        new IllegalArgumentException(command + " on embedded defaults needs the built-in "
            + "simulated school, which this jar (the Dataflow jar) does not carry: give a real "
            + "Classroom and subscription (see --help), or run ./chalkstream from a checkout"));
  }
}
