package io.chalkstream.local;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.Classroom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Shared test helpers: the real Classroom client pointed at a test server, and a settable clock. */
final class TestClients {

  private TestClients() {}

  /** The real client as production builds it, with timeouts so a hung server fails fast. */
  static Classroom classroom(ClassroomTestServer server) {
    return new Classroom.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(),
            request -> request.setConnectTimeout(5_000).setReadTimeout(5_000))
        .setRootUrl(server.rootUrl())
        .setApplicationName("test")
        .build();
  }

  /** A clock that stands still until told to move. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
