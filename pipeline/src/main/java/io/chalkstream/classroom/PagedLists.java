package io.chalkstream.classroom;

import com.google.api.client.json.GenericJson;
import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.gson.GsonFactory;
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
 *
 * <p>Items are written by the client library's own JSON generator, as a get's answer is, so an
 * item read from a list is the very string the get of that resource gives.
 */
public final class PagedLists {
  /** The page size asked for: the API grants "30 by default, or fewer" and documents no maximum. */
  public static final int PAGE_SIZE = 1000;
  private static final JsonFactory JSON = GsonFactory.getDefaultInstance();

  /** One page of a list, built from the client and the page token (null for the first). */
  @FunctionalInterface
  public interface Page {
    ClassroomRequest<? extends GenericJson> build(Classroom client, @Nullable String pageToken)
        throws IOException;
  }

  /** A list: its pages, and the field of the answer that holds the items (e.g. students). */
  public record Paged(String itemsField, Page page) {}

  /**
   * Every item of a list as JSON, or why it could not be read to the end (items so far kept), and
   * the pages (calls) it took.
   */
  public record Listing(List<String> items, BatchedCalls.@Nullable Outcome failure, int pages) {
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
    Map<K, Integer> pages = new LinkedHashMap<>();
    lists.keySet().forEach(k -> {
      items.put(k, new ArrayList<>());
      pending.put(k, null);
    });
    while (!pending.isEmpty()) {
      Map<K, BatchedCalls.Call> round = new LinkedHashMap<>();
      pending.forEach((k, token) -> round.put(k, client -> lists.get(k).page().build(client, token)));
      Map<K, @Nullable String> next = new LinkedHashMap<>();
      calls.execute(round).forEach((k, outcome) -> {
        int read = pages.merge(k, 1, Integer::sum);
        if (!outcome.ok()) {
          done.put(k, new Listing(items.get(k), outcome, read));
          return;
        }
        try {
          GenericJson page = JSON.fromString(outcome.json(), GenericJson.class);
          if (page.get(lists.get(k).itemsField()) instanceof List<?> list) {
            for (Object item : list) {
              items.get(k).add(JSON.toString(item));
            }
          }
          Object token = page.get("nextPageToken");
          if (token == null || token.toString().isEmpty()) {
            done.put(k, new Listing(items.get(k), null, read));
          } else {
            next.put(k, token.toString());
          }
        } catch (IOException | IllegalArgumentException e) {
          done.put(k, new Listing(items.get(k), new BatchedCalls.Outcome(200, null,
              "the list answer is not JSON: " + e.getMessage() + " (" + k + ")", false,
              outcome.answeredAtMillis()), read));
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
