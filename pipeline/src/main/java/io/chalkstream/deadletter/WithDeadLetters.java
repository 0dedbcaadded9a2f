package io.chalkstream.deadletter;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What a step with a dead-letter output returns: the elements that went through, and a dead letter
 * for each that did not. The producing transform makes its {@link TupleTag}s per instance (as
 * Beam's {@code rrio} {@code Result} does): two instances of one step in a pipeline never share a
 * tag, so their outputs cannot be mixed up, and callers name outputs by method, not by tag.
 */
public final class WithDeadLetters<T> implements POutput {
  private final Pipeline pipeline;
  private final TupleTag<T> outputTag;
  private final PCollection<T> output;
  private final TupleTag<DeadLetter> deadLetterTag;
  private final PCollection<DeadLetter> deadLetters;

  private WithDeadLetters(Pipeline pipeline, TupleTag<T> outputTag, PCollection<T> output,
      TupleTag<DeadLetter> deadLetterTag, PCollection<DeadLetter> deadLetters) {
    this.pipeline = pipeline;
    this.outputTag = outputTag;
    this.output = output;
    this.deadLetterTag = deadLetterTag;
    this.deadLetters = deadLetters;
  }

  /** The two outputs of a multi-output {@code ParDo}, under the producing instance's tags. */
  public static <T> WithDeadLetters<T> of(PCollectionTuple tuple, TupleTag<T> outputTag,
      TupleTag<DeadLetter> deadLetterTag) {
    return new WithDeadLetters<>(tuple.getPipeline(), outputTag, tuple.get(outputTag),
        deadLetterTag, tuple.get(deadLetterTag).setCoder(DeadLetterCoder.of()));
  }

  /** The elements that went through. */
  public PCollection<T> output() {
    return output;
  }

  /** One dead letter per element that did not go through, with its stage and cause. */
  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(outputTag, output, deadLetterTag, deadLetters);
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input,
      PTransform<?, ?> transform) {}
}
