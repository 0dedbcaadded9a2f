package io.chalkstream.enrich;

import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.ClassroomScopes;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
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

  private ClassroomClientConfig(String rootUrl, @Nullable String credentialsFile,
      @Nullable String credentialsSecret, @Nullable String delegatedUser, List<String> scopes,
      int timeoutMillis) {
    this.rootUrl = rootUrl.endsWith("/") ? rootUrl : rootUrl + "/";
    this.credentialsFile = credentialsFile;
    this.credentialsSecret = credentialsSecret;
    this.delegatedUser = delegatedUser;
    this.scopes = List.copyOf(scopes);
    this.timeoutMillis = timeoutMillis;
  }

  /** Read-only scopes for the get calls; emails only when asked for. */
  public static ClassroomClientConfig forGets(ClassroomOptions options) {
    List<String> scopes = new ArrayList<>();
    scopes.add(ClassroomScopes.CLASSROOM_ROSTERS_READONLY);
    scopes.add(ClassroomScopes.CLASSROOM_COURSEWORK_STUDENTS_READONLY);
    if (Boolean.TRUE.equals(options.getFetchEmails())) {
      scopes.add(ClassroomScopes.CLASSROOM_PROFILE_EMAILS);
    }
    return of(options, scopes);
  }

  public static ClassroomClientConfig of(ClassroomOptions options, List<String> scopes) {
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
        options.getClassroomCredentialsSecret(), options.getClassroomDelegatedUser(), scopes,
        options.getClassroomTimeoutSeconds() * 1000);
  }

  public String rootUrl() {
    return rootUrl;
  }

  /** A local endpoint (the built-in test server) takes no credentials. */
  public boolean isLoopback() {
    String host = URI.create(rootUrl).getHost();
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
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

  /** The request initializer of a client, for HTTP batch requests built from it. */
  public static HttpRequestInitializer initializerOf(Classroom client) {
    return client.getRequestFactory().getInitializer();
  }

  private @Nullable GoogleCredentials credentials() throws IOException {
    if (credentialsFile != null) {
      try (InputStream in = new FileInputStream(credentialsFile)) {
        return scoped(GoogleCredentials.fromStream(in), "--classroomCredentialsFile");
      } catch (java.io.FileNotFoundException e) {
        throw new IOException("--classroomCredentialsFile=" + credentialsFile
            + " cannot be read: " + e.getMessage(), e);
      }
    }
    if (credentialsSecret != null) {
      byte[] json = new GcpSecret(credentialsSecret).getSecretBytes();
      return scoped(GoogleCredentials.fromStream(new ByteArrayInputStream(json)),
          "--classroomCredentialsSecret");
    }
    if (isLoopback()) {
      return null;
    }
    GoogleCredentials adc = GoogleCredentials.getApplicationDefault().createScoped(scopes);
    if (delegatedUser == null) {
      return adc;
    }
    if (!(adc instanceof ServiceAccountCredentials)) {
      throw new IOException("--classroomDelegatedUser needs Application Default Credentials of "
          + "a service account key with domain-wide delegation for the Classroom scopes; found "
          + adc.getClass().getSimpleName() + ". Set GOOGLE_APPLICATION_CREDENTIALS to the key "
          + "file or use --classroomCredentialsFile with a user's grant instead.");
    }
    return ((ServiceAccountCredentials) adc).createDelegated(delegatedUser);
  }

  private GoogleCredentials scoped(GoogleCredentials credentials, String source) {
    // Authorized-user credentials carry the scopes granted at consent; others take ours.
    return credentials.createScopedRequired() ? credentials.createScoped(scopes) : credentials;
  }
}
