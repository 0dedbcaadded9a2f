package io.chalkstream.classroom;

import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.ClassroomScopes;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.chalkstream.privacy.PiiMode;
import io.chalkstream.privacy.PrivacyOptions;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.dataflow.options.DataflowPipelineWorkerPoolOptions;
import org.apache.beam.sdk.util.GcpSecret;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Everything needed to build a Classroom client on a worker: serializable, so DoFns carry it and
 * build their client in {@code @Setup}.
 */
public final class ClassroomClientConfig implements Serializable {
  private final String rootUrl;
  private final @Nullable String credentialsFile;
  private final @Nullable String credentialsSecret;
  private final @Nullable String delegatedUser;
  private final List<String> scopes;
  private final int timeoutMillis;
  private final int callsPerMinute;
  private final boolean background;
  private final boolean courseLists;

  private ClassroomClientConfig(String rootUrl, @Nullable String credentialsFile,
      @Nullable String credentialsSecret, @Nullable String delegatedUser, List<String> scopes,
      int timeoutMillis, int callsPerMinute, boolean background, boolean courseLists) {
    this.rootUrl = rootUrl.endsWith("/") ? rootUrl : rootUrl + "/";
    this.credentialsFile = credentialsFile;
    this.credentialsSecret = credentialsSecret;
    this.delegatedUser = delegatedUser;
    this.scopes = List.copyOf(scopes);
    this.timeoutMillis = timeoutMillis;
    this.callsPerMinute = callsPerMinute;
    this.background = background;
    this.courseLists = courseLists;
  }

  /** Read-only scopes for the get calls; emails only when asked for. */
  public static ClassroomClientConfig forGets(ClassroomOptions options) {
    return of(options, readScopes(options), options.getClassroomDelegatedUser(), false);
  }

  /**
   * For snapshots and reconciliation: the list calls of every course's roster, course work and
   * submissions, with the read scopes of the gets, and {@code courses.readonly} when
   * {@code --courses=ALL} lists the courses.
   */
  public static ClassroomClientConfig forSnapshots(ClassroomOptions options) {
    List<String> scopes = readScopes(options);
    if (listsCourses(options)) {
      scopes.add(ClassroomScopes.CLASSROOM_COURSES_READONLY);
    }
    return of(options, scopes, options.getClassroomDelegatedUser(), true);
  }

  private static List<String> readScopes(ClassroomOptions options) {
    List<String> scopes = new ArrayList<>();
    scopes.add(ClassroomScopes.CLASSROOM_ROSTERS_READONLY);
    scopes.add(ClassroomScopes.CLASSROOM_COURSEWORK_STUDENTS_READONLY);
    // Emails only when they are kept: a hashed or dropped address need not be read at all.
    if (Boolean.TRUE.equals(options.getFetchEmails())
        && options.as(PrivacyOptions.class).getPiiMode() == PiiMode.KEEP) {
      scopes.add(ClassroomScopes.CLASSROOM_PROFILE_EMAILS);
    }
    return scopes;
  }

  // courses.list, behind --courses=ALL, needs a scope of its own.
  private static boolean listsCourses(ClassroomOptions options) {
    return "ALL".equals(String.valueOf(options.getCourses()).trim());
  }

  /**
   * For {@code registrations.create}: a user's grant with the push-notifications scope and the
   * feeds' read scopes. Classroom refuses domain-wide delegation for registrations, so a real
   * endpoint needs the grant from a file or a secret.
   */
  public static ClassroomClientConfig forRegistrations(ClassroomOptions options) {
    List<String> scopes = new ArrayList<>(List.of(ClassroomScopes.CLASSROOM_PUSH_NOTIFICATIONS,
        ClassroomScopes.CLASSROOM_ROSTERS_READONLY,
        ClassroomScopes.CLASSROOM_COURSEWORK_STUDENTS_READONLY));
    if (listsCourses(options)) {
      scopes.add(ClassroomScopes.CLASSROOM_COURSES_READONLY);
    }
    ClassroomClientConfig config = of(options, scopes, null, true);
    if (!config.isLoopback() && options.getClassroomCredentialsFile() == null
        && options.getClassroomCredentialsSecret() == null) {
      throw new IllegalArgumentException("renewing registrations needs a user's OAuth grant: give "
          + "--classroomCredentialsFile or --classroomCredentialsSecret (an authorized-user JSON "
          + "with the classroom.push-notifications scope); Classroom refuses domain-wide "
          + "delegation and service accounts here (@MissingGrant)");
    }
    return config;
  }

