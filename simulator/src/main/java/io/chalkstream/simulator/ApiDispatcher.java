package io.chalkstream.simulator;

import com.google.api.client.json.GenericJson;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.classroom.model.Course;
import com.google.api.services.classroom.model.CourseWork;
import com.google.api.services.classroom.model.Empty;
import com.google.api.services.classroom.model.ListCourseWorkResponse;
import com.google.api.services.classroom.model.ListCoursesResponse;
import com.google.api.services.classroom.model.ListStudentSubmissionsResponse;
import com.google.api.services.classroom.model.ListStudentsResponse;
import com.google.api.services.classroom.model.ListTeachersResponse;
import com.google.api.services.classroom.model.Registration;
import com.google.api.services.classroom.model.StudentSubmission;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Answers single Classroom API calls from a {@link School}: routes by method and path, counts
 * the call, checks it against the {@link Quotas}, applies injected faults, and renders the real
 * API's JSON. Direct HTTP requests and batch parts both come through {@link #dispatch}, so they
 * behave the same.
 */
final class ApiDispatcher {

  private static final Logger LOG = Logger.getLogger(ApiDispatcher.class.getName());

  private interface Handler {
    ApiResponse handle(List<String> params, ApiRequest request);
  }

  // A path template's "*" segments become the handler's params, in order.
  private record Route(String method, String kind, String[] template, Handler handler) {}

  private final School school;
  private final Counters counters;
  private final Faults faults;
  private final List<Route> routes;
  private volatile int defaultPageSize = 30;
  private volatile int maxPageSize = 1000;
  private volatile @Nullable QuotaWindow quota; // null: Quotas.OFF

  ApiDispatcher(School school, Counters counters, Faults faults) {
    this.school = school;
    this.counters = counters;
    this.faults = faults;
    routes = List.of(
        route("GET", "courses.list", "v1/courses", (p, r) -> page(r, courses(r),
            (items, next) -> new ListCoursesResponse().setCourses(items).setNextPageToken(next))),
        route("GET", "courses.get", "v1/courses/*", (p, r) -> found(school.course(p.get(0)))),
        route("GET", "students.list", "v1/courses/*/students", (p, r) -> page(r, school.students(course(p)),
            (items, next) -> new ListStudentsResponse().setStudents(items).setNextPageToken(next))),
        route("GET", "students.get", "v1/courses/*/students/*",
            (p, r) -> found(school.student(p.get(0), p.get(1)))),
        route("GET", "teachers.list", "v1/courses/*/teachers", (p, r) -> page(r, school.teachers(course(p)),
            (items, next) -> new ListTeachersResponse().setTeachers(items).setNextPageToken(next))),
        route("GET", "teachers.get", "v1/courses/*/teachers/*",
            (p, r) -> found(school.teacher(p.get(0), p.get(1)))),
        route("GET", "courseWork.list", "v1/courses/*/courseWork", (p, r) -> page(r, courseWork(p, r),
            (items, next) -> new ListCourseWorkResponse().setCourseWork(items).setNextPageToken(next))),
        route("GET", "courseWork.get", "v1/courses/*/courseWork/*",
            (p, r) -> found(school.courseWork(p.get(0), p.get(1)))),
        route("GET", "studentSubmissions.list", "v1/courses/*/courseWork/*/studentSubmissions",
            (p, r) -> page(r, submissions(p, r), (items, next) ->
                new ListStudentSubmissionsResponse().setStudentSubmissions(items).setNextPageToken(next))),
        route("GET", "studentSubmissions.get", "v1/courses/*/courseWork/*/studentSubmissions/*",
            (p, r) -> found(school.submission(p.get(0), p.get(1), p.get(2)))),
        route("POST", "registrations.create", "v1/registrations",
            (p, r) -> ApiResponse.ok(school.register(parse(r.body(), Registration.class)))),
        route("DELETE", "registrations.delete", "v1/registrations/*",
            (p, r) -> school.unregister(p.get(0)) ? ApiResponse.ok(new Empty()) : ApiResponse.error(404)));
  }

  /** Page size used when a list call gives none, and the most a list call gets. */
  void pageSizes(int defaultSize, int maxSize) {
    if (defaultSize < 1 || maxSize < defaultSize) {
      throw new IllegalArgumentException("need 1 <= default <= max");
    }
    defaultPageSize = defaultSize;
    maxPageSize = maxSize;
  }

  /** From now on calls are held to {@code quotas} on {@code clock}, in windows starting empty. */
  void quotas(Quotas quotas, Clock clock) {
    quota = quotas.limits() ? new QuotaWindow(quotas, clock) : null;
  }

  /** One call made directly: its user is its own {@code Authorization} header. */
  ApiResponse dispatch(ApiRequest request) {
    return dispatch(request, null);
  }

