package io.chalkstream.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;

/** Runs a command as a user calls it ({@link Main#run}), in process, and keeps what it said. */
public final class RunCommand {
  private RunCommand() {}

  /** The stream's last line: messages read, and of how many published on embedded defaults. */
  public static final Pattern DONE =
      Pattern.compile("(?m)^Done\\. (\\d+) messages read(?: of (\\d+) published)?\\.$");

  public record Result(int exit, String out, String err) {}

  public static Result main(String... args) {
    return main(null, args);
  }

  /** A command run with {@code bigQuery} (Beam's fakes) in place of BigQuery. */
  public static Result main(BigQueryServices bigQuery, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), bigQuery);
    return new Result(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** A loopback port nothing listens on. */
  public static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1,
        InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
      return socket.getLocalPort();
    }
  }
}
