package io.chalkstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;

/**
 * The Google Cloud CLI's Pub/Sub emulator ({@code platform/pubsub-emulator/bin/cloud-pubsub-emulator}
 * under the SDK root) as a test fixture: started on 127.0.0.1 on a free port, driven through its
 * REST API, and killed with its whole process tree on {@link #close()}.
 *
 * <p>Where the emulator is not installed, {@link #startOrSkip(String)} skips the calling test
 * (JUnit 4 {@link Assume}). The environment variable {@value #BINARY_ENV} names the launcher
 * explicitly; a value that is not an executable file fails the test rather than skipping it,
 * since it is a configuration mistake.
 */
final class PubsubEmulator implements AutoCloseable {
  static final String BINARY_ENV = "PUBSUB_EMULATOR_BIN";
  static final String SKIP_MESSAGE =
      "Pub/Sub emulator not installed (gcloud's platform/pubsub-emulator); skipping";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final int START_ATTEMPTS = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One message to publish: its bytes and attributes. */
  record Message(byte[] data, Map<String, String> attributes) {
    Message {
      data = data.clone();
      attributes = Map.copyOf(attributes);
      if (data.length == 0 && attributes.isEmpty()) {
        // The emulator (like Pub/Sub) refuses the whole publish call with "Some messages are empty".
        throw new IllegalArgumentException("a message needs data or at least one attribute");
      }
    }

    static Message of(String utf8, Map<String, String> attributes) {
      return new Message(utf8.getBytes(StandardCharsets.UTF_8), attributes);
    }
  }

  private final Process process;
  private final int port;
  private final String project;
  private final Path log;
  private final HttpClient http;
  private final Thread shutdownHook;

  private PubsubEmulator(Process process, int port, String project, Path log, HttpClient http) {
    this.process = process;
    this.port = port;
    this.project = project;
    this.log = log;
    this.http = http;
    // A JVM stopped mid-test (e.g. a surefire timeout) must not leave the emulator running.
    this.shutdownHook = new Thread(() -> kill(process), "pubsub-emulator-reaper");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The emulator's launcher: {@value #BINARY_ENV} if set, else found next to {@code gcloud}. */
  static Optional<Path> findBinary() {
    String explicit = System.getenv(BINARY_ENV);
    if (explicit != null && !explicit.isBlank()) {
      Path path = Paths.get(explicit);
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        throw new IllegalStateException(BINARY_ENV + "=" + explicit + " is not an executable file");
      }
      return Optional.of(path);
    }
    return findGcloud().flatMap(gcloud -> {
      // <sdk root>/bin/gcloud, usually reached through a symlink such as /usr/bin/gcloud.
      Path sdkRoot = gcloud.getParent() == null ? null : gcloud.getParent().getParent();
      if (sdkRoot == null) {
        return Optional.empty();
      }
      Path emulator = sdkRoot.resolve("platform/pubsub-emulator/bin/cloud-pubsub-emulator");
      return Files.isRegularFile(emulator) && Files.isExecutable(emulator)
          ? Optional.of(emulator) : Optional.empty();
    });
  }

