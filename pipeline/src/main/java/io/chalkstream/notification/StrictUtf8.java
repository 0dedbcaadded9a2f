package io.chalkstream.notification;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 decoding that refuses bad bytes. Lenient decoding turns them into U+FFFD, which would
 * enrich garbage ids and make a dead letter's text look like a valid payload.
 */
public final class StrictUtf8 {
  private StrictUtf8() {}

  /** A decoding failure, with the offset of the first bad byte. */
  public static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  public static String decode(byte[] bytes) throws Malformed {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in)
          .toString();
    } catch (CharacterCodingException e) {
      throw new Malformed("bad byte sequence at offset " + in.position());
    }
  }
}
