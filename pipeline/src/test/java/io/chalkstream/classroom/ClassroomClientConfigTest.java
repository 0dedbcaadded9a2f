package io.chalkstream.classroom;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.chalkstream.enrich.EnrichmentStatus;
import io.chalkstream.enrich.FetchResult;
import io.chalkstream.enrich.ResourceFetcher;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCollection;
import io.chalkstream.simulator.ClassroomSimulator;
import io.chalkstream.simulator.School;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Credentials: which source is used, what reaches the API, and the errors a person reads. */
public class ClassroomClientConfigTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final String REFRESH_TOKEN = "test-refresh-token";
  private static final String ACCESS_TOKEN = "test-access-token";

  private School school;
  private ClassroomSimulator server;
  private String course;

  @Before
  public void setUp() throws Exception {
    school = School.synthetic(3, 1, 5, 1);
    server = ClassroomSimulator.start(school).requireOAuth(REFRESH_TOKEN, ACCESS_TOKEN);
    course = school.courses().get(0).getId();
  }

  @After
  public void tearDown() {
    server.close();
  }

  private ClassroomOptions options() {
    ClassroomOptions options = PipelineOptionsFactory.as(ClassroomOptions.class);
    options.setClassroomRootUrl(server.rootUrl());
    return options;
  }

  private String authorizedUserJson(String refreshToken) throws IOException {
    Path file = tmp.newFile().toPath();
    Files.writeString(file, "{\"type\":\"authorized_user\",\"client_id\":\"id.apps\","
        + "\"client_secret\":\"s\",\"refresh_token\":\"" + refreshToken + "\","
        + "\"token_uri\":\"" + server.tokenUri() + "\"}");
    return file.toString();
  }

  private Map<String, FetchResult> fetchOneStudent(ClassroomClientConfig config) throws Exception {
    String user = school.students(course).get(0).getUserId();
    Notification n = new Notification("m1", 1L, "reg", NotificationCollection.STUDENTS,
        "CREATED", List.of(course, user), Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
    return new ResourceFetcher(config.newClient(), new RetryPolicy(2, 10, 50,
        5_000)).fetch(Map.of(n.resourcePath(), n));
  }

  @Test
  public void anAuthorizedUserFileIsExchangedForATokenThatReachesTheApi() throws Exception {
    ClassroomOptions options = options();
    options.setClassroomCredentialsFile(authorizedUserJson(REFRESH_TOKEN));

    ClassroomClientConfig config = ClassroomClientConfig.forGets(options);
    assertEquals(course, config.newClient().courses().get(course).execute().getId());
    FetchResult batched = fetchOneStudent(config).values().iterator().next();

    assertEquals("batched gets carry the token too", EnrichmentStatus.OK, batched.status());
    assertEquals(2, server.tokensIssued()); // one refresh per client built
  }

  @Test
  public void withoutCredentialsTheServerRefusesAndTheErrorSaysWhatToCheck() throws Exception {
    ClassroomClientConfig none = ClassroomClientConfig.forGets(options());
    assertNull("a loopback endpoint gets no credentials", none.credentials());
    GoogleJsonResponseException direct = assertThrows(GoogleJsonResponseException.class,
        () -> none.newClient().courses().get(course).execute());
    assertEquals(401, direct.getStatusCode());

    FetchResult batched = fetchOneStudent(none).values().iterator().next();
    assertEquals(EnrichmentStatus.FAILED, batched.status());
    assertThat(batched.error(), containsString("HTTP 401"));
    assertThat(batched.error(), containsString("the Classroom API refused the credentials"));
  }

  @Test
  public void aRevokedGrantFailsWithoutLeakingTheToken() throws Exception {
    ClassroomOptions options = options();
    options.setClassroomCredentialsFile(authorizedUserJson("revoked-token"));
    IOException e = assertThrows(IOException.class,
        () -> ClassroomClientConfig.forGets(options).newClient().courses().get(course).execute());
    assertThat(e.getMessage(), containsString("invalid_grant"));
    assertThat(e.getMessage(), not(containsString("revoked-token")));
    assertEquals(0, server.tokensIssued());
  }

  @Test
  public void fileAndSecretTogetherAreRefused() {
    ClassroomOptions options = options();
    options.setClassroomCredentialsFile("/x.json");
    options.setClassroomCredentialsSecret("projects/p/secrets/s/versions/latest");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClassroomClientConfig.forGets(options));
    assertEquals("give either --classroomCredentialsFile or --classroomCredentialsSecret, not both",
        e.getMessage());
  }

  @Test
  public void aMissingOrMalformedFileSaysWhichOption() throws Exception {
    ClassroomOptions options = options();
    options.setClassroomCredentialsFile(tmp.getRoot() + "/absent.json");
    IOException missing = assertThrows(IOException.class,
        () -> ClassroomClientConfig.forGets(options).credentials());
    assertThat(missing.getMessage(), containsString(
        "--classroomCredentialsFile=" + tmp.getRoot() + "/absent.json cannot be read"));

    Path notCredentials = tmp.newFile("notes.json").toPath();
    Files.writeString(notCredentials, "{\"hello\":1}");
    options.setClassroomCredentialsFile(notCredentials.toString());
    IOException malformed = assertThrows(IOException.class,
        () -> ClassroomClientConfig.forGets(options).credentials());
    assertThat(malformed.getMessage(), containsString("is not a Google credentials JSON"));
  }

  @Test
  public void delegationNeedsAServiceAccountKey() throws Exception {
    ClassroomOptions options = options();
    options.setClassroomCredentialsFile(authorizedUserJson(REFRESH_TOKEN));
    options.setClassroomDelegatedUser("admin@school.example");
    IOException e = assertThrows(IOException.class,
        () -> ClassroomClientConfig.forGets(options).credentials());
    assertThat(e.getMessage(), containsString(
        "--classroomDelegatedUser needs a service account key with domain-wide delegation"));
    assertThat(e.getMessage(), containsString("gave UserCredentials"));
  }

  @Test
  public void aServiceAccountKeyActsAsTheDelegatedUserWithOnlyReadOnlyScopes() throws Exception {
    ClassroomOptions options = options();
    options.setClassroomCredentialsFile(serviceAccountKey().toString());
    options.setClassroomDelegatedUser("admin@school.example");
    options.setFetchEmails(false);
    GoogleCredentials credentials = ClassroomClientConfig.forGets(options).credentials();
    ServiceAccountCredentials sa = (ServiceAccountCredentials) credentials;
    assertEquals("admin@school.example", sa.getServiceAccountUser());
    assertEquals(List.of("https://www.googleapis.com/auth/classroom.rosters.readonly",
        "https://www.googleapis.com/auth/classroom.coursework.students.readonly"),
        List.copyOf(sa.getScopes()));
  }

  private Path serviceAccountKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\\n"
        + Base64.getEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
        + "\\n-----END PRIVATE KEY-----\\n";
    Path file = tmp.newFile("sa.json").toPath();
    Files.writeString(file, "{\"type\":\"service_account\",\"project_id\":\"p\","
        + "\"private_key_id\":\"k1\",\"private_key\":\"" + pem + "\","
        + "\"client_email\":\"chalkstream@p.iam.gserviceaccount.com\",\"client_id\":\"1\","
        + "\"token_uri\":\"" + server.tokenUri() + "\"}");
    return file;
  }

  @Test
  public void eachUseAsksForTheReadOnlyScopesItNeedsAndNoMore() {
    String auth = "https://www.googleapis.com/auth/classroom.";
    ClassroomOptions options = options();
    options.as(io.chalkstream.privacy.PrivacyOptions.class)
        .setPiiMode(io.chalkstream.privacy.PiiMode.KEEP);
    assertEquals(List.of(auth + "rosters.readonly", auth + "coursework.students.readonly",
        auth + "profile.emails"), ClassroomClientConfig.forGets(options).scopes());
    assertEquals(List.of(auth + "rosters.readonly", auth + "coursework.students.readonly",
        auth + "profile.emails", auth + "courses.readonly"),
        ClassroomClientConfig.forSnapshots(options).scopes());
    assertEquals(List.of(auth + "push-notifications", auth + "rosters.readonly",
        auth + "coursework.students.readonly", auth + "courses.readonly"),
        ClassroomClientConfig.forRegistrations(options).scopes());

    // Emails are not read when they are not kept; courses are not listed for given ids.
    options.as(io.chalkstream.privacy.PrivacyOptions.class)
        .setPiiMode(io.chalkstream.privacy.PiiMode.HASH);
    options.as(io.chalkstream.registration.RegistrationOptions.class).setCourses("c1,c2");
    assertEquals(List.of(auth + "rosters.readonly", auth + "coursework.students.readonly"),
        ClassroomClientConfig.forSnapshots(options).scopes());
    assertEquals(List.of(auth + "push-notifications", auth + "rosters.readonly",
        auth + "coursework.students.readonly"),
        ClassroomClientConfig.forRegistrations(options).scopes());
  }
}
