package io.chalkstream.simulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The embedded defaults of {@code ./chalkstream stream}: a synthetic school served by the
 * Classroom test server, an activity generator that changes it and publishes the notifications,
 * and the in-process channel the pipeline reads them from.
 */
public final class LocalSimulation implements AutoCloseable {
  private static final long SEED = 20260901L;
  private static final int COURSES = 20;
  private static final int STUDENTS_PER_COURSE = 30;
  private static final int COURSE_WORK_PER_COURSE = 3;

  private final ClassroomSimulator server;
  private final NotificationChannel channel;
  private final ActivityGenerator generator;
  private final Thread activity;
  private final @Nullable Path schoolFile;
  private final long generation;
  private volatile boolean stop;

  /** How long the activity waits for the run's first renewal pass to register the feeds. */
  private static final long REGISTRATION_WAIT_MILLIS = 120_000;

  /**
   * What to simulate: about {@code notifications} messages, one step every {@code paceMillis};
   * with {@code awaitRegistrations} the activity waits for the run's first renewal pass. The
   * school is read from {@code schoolFile} when it exists and saved there on {@link #close()}
   * (null: a new school each time); {@code dropPercent} of the notifications are withheld.
   */
  public record Settings(int notifications, long paceMillis, boolean awaitRegistrations,
      @Nullable Path schoolFile, int dropPercent) {}

  private LocalSimulation(Settings settings) throws IOException {
    Map.Entry<School, Long> school = schoolOf(settings.schoolFile());
    schoolFile = settings.schoolFile();
    generation = school.getValue();
    server = ClassroomSimulator.start(school.getKey());
    channel = NotificationChannel.open("local-simulation");
    // A continued school gets another seed: the same one would draw the same "new" ids again.
    generator = new ActivityGenerator(server, channel, SEED + generation)
        .withholding(settings.dropPercent());
    boolean awaitRegistrations = settings.awaitRegistrations();
    int notifications = settings.notifications();
    long paceMillis = settings.paceMillis();
    activity = new Thread(() -> {
      try {
        // Classroom notifies only registered feeds: let the run's renewal register them first.
        long deadline = System.currentTimeMillis() + REGISTRATION_WAIT_MILLIS;
        // A pass registers its feeds one by one: wait until the count has been steady a while.
        int seen = -1;
        long steadySince = System.currentTimeMillis();
        while (awaitRegistrations && !stop && System.currentTimeMillis() < deadline) {
          int now = server.school().registrations().size();
          if (now != seen) {
            seen = now;
            steadySince = System.currentTimeMillis();
          } else if (now > 0 && System.currentTimeMillis() - steadySince >= 500) {
            break;
          }
          Thread.sleep(50);
        }
        while (!stop && channel.publishedCount() < notifications) {
          generator.step();
          Thread.sleep(paceMillis);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        channel.finish(); // the source drains, the watermark ends, every window flushes
      }
    }, "chalkstream-activity");
    activity.setDaemon(true);
  }

  /** The saved school of {@code file} and its generation; a new synthetic one when absent. */
  private static Map.Entry<School, Long> schoolOf(@Nullable Path file) throws IOException {
    if (file != null && Files.exists(file)) {
      return School.load(file, Clock.systemUTC());
    }
    return Map.entry(School.synthetic(SEED, COURSES, STUDENTS_PER_COURSE, COURSE_WORK_PER_COURSE),
        0L);
  }

  /** Starts the school, the server and the activity. */
  public static LocalSimulation start(Settings settings) throws IOException {
    LocalSimulation simulation = new LocalSimulation(settings);
    simulation.activity.start();
    return simulation;
  }

  /** As {@link #start(Settings)} with a new school and every notification sent. */
  public static LocalSimulation start(int notifications, long paceMillis,
      boolean awaitRegistrations) throws IOException {
    return start(new Settings(notifications, paceMillis, awaitRegistrations, null, 0));
  }

  /**
   * The Classroom test server over the school saved in {@code file} (a new synthetic school,
   * saved there, when absent), for commands that read the simulated school without changing it:
   * snapshot and reconcile on embedded defaults.
   */
  public static ClassroomSimulator serve(Path file) throws IOException {
    Map.Entry<School, Long> school = schoolOf(file);
    if (!Files.exists(file)) {
      school.getKey().save(file, school.getValue());
    }
    return ClassroomSimulator.start(school.getKey());
  }

  /** Notifications withheld on purpose ({@code dropPercent}). */
  public long withheld() {
    return generator.withheld();
  }

  public String rootUrl() {
    return server.rootUrl();
  }

  public NotificationChannel channel() {
    return channel;
  }

  public ClassroomSimulator server() {
    return server;
  }

  public long published() {
    return channel.publishedCount();
  }

  public String describe() {
    return COURSES + " courses, " + COURSES * STUDENTS_PER_COURSE + " students, Classroom API at "
        + server.rootUrl();
  }

  /**
   * Whether the activity has ended and the pipeline has read all it published ({@code read}
   * messages so far): only then may a stopping run cancel without losing a message.
   */
  public boolean drainedBy(long read) {
    return channel.isFinished() && read >= channel.publishedCount();
  }

  /** Stops the activity early (Ctrl-C): what was published is still processed. */
  public void stopActivity() {
    stop = true;
  }

  /**
   * Stops the activity and the server; saves the school (as the activity left it) when it has a
   * file, so the next command continues the same school.
   */
  @Override
  public void close() {
    stop = true;
    try {
      activity.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (schoolFile != null) {
        server.school().save(schoolFile, generation + 1);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot save the simulated school to " + schoolFile
          + "; the next run starts a new school", e);
    } finally {
      server.close();
      channel.close();
    }
  }
}
