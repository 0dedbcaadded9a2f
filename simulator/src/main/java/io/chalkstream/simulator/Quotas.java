package io.chalkstream.simulator;

/**
 * The API's quotas: at most {@code perUser} calls per user and {@code perProject} calls in total
 * in any window of {@code windowMillis}, as a {@link ClassroomSimulator} enforces them (see
 * {@link ClassroomSimulator#quotas(Quotas)}). A call over either limit is answered 429
 * {@code RESOURCE_EXHAUSTED} with no {@code Retry-After}, as by the real API.
 *
 * <p>The window is an exact moving window: a call admitted at time {@code t} counts against every
 * call made before {@code t + windowMillis} and stops counting at {@code t + windowMillis}. Only
 * admitted calls count; see {@link ClassroomSimulator#quotas(Quotas, java.time.Clock)} for why.
 *
 * @param perUser the most calls one user (one {@code Authorization} header) may make in a window
 * @param perProject the most calls all users together may make in a window
 * @param windowMillis the window's length in milliseconds
 */
public record Quotas(int perUser, int perProject, long windowMillis) {

  /** The real Classroom API's: 1,200 queries per minute per user, 3,000 per project. */
  public static final Quotas CLASSROOM = new Quotas(1200, 3000, 60_000);

  /** No limit: every call is admitted. The default of a new simulator. */
  public static final Quotas OFF = new Quotas(0, 0, 0);

  /** Every value must be positive, except all three zero, which is {@link #OFF}. */
  public Quotas {
    boolean off = perUser == 0 && perProject == 0 && windowMillis == 0;
    if (!off && (perUser < 1 || perProject < 1 || windowMillis < 1)) {
      throw new IllegalArgumentException("quotas need perUser, perProject and windowMillis all"
          + " positive (or use Quotas.OFF), got " + perUser + ", " + perProject + ", "
          + windowMillis);
    }
  }

  /** Whether these quotas limit anything (false for {@link #OFF}). */
  boolean limits() {
    return windowMillis > 0;
  }
}
