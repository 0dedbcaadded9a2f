package io.chalkstream.simulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * One API call as {@link ApiDispatcher} sees it, whether it came as an HTTP request or as a part
 * of a batch request.
 *
 * @param path the resource path without leading slash or query, still percent-encoded
 * @param headers request headers, looked up case-insensitively
 * @param body the body, already decompressed
 */
record ApiRequest(
    String method, String path, Map<String, List<String>> query, Map<String, String> headers, byte[] body) {

  /** A call to {@code uri} (absolute, as in batch parts, or just path and query). */
  static ApiRequest of(String method, URI uri, Map<String, String> headers, byte[] body) {
    return new ApiRequest(
        method, normalize(uri.getRawPath()), formFields(uri.getRawQuery()), headers, decoded(headers, body));
  }

  /** A resource path as counters and faults key it: no leading slash. */
  static String normalize(String path) {
    return path == null ? "" : path.startsWith("/") ? path.substring(1) : path;
  }

  /**
   * The body as sent before {@code Content-Encoding: gzip}; the Java client gzips POST bodies
   * (e.g. {@code registrations.create}).
   */
  static byte[] decoded(Map<String, String> headers, byte[] body) {
    if (!"gzip".equalsIgnoreCase(headers.get("Content-Encoding"))) {
      return body;
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalArgumentException("Body is not valid gzip: " + e.getMessage(), e);
    }
  }

  /** The first value of a query parameter, or null. */
  String param(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Every value of a repeatable query parameter, possibly none. */
  List<String> params(String name) {
    return query.getOrDefault(name, List.of());
  }

  /** Fields of a query string or an {@code application/x-www-form-urlencoded} body. */
  static Map<String, List<String>> formFields(String raw) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        query.computeIfAbsent(name, k -> new ArrayList<>()).add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return query;
  }

  static String decode(String encoded) {
    return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
  }
}
