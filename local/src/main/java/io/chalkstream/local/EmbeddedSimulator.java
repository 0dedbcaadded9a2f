package io.chalkstream.local;

import io.chalkstream.cli.Simulator;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.EmbeddedNotificationSource;
import io.chalkstream.simulator.LocalSimulation;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/** The simulator module behind the commands' {@link Simulator} (registered for ServiceLoader). */
public final class EmbeddedSimulator implements Simulator {

  @Override
  public Simulation start(Settings s) throws IOException {
    LocalSimulation simulation = LocalSimulation.start(new LocalSimulation.Settings(
        s.notifications(), s.paceMillis(), s.awaitRegistrations(), s.schoolFile(),
        s.dropPercent()));
    return new Simulation() {
      @Override
      public String rootUrl() {
        return simulation.rootUrl();
      }

      @Override
      public PTransform<PBegin, PCollection<PubsubMessage>> source() {
        return Read.from(new EmbeddedNotificationSource(simulation.channel()));
      }

      @Override
      public String describe() {
        return simulation.describe();
      }

      @Override
      public long published() {
        return simulation.published();
      }

      @Override
      public long withheld() {
        return simulation.withheld();
      }

      @Override
      public boolean drainedBy(long read) {
        return simulation.drainedBy(read);
      }

      @Override
      public void stopActivity() {
        simulation.stopActivity();
      }

      @Override
      public void close() {
        simulation.close();
      }
    };
  }

  @Override
  public Served serve(Path schoolFile) throws IOException {
    ClassroomSimulator server = LocalSimulation.serve(schoolFile);
    return new Served() {
      @Override
      public String rootUrl() {
        return server.rootUrl();
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }
}
