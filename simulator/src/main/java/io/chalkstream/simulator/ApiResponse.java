package io.chalkstream.simulator;

import com.google.api.client.json.gson.GsonFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An answer to one call, or to a whole HTTP request: status, headers (Content-Type included) and
 * a text body.
 */
record ApiResponse(int status, Map<String, String> headers, String body) {

  static final String JSON = "application/json; charset=UTF-8";

  private static final String SERVICE = "classroom.googleapis.com";
  /** The Cloud project number the simulator's quota errors name as the consumer. */
  static final String PROJECT_NUMBER = "123456789012";

  /** Reason phrase, canonical status name and standard message of an error status. */
  private record Status(String reason, String name, String message) {}

  // Messages as the real API words them.
  private static final Map<Integer, Status> STATUSES = Map.of(
      200, new Status("OK", "OK", ""),
      400, new Status("Bad Request", "INVALID_ARGUMENT", "Request contains an invalid argument."),
      401, new Status("Unauthorized", "UNAUTHENTICATED",
          "Request is missing required authentication credential."),
      403, new Status("Forbidden", "PERMISSION_DENIED", "The caller does not have permission"),
      404, new Status("Not Found", "NOT_FOUND", "Requested entity was not found."),
      409, new Status("Conflict", "ALREADY_EXISTS", "Requested entity already exists"),
      429, new Status("Too Many Requests", "RESOURCE_EXHAUSTED",
          "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service"
              + " 'classroom.googleapis.com'."),
      500, new Status("Internal Server Error", "INTERNAL", "Internal error encountered."),
      503, new Status("Service Unavailable", "UNAVAILABLE", "The service is currently unavailable."),
      504, new Status("Gateway Timeout", "DEADLINE_EXCEEDED", "The request timed out."));
  private static final Status UNKNOWN = new Status("Error", "UNKNOWN", "Unknown error.");

  /** 200 with a Classroom model (or any map) serialized exactly as the API names its fields. */
  static ApiResponse ok(Object model) {
    return new ApiResponse(200, Map.of("Content-Type", JSON), json(model));
  }

  /** The API's error shape with the status's standard message. */
  static ApiResponse error(int status) {
    return error(status, null, null);
  }

  /** The API's error shape for an injected fault. */
  static ApiResponse error(Faults.Fault fault) {
    return error(fault.status(), fault.message(), fault.retryAfterSeconds());
  }

  /**
   * {@code {"error":{"code":404,"message":"...","status":"NOT_FOUND"}}}, with a
   * {@code Retry-After} header when {@code retryAfterSeconds} is not null.
   */
  static ApiResponse error(int status, String message, Integer retryAfterSeconds) {
    return error(status, message, retryAfterSeconds, null);
  }

  /**
   * The API's 429 for a call over {@code limit}: {@code RESOURCE_EXHAUSTED}, the "Quota exceeded
   * for quota metric 'Queries' and limit '...'" message naming the simulator's project number, an
   * {@code ErrorInfo} detail with reason {@code RATE_LIMIT_EXCEEDED}, and no {@code Retry-After}.
   */
  static ApiResponse quotaExceeded(QuotaWindow.Verdict limit) {
    String message = "Quota exceeded for quota metric 'Queries' and limit '" + limit.limitName
        + "' of service '" + SERVICE + "' for consumer 'project_number:" + PROJECT_NUMBER + "'.";
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("quota_metric", SERVICE + "/default");
    metadata.put("quota_limit", limit.limitId);
    metadata.put("service", SERVICE);
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
    info.put("reason", "RATE_LIMIT_EXCEEDED");
    info.put("domain", "googleapis.com");
    info.put("metadata", metadata);
    return error(429, message, null, List.of(info));
  }

  private static ApiResponse error(
      int status, String message, Integer retryAfterSeconds, List<Map<String, Object>> details) {
    Status known = STATUSES.getOrDefault(status, UNKNOWN);
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", status);
    error.put("message", message == null ? known.message() : message);
    error.put("status", known.name());
    if (details != null) {
      error.put("details", details);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", JSON);
    if (retryAfterSeconds != null) {
      headers.put("Retry-After", retryAfterSeconds.toString());
    }
    return new ApiResponse(status, headers, json(Map.of("error", error)));
  }

  /** The HTTP reason phrase, for status lines inside batch responses. */
  String reason() {
    return STATUSES.getOrDefault(status, UNKNOWN).reason();
  }

  private static String json(Object value) {
    try {
      return GsonFactory.getDefaultInstance().toString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