  /** {@code gcloud} on the PATH, symlinks resolved. */
  private static Optional<Path> findGcloud() {
    String pathVar = System.getenv("PATH");
    if (pathVar == null) {
      return Optional.empty();
    }
    for (String dir : pathVar.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Paths.get(dir, "gcloud");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        try {
          return Optional.of(candidate.toRealPath());
        } catch (IOException e) {
          // a dangling link: keep looking
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Starts the emulator for {@code project}, or skips the calling test where it is not installed.
   * Returns once {@code GET /} answers {@code Ok}.
   */
  static PubsubEmulator startOrSkip(String project) throws IOException, InterruptedException {
    Optional<Path> binary = findBinary();
    Assume.assumeTrue(SKIP_MESSAGE, binary.isPresent());
    return start(binary.get(), project);
  }

  static PubsubEmulator start(Path binary, String project) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    IOException last = null;
    // A free port can be taken between probing and binding; the emulator then exits: try again.
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int port = freePort();
      Path log = Files.createTempFile("pubsub-emulator-", ".log");
      ProcessBuilder builder = new ProcessBuilder(binary.toString(), "--host=127.0.0.1",
          "--port=" + port)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      if (System.getenv("JAVA_HOME") == null) {
        // The launcher script needs a java; lend it the one running the tests.
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      }
      Process process = builder.start();
      PubsubEmulator emulator = new PubsubEmulator(process, port, project, log, http);
      try {
        emulator.awaitReady();
        return emulator;
      } catch (IOException e) {
        last = e;
        emulator.close();
      } catch (InterruptedException | RuntimeException e) {
        emulator.close();
        throw e;
      }
    }
    throw last;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
      return socket.getLocalPort();
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    HttpRequest probe = HttpRequest.newBuilder(URI.create(rootUrl() + "/"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the Pub/Sub emulator exited with " + process.exitValue()
            + " before it was ready on port " + port + "; its log ends:\n" + logTail());
      }
      try {
        HttpResponse<String> answer = http.send(probe, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200 && answer.body().trim().equals("Ok")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the Pub/Sub emulator did not answer Ok on port " + port
        + " within " + STARTUP_TIMEOUT.toSeconds() + " s; its log ends:\n" + logTail());
  }

  /** For Beam's {@code --pubsubRootUrl}, e.g. {@code http://127.0.0.1:PORT}. */
  String rootUrl() {
    return "http://127.0.0.1:" + port;
  }

  String project() {
    return project;
  }

  String topicPath(String topic) {
    return "projects/" + project + "/topics/" + topic;
  }

  String subscriptionPath(String subscription) {
    return "projects/" + project + "/subscriptions/" + subscription;
  }

  /** Creates a topic; returns its path {@code projects/P/topics/T}. */
  String createTopic(String topic) throws IOException, InterruptedException {
    call("PUT", "/v1/" + topicPath(topic), "{}");
    return topicPath(topic);
  }

  /** Creates a pull subscription with a 60 s ack deadline; returns its path. */
  String createSubscription(String subscription, String topic)
      throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode()
        .put("topic", topicPath(topic))
        .put("ackDeadlineSeconds", 60);
    call("PUT", "/v1/" + subscriptionPath(subscription), body.toString());
    return subscriptionPath(subscription);
  }

  /**
   * Publishes {@code messages} in one call (they share a publish time); returns their message ids
   * in the same order.
   */
  List<String> publish(String topic, List<Message> messages)
      throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode array = body.putArray("messages");
    for (Message m : messages) {
      ObjectNode node = array.addObject();
      node.put("data", Base64.getEncoder().encodeToString(m.data()));
      if (!m.attributes().isEmpty()) {
        ObjectNode attributes = node.putObject("attributes");
        m.attributes().forEach(attributes::put);
      }
    }
    JsonNode answer = call("POST", "/v1/" + topicPath(topic) + ":publish", body.toString());
    List<String> ids = new ArrayList<>();
    answer.path("messageIds").forEach(id -> ids.add(id.asText()));
    if (ids.size() != messages.size()) {
      throw new IOException("published " + messages.size() + " messages, got ids " + ids);
    }
    return ids;
  }

  private JsonNode call(String method, String path, String json)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(rootUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
        .build();
    HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() / 100 != 2) {
      throw new IOException(method + " " + path + " answered " + answer.statusCode() + ": "
          + answer.body());
    }
    return answer.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(answer.body());
  }

  private String logTail() {
    try {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      return text.length() <= 4000 ? text : "…" + text.substring(text.length() - 4000);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Stops the emulator and every process it started, then deletes its log. */
  @Override
  public void close() {
    kill(process);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a temp file; nothing more to do
    }
  }

  /** SIGTERM to the tree, then SIGKILL to whatever still runs after {@link #STOP_TIMEOUT}. */
  private static void kill(Process process) {
    // The launcher may be a shell script that starts java as a child: take the tree.
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add);
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    for (ProcessHandle handle : tree) {
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) {
          handle.onExit().get(left, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Exception timedOut) {
        // forced below
      }
    }
    for (ProcessHandle handle : tree) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
      }
    }
    try {
      process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
