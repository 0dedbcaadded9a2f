package io.chalkstream.classroom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.json.GenericJson;
import com.google.api.services.classroom.Classroom;
import com.google.api.services.classroom.ClassroomRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * List calls read to their last page through {@link BatchedCalls} (batched, throttled, retried):
 * the first page of every list in one round of batches, then every next page, and so on, so a
 * hundred courses' rosters take as many rounds as the longest roster has pages.
 */
public final class PagedLists {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One page of a list, built from the client and the page token (null for the first). */
  @FunctionalInterface
  public interface Page {
    ClassroomRequest<? extends GenericJson> build(Classroom client, @Nullable String pageToken)
        throws IOException;
  }

  /** A list: its pages, and the field of the answer that holds the items (e.g. students). */
  public record Paged(String itemsField, Page page) {}

  /** Every item of a list as JSON, or why it could not be read to the end (items so far kept). */
  public record Listing(List<String> items, BatchedCalls.@Nullable Outcome failure) {
    public boolean ok() {
      return failure == null;
    }
  }

  private final BatchedCalls calls;

  public PagedLists(BatchedCalls calls) {
    this.calls = calls;
  }

  /** Reads every list to its end; every key gets a listing. */
  public <K> Map<K, Listing> listAll(Map<K, Paged> lists) throws InterruptedException {
    Map<K, List<String>> items = new LinkedHashMap<>();
    Map<K, Listing> done = new LinkedHashMap<>();
    Map<K, @Nullable String> pending = new LinkedHashMap<>();
    lists.keySet().forEach(k -> {
      items.put(k, new ArrayList<>());
      pending.put(k, null);
    });
    while (!pending.isEmpty()) {
      Map<K, BatchedCalls.Call> round = new LinkedHashMap<>();
      pending.forEach((k, token) -> round.put(k, client -> lists.get(k).page().build(client, token)));
      Map<K, @Nullable String> next = new LinkedHashMap<>();
      calls.execute(round).forEach((k, outcome) -> {
        if (!outcome.ok()) {
          done.put(k, new Listing(items.get(k), outcome));
          return;
        }
        try {
          JsonNode page = MAPPER.readTree(outcome.json());
          for (JsonNode item : page.path(lists.get(k).itemsField())) {
            items.get(k).add(MAPPER.writeValueAsString(item));
          }
          String token = page.path("nextPageToken").asText("");
          if (token.isEmpty()) {
            done.put(k, new Listing(items.get(k), null));
          } else {
            next.put(k, token);
          }
        } catch (IOException e) {
          done.put(k, new Listing(items.get(k), new BatchedCalls.Outcome(200, null,
              "the list answer is not JSON: " + e.getMessage() + " (" + k + ")", false,
              outcome.answeredAtMillis())));
        }
      });
      pending.clear();
      pending.putAll(next);
    }
    Map<K, Listing> ordered = new LinkedHashMap<>();
    lists.keySet().forEach(k -> ordered.put(k, done.get(k)));
    return ordered;
  }
}
