package io.chalkstream.simulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Errors and delays a {@link ClassroomSimulator} injects; thread-safe and changeable while it
 * runs. For each call the first matching live path or method rule wins (in the order added);
 * only when none matches do the random rates apply. Paths and method kinds are named as in
 * {@link Counters}. A removed resource needs no fault: it answers 404 by itself.
 */
public final class Faults {

  /**
   * An error answer: an HTTP status in the API's error shape, optionally with a
   * {@code Retry-After} header (seconds) and a message replacing the standard one.
   */
  public record Fault(int status, Integer retryAfterSeconds, String message) {

    /** The status with the API's standard message and no Retry-After. */
    public static Fault of(int status) {
      return new Fault(status, null, null);
    }

    /** This fault with a {@code Retry-After: seconds} header. */
    public Fault retryAfter(int seconds) {
      return new Fault(status, seconds, message);
    }

    /** This fault with its own error message (e.g. {@code @MissingGrant ...}). */
    public Fault message(String text) {
      return new Fault(status, retryAfterSeconds, text);
    }
  }

  /**
   * Failures below the API: the connection is reset with no answer, the answer is cut off
   * half-way, or it comes later than {@link #transportDelayMillis} (past a client's read timeout).
   */
  public enum Transport {
    RESET,
    TRUNCATED,
    TIMEOUT
  }

  private record TransportRate(Transport kind, double probability) {}

  private static final int FOREVER = -1;

  private static final class Rule {
    final String path;
    final String method;
    final Fault fault;
    int remaining; // FOREVER or > 0

    Rule(String path, String method, Fault fault, int remaining) {
      this.path = path;
      this.method = method;
      this.fault = fault;
      this.remaining = remaining;
    }
  }

  private record Rate(Fault fault, double probability) {}

  private final List<Rule> rules = new ArrayList<>();
  private final List<Rate> rates = new ArrayList<>();
  private final List<Rule> batchRules = new ArrayList<>();
  private Random random = new Random(0);
  private volatile long latencyMillis;
  private final List<TransportRate> transportRates = new ArrayList<>();
  private volatile long transportDelayMillis = 2_000;

  /** Every call to {@code path} answers {@code fault}, until {@link #clear()}. */
  public synchronized Faults onPath(String path, Fault fault) {
    rules.add(new Rule(ApiRequest.normalize(path), null, fault, FOREVER));
    return this;
  }

  /** The next {@code times} calls to {@code path} answer {@code fault}; later ones succeed. */
  public synchronized Faults onPath(String path, Fault fault, int times) {
    rules.add(new Rule(ApiRequest.normalize(path), null, fault, positive(times)));
    return this;
  }

  /** Every call of a method kind (e.g. {@code registrations.create}) answers {@code fault}. */
  public synchronized Faults onMethod(String method, Fault fault) {
    rules.add(new Rule(null, method, fault, FOREVER));
    return this;
  }

  /** The next {@code times} calls of a method kind answer {@code fault}; later ones succeed. */
  public synchronized Faults onMethod(String method, Fault fault, int times) {
    rules.add(new Rule(null, method, fault, positive(times)));
    return this;
  }

  /** Restarts the random source behind {@link #rate} from {@code seed}, for reproducible runs. */
  public synchronized Faults seed(long seed) {
    random = new Random(seed);
    return this;
  }

  /**
   * Each call (direct or in a batch) not hit by a rule answers {@code fault} with this
   * probability; rates add up (one draw per call), and their sum may not exceed 1.
   */
  public synchronized Faults rate(Fault fault, double probability) {
    double total = rates.stream().mapToDouble(Rate::probability).sum() + probability;
    if (probability < 0 || total > 1) {
      throw new IllegalArgumentException("fault rates must be >= 0 and add up to at most 1");
    }
    rates.add(new Rate(fault, probability));
    return this;
  }

  /** The next {@code times} {@code POST batch} requests are refused whole with {@code fault}. */
  public synchronized Faults onBatch(Fault fault, int times) {
    batchRules.add(new Rule(null, null, fault, positive(times)));
    return this;
  }

  /**
   * Each HTTP request (a batch counts once) fails below the API with this probability; drawn
   * before any call fault, from the same seeded source.
   */
  public synchronized Faults transportRate(Transport kind, double probability) {
    double total = transportRates.stream().mapToDouble(TransportRate::probability).sum()
        + probability;
    if (probability < 0 || total > 1) {
      throw new IllegalArgumentException("transport rates must be >= 0 and add up to at most 1");
    }
    transportRates.add(new TransportRate(kind, probability));
    return this;
  }

  /** How late a {@link Transport#TIMEOUT} answer comes (default 2 s). */
  public Faults transportDelayMillis(long millis) {
    transportDelayMillis = millis;
    return this;
  }

  long transportDelayMillis() {
    return transportDelayMillis;
  }

  synchronized Optional<Transport> forRequest() {
    if (transportRates.isEmpty()) {
      return Optional.empty();
    }
    double draw = random.nextDouble();
    for (TransportRate rate : transportRates) {
      draw -= rate.probability();
      if (draw < 0) {
        return Optional.of(rate.kind());
      }
    }
    return Optional.empty();
  }

  /** Delays every HTTP request (a batch counts once) by this many milliseconds. */
  public Faults latencyMillis(long millis) {
    latencyMillis = millis;
    return this;
  }

  /** Removes every rule, rate and delay; the random source restarts from seed 0. */
  public synchronized Faults clear() {
    rules.clear();
    rates.clear();
    batchRules.clear();
    transportRates.clear();
    random = new Random(0);
    latencyMillis = 0;
    return this;
  }

  long latencyMillis() {
    return latencyMillis;
  }

  synchronized Optional<Fault> forCall(String path, String method) {
    Optional<Fault> ruled = take(rules, path, method);
    if (ruled.isPresent() || rates.isEmpty()) {
      return ruled;
    }
    double draw = random.nextDouble();
    for (Rate rate : rates) {
      draw -= rate.probability();
      if (draw < 0) {
        return Optional.of(rate.fault());
      }
    }
    return Optional.empty();
  }

  synchronized Optional<Fault> forBatch() {
    return take(batchRules, null, null);
  }

  private static int positive(int times) {
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1");
    }
    return times;
  }

  // Fires the first matching rule, spending one of its times; spent rules are dropped.
  private static Optional<Fault> take(List<Rule> list, String path, String method) {
    for (Iterator<Rule> it = list.iterator(); it.hasNext(); ) {
      Rule rule = it.next();
      boolean matches = (rule.path == null || rule.path.equals(path))
          && (rule.method == null || rule.method.equals(method));
      if (matches) {
        if (rule.remaining > 0 && --rule.remaining == 0) {
          it.remove();
        }
        return Optional.of(rule.fault);
      }
    }
    return Optional.empty();
  }
}
