package io.chalkstream.notification;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class NotificationParserTest {
  private static NotificationParser.Result parse(String json, Map<String, String> attributes) {
    return NotificationParser.parse(json.getBytes(StandardCharsets.UTF_8), attributes, "m1", 1000L);
  }

  private static String error(byte[] payload) {
    NotificationParser.Result r = NotificationParser.parse(payload, Map.of(), "m1", 0L);
    assertFalse("expected an error for " + new String(payload, StandardCharsets.UTF_8),
        r.notification().isPresent());
    return r.error().orElseThrow();
  }

  private static String error(String json) {
    return error(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  public void parsesEveryCollectionWithItsIds() {
    Notification s = parse("{\"collection\":\"courses.students\",\"eventType\":\"CREATED\","
        + "\"resourceId\":{\"courseId\":\"12345\",\"userId\":\"45678\"}}",
        Map.of("registrationId", "reg-1")).notification().orElseThrow();
    assertEquals(NotificationCollection.STUDENTS, s.collection());
    assertEquals(List.of("12345", "45678"), s.resourceIds());
    assertEquals("reg-1", s.registrationId());
    assertEquals("m1", s.messageId());
    assertEquals(1000L, s.publishTimeMillis());
    assertEquals("courses/12345/students/45678", s.resourcePath());

    Notification sub = parse("{\"collection\":\"courses.courseWork.studentSubmissions\","
        + "\"eventType\":\"MODIFIED\",\"resourceId\":{\"courseId\":\"1\",\"courseWorkId\":\"2\","
        + "\"id\":\"3\"}}", Map.of()).notification().orElseThrow();
    assertEquals("courses/1/courseWork/2/studentSubmissions/3", sub.resourcePath());
    assertNull("a missing registrationId keeps the message", sub.registrationId());

    assertEquals("courses/9/teachers/8", parse("{\"collection\":\"courses.teachers\","
        + "\"eventType\":\"CREATED\",\"resourceId\":{\"courseId\":\"9\",\"userId\":\"8\"}}",
        Map.of()).notification().orElseThrow().resourcePath());
    assertEquals("courses/9/courseWork/7", parse("{\"collection\":\"courses.courseWork\","
        + "\"eventType\":\"DELETED\",\"resourceId\":{\"courseId\":\"9\",\"id\":\"7\"}}",
        Map.of()).notification().orElseThrow().resourcePath());
  }

  @Test
  public void eventTypeIsAnOpenString() {
    Notification n = parse("{\"collection\":\"courses.students\",\"eventType\":\"SOMETHING_NEW\","
        + "\"resourceId\":{\"courseId\":\"1\",\"userId\":\"2\"}}", Map.of()).notification()
        .orElseThrow();
    assertEquals("SOMETHING_NEW", n.eventType());
    assertFalse(n.isDeletionLike());
    assertTrue(parse("{\"collection\":\"courses.students\",\"eventType\":\"DELETED\","
        + "\"resourceId\":{\"courseId\":\"1\",\"userId\":\"2\"}}", Map.of()).notification()
        .orElseThrow().isDeletionLike());
  }

  @Test
  public void namesEachProblem() {
    assertThat(error(new byte[0]), containsString("empty payload"));
    assertThat(error(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}), containsString("not valid UTF-8"));
    assertThat(error("not json"), containsString("not JSON"));
    assertThat(error("[1,2]"), containsString("not an object (found ARRAY)"));
    assertThat(error("\"text\""), containsString("not an object (found STRING)"));
    assertThat(error("{\"eventType\":\"CREATED\",\"resourceId\":{}}"),
        containsString("'collection' is missing"));
    assertThat(error("{\"collection\":7,\"eventType\":\"CREATED\",\"resourceId\":{}}"),
        containsString("'collection' must be a string, found NUMBER"));
    assertThat(error("{\"collection\":\"courses.students\",\"resourceId\":{}}"),
        containsString("'eventType' is missing"));
    assertThat(error("{\"collection\":\"courses.students\",\"eventType\":[],\"resourceId\":{}}"),
        containsString("'eventType' must be a string, found ARRAY"));
    assertThat(error("{\"collection\":\"courses.students\",\"eventType\":\"CREATED\"}"),
        containsString("'resourceId' is missing"));
    assertThat(error("{\"collection\":\"courses.students\",\"eventType\":\"CREATED\","
        + "\"resourceId\":{\"courseId\":\"1\"}}"),
        containsString("resourceId lacks 'userId', which courses.students requires"));
    assertThat(error("{\"collection\":\"courses.students\",\"eventType\":\"CREATED\","
        + "\"resourceId\":{\"courseId\":1,\"userId\":\"2\"}}"),
        containsString("'resourceId.courseId' must be a string"));
    assertThat(error("{\"collection\":\"courses.announcements\",\"eventType\":\"CREATED\","
        + "\"resourceId\":{}}"), containsString("unknown collection 'courses.announcements'"));
    assertThat(error("{\"collection\":\"courses.students\",\"collection\":\"courses.teachers\"}"),
        containsString("Duplicate field"));
    assertThat(error("{\"collection\":\"courses.students\"} {}"), containsString("not JSON"));
    byte[] huge = new byte[NotificationParser.MAX_PAYLOAD_BYTES + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    assertThat(error(huge), containsString("exceeds the 65536-byte limit"));
  }

  @Test
  public void neverThrowsOnDeepNestingOrNulls() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertThat(error(deep), containsString("not JSON"));
    NotificationParser.Result r = NotificationParser.parse(null, null, "m", 0L);
    assertThat(r.error().orElseThrow(), containsString("empty payload"));
  }
}
