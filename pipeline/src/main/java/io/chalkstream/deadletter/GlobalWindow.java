package io.chalkstream.deadletter;

import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;

/**
 * Dead letters come from steps with different windowing (parse: none; enrich and write: the course
 * windows). Flatten needs one windowing strategy, so each stream is put back into the global
 * window with the default trigger before they meet.
 */
public final class GlobalWindow {
  private GlobalWindow() {}

  public static <T> Window<T> of() {
    return Window.<T>into(new GlobalWindows()).triggering(DefaultTrigger.of())
        .discardingFiredPanes();
  }
}
