package io.chalkstream.simulator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A real HTTP server on 127.0.0.1 that answers the Google Classroom REST API v1 from a
 * {@link School}, in the real API's JSON and error shapes, so the real Classroom Java client
 * works against it unchanged (point it at {@link #rootUrl()}).
 *
 * <p>It serves the get and list calls of courses, students, teachers, course work and student
 * submissions (lists page with {@code pageSize}/{@code pageToken}), {@code registrations.create}
 * and {@code registrations.delete}, and Google's HTTP batch endpoint {@code POST batch} (at most
 * {@value #MAX_BATCH_PARTS} calls). It counts what it receives ({@link #counters()}), enforces the
 * API's per-user and per-project quotas when asked ({@link #quotas(Quotas)}; off by default), and
 * injects errors and delays on demand ({@link #faults()}). With {@link #requireOAuth} it also
 * plays Google's OAuth token endpoint.
 *
 * <p>Each call, direct or a batch part, goes through the same steps: it is counted, checked
 * against the quotas (429 {@code RESOURCE_EXHAUSTED} if over), checked against the injected
 * faults, then answered from the school.
 */
public final class ClassroomSimulator implements AutoCloseable {

  /** The most calls one batch request may carry; more are refused with 400, as by the API. */
  public static final int MAX_BATCH_PARTS = 50;

  private static final Logger LOG = Logger.getLogger(ClassroomSimulator.class.getName());
  private static final int THREADS = 32;

  static {
    // The JDK server writes headers and body in separate packets; without TCP_NODELAY, Nagle
    // plus the client's delayed ACK add ~40 ms to every call. Read once, when the JDK's server
    // configuration loads, so it must be set before the first HttpServer of the JVM.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final School school;
  private final Counters counters = new Counters();
  private final Faults faults = new Faults();
  private final ApiDispatcher api;
  private final AtomicLong batchesAnswered = new AtomicLong();
  private final AtomicLong tokensIssued = new AtomicLong();
  private volatile @Nullable OAuthGrant grant;
  private final ExecutorService executor;
  private final HttpServer http;

  /** Binds a free port on 127.0.0.1 and starts serving {@code school}. */
  public ClassroomSimulator(School school) throws IOException {
    this.school = school;
    this.api = new ApiDispatcher(school, counters, faults);
    this.executor = Executors.newFixedThreadPool(THREADS, runnable -> {
      Thread thread = new Thread(runnable, "classroom-test-server");
      thread.setDaemon(true); // never keeps a JVM alive that forgot to close the server
      return thread;
    });
    InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    this.http = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
    http.createContext("/", this::handle);
    http.setExecutor(executor);
    http.start();
  }

  /** A started server for {@code school}; same as the constructor. */
  public static ClassroomSimulator start(School school) throws IOException {
    return new ClassroomSimulator(school);
  }

  /** The API root to give the client's {@code setRootUrl}, e.g. {@code http://127.0.0.1:PORT/}. */
  public String rootUrl() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
  }

  /** The school the server answers from; changes show in the next answers. */
  public School school() {
    return school;
  }

  /** What the server has received so far. */
  public Counters counters() {
    return counters;
  }

  /** The errors and delays the server injects; changeable while it runs. */
  public Faults faults() {
    return faults;
  }

  /**
   * Sets the page size list calls get when they ask for none (default 30) and the most they get
   * whatever they ask (default 1000). Small values make tests exercise paging.
   */
  public ClassroomSimulator pageSizes(int defaultSize, int maxSize) {
    api.pageSizes(defaultSize, maxSize);
    return this;
  }

  /**
   * From now on every request must carry {@code Authorization: Bearer accessToken} (401
   * UNAUTHENTICATED otherwise, as from the API), and {@code POST token} plays Google's OAuth token
   * endpoint: it exchanges {@code refreshToken} for {@code accessToken}. Proves that credentials
   * built from a user's grant reach the API; see {@link #tokenUri()}.
   */
  public ClassroomSimulator requireOAuth(String refreshToken, String accessToken) {
    grant = new OAuthGrant(refreshToken, accessToken);
    return this;
  }

  /**
   * From now on calls are held to {@code quotas}, measured on the system clock; same as
   * {@link #quotas(Quotas, Clock)} with {@link Clock#systemUTC()}.
   */
  public ClassroomSimulator quotas(Quotas quotas) {
    return quotas(quotas, Clock.systemUTC());
  }

  /**
   * From now on every call (direct or a batch part; the batch request itself is not a query) is
   * held to {@code quotas} on {@code clock}, as the real API holds calls to its 1,200 queries per
   * minute per user and 3,000 per project ({@link Quotas#CLASSROOM}): a call that would make more
   * than {@code perUser} calls of its user, or more than {@code perProject} calls in all, within
   * any {@code windowMillis} is answered 429 {@code RESOURCE_EXHAUSTED} with the API's "Quota
   * exceeded for quota metric 'Queries' and limit 'Queries per minute per user'" (or "'Queries per
   * minute'", for the project) error, an {@code ErrorInfo} detail with reason
   * {@code RATE_LIMIT_EXCEEDED}, and no {@code Retry-After}. In a batch each refused part gets its
   * own 429; the other parts are answered normally. The per-user limit is checked first.
   *
   * <p>The user of a call is its {@code Authorization} header (for a batch part, the part's own,
   * else the batch request's); a call with none is the user {@code anonymous}. The project is the
   * whole server. OAuth {@code POST token} and requests refused with 401 are not calls.
   *
   * <p>Only admitted calls count against the windows; refused ones do not. The API's
   * documentation is silent on this; admitted-only is the usual reading of a quota (a refused
   * query consumed nothing) and the forgiving one: a client that keeps calling while refused is
   * admitted again as soon as the window frees, rather than locked out for as long as it retries.
   * A refused call is still a call the server received: {@link Counters#calls()} counts it, and
   * {@link Counters#quotaRefusals()} counts the refusals. Quotas are checked before injected
   * faults, so a refused call spends no fault rule.
   *
   * <p>Changeable while serving; each change starts with empty windows (calls admitted before no
   * longer count). {@link Quotas#OFF} turns the check off.
   *
   * @param clock the clock the window is measured on, e.g. a test's {@code MutableClock}; a clock
   *     stepping back is taken as standing still
   */
  public ClassroomSimulator quotas(Quotas quotas, Clock clock) {
    api.quotas(Objects.requireNonNull(quotas, "quotas"), Objects.requireNonNull(clock, "clock"));
    return this;
  }

  /** The token endpoint to put as {@code token_uri} in an authorized-user JSON. */
  public String tokenUri() {
    return rootUrl() + "token";
  }

  /** How many access tokens {@code POST token} has handed out. */
  public long tokensIssued() {
    return tokensIssued.get();
  }

  /** Stops serving at once and releases the port and threads. */
  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      counters.recordRequest();
      pause(faults.latencyMillis());
      Optional<Faults.Transport> transport = faults.forRequest();
      if (transport.isPresent() && transport.get() == Faults.Transport.RESET) {
        exchange.getRequestBody().readAllBytes();
        return; // closed with no status line: the client sees the connection end
      }
      if (transport.isPresent() && transport.get() == Faults.Transport.TIMEOUT) {
        pause(faults.transportDelayMillis());
      }
      ApiResponse response;
      try {
        Map<String, String> headers = headers(exchange.getRequestHeaders());
        byte[] body = exchange.getRequestBody().readAllBytes();
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        OAuthGrant oauth = grant;
        if (oauth != null && method.equals("POST") && path.equals("/token")) {
          response = token(oauth,
              new String(ApiRequest.decoded(headers, body), StandardCharsets.UTF_8));
        } else if (oauth != null
            && !("Bearer " + oauth.accessToken()).equals(headers.get("Authorization"))) {
          response = ApiResponse.error(401, "Request had invalid authentication credentials. "
              + "Expected OAuth 2 access token, login cookie or other valid authentication "
              + "credential.", null);
        } else {
          response = method.equals("POST") && path.equals("/batch")
              ? batch(headers, body)
              : api.dispatch(ApiRequest.of(method, exchange.getRequestURI(), headers, body));
        }
      } catch (IllegalArgumentException e) {
        response = ApiResponse.error(400, e.getMessage(), null);
      } catch (RuntimeException e) {
        // HttpServer would swallow it and drop the connection; answer like the API and say why.
        LOG.log(Level.WARNING, "test server failed", e);
        response = ApiResponse.error(500);
      }
      byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
      response.headers().forEach(exchange.getResponseHeaders()::set);
      exchange.sendResponseHeaders(response.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        boolean cut = transport.isPresent() && transport.get() == Faults.Transport.TRUNCATED;
        // Half the promised body, then the connection ends: a premature end of stream.
        out.write(bytes, 0, cut ? bytes.length / 2 : bytes.length);
      }
    }
  }

  // Every part goes through the same dispatcher as a direct call, in order.
  private ApiResponse batch(Map<String, String> headers, byte[] body) {
    String boundary = HttpBatch.boundary(headers.get("Content-Type"));
    List<HttpBatch.Part> parts = HttpBatch.parse(ApiRequest.decoded(headers, body), boundary);
    counters.recordBatch(parts.size());
    Optional<Faults.Fault> fault = faults.forBatch();
    if (fault.isPresent()) {
      return ApiResponse.error(fault.get());
    }
    if (parts.size() > MAX_BATCH_PARTS) {
      return ApiResponse.error(
          400, "A batch request cannot contain more than " + MAX_BATCH_PARTS + " requests.", null);
    }
    String authorization = headers.get("Authorization");
    List<ApiResponse> answers =
        parts.stream().map(part -> api.dispatch(part.request(), authorization)).toList();
    return HttpBatch.render(parts, answers, "batch_" + batchesAnswered.incrementAndGet());
  }

  private record OAuthGrant(String refreshToken, String accessToken) {}

  // The form fields of a refresh-token grant, answered in the token endpoint's own shape.
  private ApiResponse token(OAuthGrant oauth, String form) {
    Map<String, List<String>> fields = ApiRequest.formFields(form);
    if (!List.of("refresh_token").equals(fields.get("grant_type"))
        || !List.of(oauth.refreshToken()).equals(fields.get("refresh_token"))) {
      return new ApiResponse(400, Map.of("Content-Type", ApiResponse.JSON),
          "{\"error\":\"invalid_grant\",\"error_description\":\"Bad Request\"}");
    }
    tokensIssued.incrementAndGet();
    return new ApiResponse(200, Map.of("Content-Type", ApiResponse.JSON),
        "{\"access_token\":\"" + oauth.accessToken()
            + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
  }

  private static Map<String, String> headers(Headers headers) {
    Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> map.put(name, values.isEmpty() ? "" : values.get(0)));
    return map;
  }

  private static void pause(long millis) {
    if (millis > 0) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // shutting down: answer without the delay
      }
    }
  }
}
