package io.chalkstream.simulator;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.Classroom;

/** Shared test helper: the real Classroom client pointed at a test server. */
final class TestClients {

  private TestClients() {}

  /** The real client as production builds it, with timeouts so a hung server fails fast. */
  static Classroom classroom(ClassroomSimulator server) {
    return new Classroom.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(),
            request -> request.setConnectTimeout(5_000).setReadTimeout(5_000))
        .setRootUrl(server.rootUrl())
        .setApplicationName("test")
        .build();
  }
}
