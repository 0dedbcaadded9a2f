package io.chalkstream.registration;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.chalkstream.deadletter.DeadLetter;
import io.chalkstream.deadletter.WithDeadLetters;
import io.chalkstream.notification.Notification;
import io.chalkstream.notification.NotificationCoder;
import io.chalkstream.notification.NotificationCollection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

/** The FILTER stage: ids known at start, ids the job's renewal passes add, and everything else. */
public class FilterByRegistrationTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static Notification from(String messageId, String registrationId) {
    Map<String, String> attributes = new HashMap<>();
    if (registrationId != null) {
      attributes.put("registrationId", registrationId);
    }
    return new Notification(messageId, 1_000L, registrationId, NotificationCollection.STUDENTS,
        "CREATED", List.of("c1", "u1"), attributes, "{}".getBytes());
  }

  @Test
  public void onlyOwnRegistrationsPassAndTheRestAreFilterDeadLetters() {
    PCollection<Notification> in = p.apply("Notifications", Create.of(
        from("m1", "known-at-start"),
        from("m2", "renewed-now"),
        from("m3", "someone-else"),
        from("m4", null),
        from("m5", "renewal-failed")).withCoder(NotificationCoder.of()));
    // Two passes renewing the same registration (the side input may fire after either one, so
    // each must carry it, as each real pass does for a feed still wanted).
    PCollection<Set<String>> renewals = p.apply("Passes", Create.of(
        Set.of("renewed-now"), Set.of("renewed-now", "renewed-too"))
        .withCoder(SetCoder.of(StringUtf8Coder.of())));

    WithDeadLetters<Notification> out = in.apply(FilterByRegistration.knowing(Create.of("known-at-start"))
        .andRenewals(renewals));

    PAssert.that(out.output()
            .apply("AcceptedIds", MapElements.into(TypeDescriptors.strings())
                .via(Notification::messageId)))
        .containsInAnyOrder("m1", "m2");
    PAssert.that(out.deadLetters()).satisfies(letters -> {
      Map<String, String> errors = new java.util.TreeMap<>();
      for (DeadLetter d : letters) {
        assertEquals("FILTER", d.stage().name());
        assertEquals("the original bytes", "{}", new String(d.payload()));
        errors.put(d.messageId(), d.error());
      }
      assertEquals(List.of("m3", "m4", "m5"), new ArrayList<>(errors.keySet()));
      assertTrue(errors.get("m3").startsWith("unknown registration someone-else: not created "
          + "by this project's renewal"));
      assertEquals("unknown registration: the message has no registrationId attribute",
          errors.get("m4"));
      assertTrue(errors.get("m5").startsWith("unknown registration renewal-failed"));
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  public void theKnownSetIsTheUnionOfEveryPass() {
    FilterByRegistration.Union union = new FilterByRegistration.Union();
    java.util.TreeSet<String> acc = union.createAccumulator();
    acc = union.addInput(acc, Set.of("a", "b"));
    acc = union.addInput(acc, Set.of());
    java.util.TreeSet<String> other = union.addInput(union.createAccumulator(), Set.of("c"));
    assertEquals(Set.of("a", "b", "c"),
        union.extractOutput(union.mergeAccumulators(List.of(acc, other))));
  }
}