  /**
   * One call; its user is its own {@code Authorization} header, else {@code outerAuthorization}
   * (the batch request's, for a part without one), else {@code anonymous}.
   */
  ApiResponse dispatch(ApiRequest request, @Nullable String outerAuthorization) {
    String[] segments = request.path().split("/", -1);
    Route route = null;
    List<String> params = new ArrayList<>();
    for (Route candidate : routes) {
      if (candidate.method().equals(request.method()) && matches(candidate.template(), segments, params)) {
        route = candidate;
        break;
      }
    }
    String kind = route == null ? "unknown" : route.kind();
    counters.recordCall(kind, request.path());
    QuotaWindow window = quota;
    if (window != null) {
      QuotaWindow.Verdict verdict = window.admit(user(request, outerAuthorization));
      if (verdict != QuotaWindow.Verdict.ADMITTED) {
        counters.recordQuotaRefusal(kind);
        return ApiResponse.quotaExceeded(verdict);
      }
    }
    Optional<Faults.Fault> fault = faults.forCall(request.path(), kind);
    if (fault.isPresent()) {
      return ApiResponse.error(fault.get());
    }
    if (route == null) {
      return ApiResponse.error(404);
    }
    try {
      return route.handler().handle(params, request);
    } catch (IllegalArgumentException e) {
      return ApiResponse.error(400, e.getMessage(), null);
    } catch (NoSuchElementException e) {
      return ApiResponse.error(404);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "test server failed on " + request.method() + " " + request.path(), e);
      return ApiResponse.error(500);
    }
  }

  // The quota's user: whoever the credentials say; a call without any is one shared "anonymous".
  private static String user(ApiRequest request, @Nullable String outerAuthorization) {
    String own = request.headers().get("Authorization");
    String authorization = own != null && !own.isBlank() ? own : outerAuthorization;
    return authorization == null || authorization.isBlank() ? "anonymous" : authorization.trim();
  }

  private static Route route(String method, String kind, String template, Handler handler) {
    return new Route(method, kind, template.split("/"), handler);
  }

  // Fills params with the segments matched by "*", percent-decoded.
  private static boolean matches(String[] template, String[] segments, List<String> params) {
    params.clear();
    if (template.length != segments.length) {
      return false;
    }
    for (int i = 0; i < template.length; i++) {
      if (template[i].equals("*") && !segments[i].isEmpty()) {
        // '+' is literal in a path, unlike in a query.
        params.add(ApiRequest.decode(segments[i].replace("+", "%2B")));
      } else if (!template[i].equals(segments[i])) {
        return false;
      }
    }
    return true;
  }

  private static ApiResponse found(Optional<? extends GenericJson> model) {
    return model.map(ApiResponse::ok).orElseGet(() -> ApiResponse.error(404));
  }

  // The course id of a per-course list call; an unknown course is NOT_FOUND as in the API.
  private String course(List<String> params) {
    return school.course(params.get(0)).orElseThrow().getId();
  }

  private List<Course> courses(ApiRequest request) {
    List<String> states = request.params("courseStates");
    String studentId = request.param("studentId");
    String teacherId = request.param("teacherId");
    return school.courses().stream()
        .filter(c -> states.isEmpty() || states.contains(c.getCourseState()))
        .filter(c -> studentId == null || school.student(c.getId(), studentId).isPresent())
        .filter(c -> teacherId == null || school.teacher(c.getId(), teacherId).isPresent())
        .toList();
  }

  // As in the API, courseWork.list shows only PUBLISHED work unless courseWorkStates says more.
  private List<CourseWork> courseWork(List<String> params, ApiRequest request) {
    List<String> states = request.params("courseWorkStates");
    List<String> wanted = states.isEmpty() ? List.of("PUBLISHED") : states;
    return school.courseWork(course(params)).stream()
        .filter(w -> wanted.contains(w.getState()))
        .toList();
  }

  private List<StudentSubmission> submissions(List<String> params, ApiRequest request) {
    String courseId = course(params);
    String courseWorkId = params.get(1);
    if (!courseWorkId.equals("-")) {
      school.courseWork(courseId, courseWorkId).orElseThrow();
    }
    String userId = request.param("userId");
    List<String> states = request.params("states");
    return school.submissions(courseId, courseWorkId).stream()
        .filter(s -> userId == null || userId.equals(s.getUserId()))
        .filter(s -> states.isEmpty() || states.contains(s.getState()))
        .toList();
  }

  // One page of `all`, with an opaque token for the next page when there is one.
  private <T> ApiResponse page(
      ApiRequest request, List<T> all, BiFunction<List<T>, String, GenericJson> response) {
    int size = pageSize(request.param("pageSize"));
    int offset = offset(request.param("pageToken"));
    if (offset > all.size()) {
      throw new IllegalArgumentException("Invalid page token.");
    }
    int end = Math.min(all.size(), offset + size);
    List<T> items = new ArrayList<>(all.subList(offset, end));
    // The API leaves an empty list out rather than sending [].
    String next = end < all.size() ? token(end) : null;
    return ApiResponse.ok(response.apply(items.isEmpty() ? null : items, next));
  }

  private int pageSize(String requested) {
    int size;
    try {
      size = requested == null ? 0 : Integer.parseInt(requested);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid pageSize.");
    }
    if (size < 0) {
      throw new IllegalArgumentException("pageSize must not be negative.");
    }
    return size == 0 ? defaultPageSize : Math.min(size, maxPageSize);
  }

  private static String token(int offset) {
    byte[] bytes = ("offset:" + offset).getBytes(StandardCharsets.UTF_8);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static int offset(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (decoded.startsWith("offset:")) {
        return Integer.parseUnsignedInt(decoded.substring("offset:".length()));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid page token.", e);
    }
    throw new IllegalArgumentException("Invalid page token.");
  }

  private static <T> T parse(byte[] body, Class<T> type) {
    T parsed;
    try {
      String json = new String(body, StandardCharsets.UTF_8);
      parsed = GsonFactory.getDefaultInstance().fromString(json, type);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Invalid JSON payload received.", e);
    }
    if (parsed == null) {
      throw new IllegalArgumentException("Invalid JSON payload received.");
    }
    return parsed;
  }
}
