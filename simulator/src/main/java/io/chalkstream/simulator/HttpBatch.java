package io.chalkstream.simulator;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Google's HTTP batch framing as the Java client's {@code BatchRequest} speaks it: a
 * {@code multipart/mixed} body whose {@code application/http} parts each hold one HTTP request
 * (request line with a full URL, headers, optional body), answered by a {@code multipart/mixed}
 * body with one {@code application/http} response per part, in the same order (the client
 * matches answers by position, not by Content-ID).
 */
final class HttpBatch {

  /** One part of a batch: its Content-ID (may be null) and the call it carries. */
  record Part(String contentId, ApiRequest request) {}

  private static final String CRLF = "\r\n";

  private HttpBatch() {}

  /** The boundary parameter of a {@code multipart/mixed} Content-Type. */
  static String boundary(String contentType) {
    if (contentType == null || !contentType.toLowerCase().startsWith("multipart/mixed")) {
      throw new IllegalArgumentException("A batch request must be multipart/mixed.");
    }
    for (String parameter : contentType.split(";")) {
      String[] pair = parameter.trim().split("=", 2);
      if (pair.length == 2 && pair[0].equalsIgnoreCase("boundary")) {
        return pair[1].replaceAll("^\"|\"$", "");
      }
    }
    throw new IllegalArgumentException("The multipart/mixed Content-Type has no boundary.");
  }

  /** The parts of a batch body, in order. */
  static List<Part> parse(byte[] body, String boundary) {
    // ISO-8859-1 maps bytes to chars one to one, so part bodies come back byte-exact.
    String text = new String(body, StandardCharsets.ISO_8859_1);
    String delimiter = "--" + boundary;
    int at = text.startsWith(delimiter) ? 0 : text.indexOf(CRLF + delimiter);
    if (at < 0) {
      throw new IllegalArgumentException("The batch body has no part.");
    }
    at = text.indexOf(delimiter, at); // past any preamble
    List<Part> parts = new ArrayList<>();
    while (true) {
      at += delimiter.length();
      if (text.startsWith("--", at)) {
        return parts; // close delimiter
      }
      int start = text.indexOf(CRLF, at);
      int end = text.indexOf(CRLF + delimiter, start);
      if (start < 0 || end < 0) {
        throw new IllegalArgumentException("The batch body ends inside a part.");
      }
      parts.add(part(text.substring(start + CRLF.length(), end)));
      at = end + CRLF.length();
    }
  }

  /** The batch response for {@code parts} answered by {@code answers}, position by position. */
  static ApiResponse render(List<Part> parts, List<ApiResponse> answers, String boundary) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      ApiResponse answer = answers.get(i);
      String id = parts.get(i).contentId() == null ? String.valueOf(i + 1) : parts.get(i).contentId();
      out.append("--").append(boundary).append(CRLF)
          .append("Content-Type: application/http").append(CRLF)
          .append("Content-ID: ").append(responseId(id)).append(CRLF)
          .append(CRLF)
          .append("HTTP/1.1 ").append(answer.status()).append(' ').append(answer.reason()).append(CRLF);
      answer.headers().forEach((name, value) -> out.append(name).append(": ").append(value).append(CRLF));
      out.append(CRLF).append(answer.body()).append(CRLF);
    }
    out.append("--").append(boundary).append("--").append(CRLF);
    String contentType = "multipart/mixed; boundary=" + boundary;
    return new ApiResponse(200, Map.of("Content-Type", contentType), out.toString());
  }

  // "1" -> "response-1"; "<item1>" -> "<response-item1>", as Google answers.
  private static String responseId(String id) {
    return id.startsWith("<") && id.endsWith(">")
        ? "<response-" + id.substring(1, id.length() - 1) + ">"
        : "response-" + id;
  }

  private static Part part(String part) {
    int split = part.indexOf(CRLF + CRLF);
    if (split < 0) {
      throw new IllegalArgumentException("A batch part has no HTTP request.");
    }
    Map<String, String> partHeaders = headers(part.substring(0, split));
    String http = part.substring(split + 2 * CRLF.length());
    int headEnd = http.indexOf(CRLF + CRLF);
    String head = headEnd < 0 ? http : http.substring(0, headEnd);
    byte[] body = headEnd < 0 ? new byte[0]
        : http.substring(headEnd + 2 * CRLF.length()).getBytes(StandardCharsets.ISO_8859_1);
    int lineEnd = head.indexOf(CRLF);
    String[] requestLine = (lineEnd < 0 ? head : head.substring(0, lineEnd)).split(" ");
    if (requestLine.length < 2) {
      throw new IllegalArgumentException("A batch part has no request line.");
    }
    Map<String, String> headers = headers(lineEnd < 0 ? "" : head.substring(lineEnd + CRLF.length()));
    URI uri = URI.create(requestLine[1]);
    return new Part(partHeaders.get("Content-ID"), ApiRequest.of(requestLine[0], uri, headers, body));
  }

  // Header lines, case-insensitive by name.
  private static Map<String, String> headers(String lines) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line : lines.split(CRLF)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return headers;
  }
}