  private static ClassroomClientConfig of(ClassroomOptions options, List<String> scopes,
      @Nullable String delegatedUser, boolean background) {
    String rootUrl = options.getClassroomRootUrl();
    try {
      URI uri = URI.create(rootUrl);
      if (uri.getScheme() == null || uri.getHost() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new IllegalArgumentException("no http(s) scheme or host");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--classroomRootUrl=" + rootUrl + " is not an http(s) URL, e.g. "
              + "https://classroom.googleapis.com/");
    }
    if (options.getClassroomCredentialsFile() != null
        && options.getClassroomCredentialsSecret() != null) {
      throw new IllegalArgumentException(
          "give either --classroomCredentialsFile or --classroomCredentialsSecret, not both");
    }
    return new ClassroomClientConfig(rootUrl, options.getClassroomCredentialsFile(),
        options.getClassroomCredentialsSecret(), delegatedUser, scopes,
        options.getClassroomTimeoutSeconds() * 1000, callsPerMinutePerWorker(options), background,
        !Boolean.FALSE.equals(options.getCourseLevelFetch()));
  }

  /**
   * The budget of one JVM: the smaller of the per-user and per-project budgets, split evenly among
   * the workers that may call at once. The DirectRunner is one JVM; any other runner may run up
   * to {@code --maxNumWorkers} (autoscaling included), so without it the split is unknown and the
   * launch is refused rather than let every worker spend the whole budget.
   */
  static int callsPerMinutePerWorker(ClassroomOptions options) {
    int user = nonNegative("--maxCallsPerMinute", options.getMaxCallsPerMinute());
    int project = nonNegative("--maxProjectCallsPerMinute", options.getMaxProjectCallsPerMinute());
    if (user == 0) {
      return 0;
    }
    int budget = project == 0 ? user : Math.min(user, project);
    Class<?> runner = options.getRunner();
    if (runner == null || runner.getSimpleName().equals("DirectRunner")) {
      return CallThrottle.checked(budget);
    }
    DataflowPipelineWorkerPoolOptions pool = options.as(DataflowPipelineWorkerPoolOptions.class);
    int workers = pool.getMaxNumWorkers();
    if (workers <= 0 && pool.getAutoscalingAlgorithm()
        == DataflowPipelineWorkerPoolOptions.AutoscalingAlgorithmType.NONE) {
      workers = pool.getNumWorkers();
    }
    if (workers <= 0) {
      throw new IllegalArgumentException("the Classroom call budget (" + budget + " calls a "
          + "minute, --maxCallsPerMinute and --maxProjectCallsPerMinute) is for the whole job, "
          + "but --maxNumWorkers is not set, so autoscaling could start any number of workers, "
          + "each spending the whole budget: set --maxNumWorkers (each worker then gets an equal "
          + "share, e.g. " + budget / 4 + " a minute with 4)");
    }
    int share = budget / workers;
    if (share <= BatchedCalls.MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("--maxNumWorkers=" + workers + " leaves each worker "
          + share + " Classroom calls a minute of the job's " + budget + ", not more than one "
          + "batch (" + BatchedCalls.MAX_BATCH_SIZE + "): lower --maxNumWorkers to at most "
          + (budget - 1) / (BatchedCalls.MAX_BATCH_SIZE + 1) + ", or raise --maxCallsPerMinute");
    }
    return share;
  }

  private static int nonNegative(String option, @Nullable Integer value) {
    int v = value == null ? 0 : value;
    if (v < 0) {
      throw new IllegalArgumentException(option + " must be 0 (off) or positive, got " + v);
    }
    return v;
  }

  /**
   * Whether a pane's changes may be answered from list calls where that costs fewer calls than
   * gets ({@code --courseLevelFetch}).
   */
  public boolean courseLists() {
    return courseLists;
  }

  /** The OAuth scopes asked for: what the grant must hold. */
  List<String> scopes() {
    return scopes;
  }

  /**
   * The JVM-wide budget every client built from this config shares; snapshot, reconcile and
   * renewal calls take it as background work, behind fresh changes.
   */
  public CallThrottle throttle() {
    CallThrottle budget = CallThrottle.perMinute(callsPerMinute);
    return background ? budget.background() : budget;
  }

