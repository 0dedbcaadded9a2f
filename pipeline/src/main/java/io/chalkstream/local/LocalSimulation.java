package io.chalkstream.local;

import java.io.IOException;

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

  private final ClassroomTestServer server;
  private final NotificationChannel channel;
  private final Thread activity;
  private volatile boolean stop;

  /** How long the activity waits for the run's first renewal pass to register the feeds. */
  private static final long REGISTRATION_WAIT_MILLIS = 120_000;

  private LocalSimulation(int notifications, long paceMillis, boolean awaitRegistrations)
      throws IOException {
    server = ClassroomTestServer.start(
        School.synthetic(SEED, COURSES, STUDENTS_PER_COURSE, COURSE_WORK_PER_COURSE));
    channel = NotificationChannel.open("local-simulation");
    ActivityGenerator generator = new ActivityGenerator(server, channel, SEED);
    activity = new Thread(() -> {
      try {
        // Classroom notifies only registered feeds: let the run's renewal register them first.
        long deadline = System.currentTimeMillis() + REGISTRATION_WAIT_MILLIS;
        // A pass registers its feeds one by one: wait until the count has been steady a while.
        int seen = 0;
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

  /**
   * Starts the school, the server and the activity: about {@code notifications} messages. With
   * {@code awaitRegistrations} the activity begins once the run has registered feeds (bounded),
   * and notifications carry the id of the feed that covers them.
   */
  public static LocalSimulation start(int notifications, long paceMillis,
      boolean awaitRegistrations) throws IOException {
    LocalSimulation simulation = new LocalSimulation(notifications, paceMillis, awaitRegistrations);
    simulation.activity.start();
    return simulation;
  }

  public String rootUrl() {
    return server.rootUrl();
  }

  public NotificationChannel channel() {
    return channel;
  }

  public ClassroomTestServer server() {
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

  @Override
  public void close() {
    stop = true;
    server.close();
    channel.close();
  }
}