  public String rootUrl() {
    return rootUrl;
  }

  /** A local endpoint (the built-in test server) takes no credentials. */
  public boolean isLoopback() {
    return isLoopback(rootUrl);
  }

  /** Whether {@code url} names this machine (localhost, 127.x or [::1]); false if no URL. */
  public static boolean isLoopback(String url) {
    try {
      String host = URI.create(url).getHost();
      return host != null
          && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Builds a client whose requests carry credentials and timeouts, and no retry handlers. */
  public Classroom newClient() throws IOException {
    GoogleCredentials credentials = credentials();
    HttpCredentialsAdapter adapter =
        credentials == null ? null : new HttpCredentialsAdapter(credentials);
    HttpRequestInitializer initializer =
        request -> {
          if (adapter != null) {
            adapter.initialize(request); // also refreshes an expired token on 401
          }
          request.setConnectTimeout(timeoutMillis);
          request.setReadTimeout(timeoutMillis);
        };
    return new Classroom.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(),
            initializer)
        .setRootUrl(rootUrl)
        .setApplicationName("chalkstream")
        .build();
  }

  /**
   * Releases a client of {@link #newClient()}, for the {@code @Teardown} that pairs with the
   * {@code @Setup} that built it: its transport's connections go with the DoFn instance.
   */
  public static void release(@Nullable Classroom client) throws IOException {
    if (client != null) {
      client.getRequestFactory().getTransport().shutdown();
    }
  }

  /** The request initializer of a client, for HTTP batch requests built from it. */
  public static HttpRequestInitializer initializerOf(Classroom client) {
    return client.getRequestFactory().getInitializer();
  }

  /**
   * The credentials the get calls carry: a user's grant from a file or a secret, else Application
   * Default Credentials; none for a loopback endpoint. With {@code --classroomDelegatedUser} the
   * credentials must be a service account key, which then acts as that user.
   */
  @Nullable GoogleCredentials credentials() throws IOException {
    GoogleCredentials base;
    String source;
    if (credentialsFile != null) {
      source = "--classroomCredentialsFile=" + credentialsFile;
      try (InputStream in = new FileInputStream(credentialsFile)) {
        base = scoped(GoogleCredentials.fromStream(in));
      } catch (java.io.FileNotFoundException e) {
        throw new IOException(source + " cannot be read: " + e.getMessage(), e);
      } catch (IOException e) {
        throw new IOException(source + " is not a Google credentials JSON (an authorized-user "
            + "grant or a service account key): " + e.getMessage(), e);
      }
    } else if (credentialsSecret != null) {
      source = "--classroomCredentialsSecret";
      byte[] json = new GcpSecret(credentialsSecret).getSecretBytes();
      try {
        base = scoped(GoogleCredentials.fromStream(new ByteArrayInputStream(json)));
      } catch (IOException e) {
        throw new IOException("the secret of --classroomCredentialsSecret is not a Google "
            + "credentials JSON (an authorized-user grant or a service account key): "
            + e.getMessage(), e);
      }
    } else if (isLoopback()) {
      return null;
    } else {
      source = "Application Default Credentials";
      try {
        base = GoogleCredentials.getApplicationDefault().createScoped(scopes);
      } catch (IOException e) {
        throw new IOException("no Classroom credentials: give --classroomCredentialsFile or "
            + "--classroomCredentialsSecret (a user's OAuth grant), or set up Application "
            + "Default Credentials (" + firstLine(e.getMessage()) + ")", e);
      }
    }
    if (delegatedUser == null) {
      return base;
    }
    if (!(base instanceof ServiceAccountCredentials)) {
      throw new IOException("--classroomDelegatedUser needs a service account key with "
          + "domain-wide delegation for the Classroom scopes, but " + source + " gave "
          + base.getClass().getSimpleName() + ". Give the key (GOOGLE_APPLICATION_CREDENTIALS or "
          + "--classroomCredentialsFile), or drop --classroomDelegatedUser to use a user's grant "
          + "as it is.");
    }
    return ((ServiceAccountCredentials) base).createDelegated(delegatedUser);
  }

  private static String firstLine(@Nullable String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  private GoogleCredentials scoped(GoogleCredentials credentials) {
    // Authorized-user credentials carry the scopes granted at consent; others take ours.
    return credentials.createScopedRequired() ? credentials.createScoped(scopes) : credentials;
  }
}
