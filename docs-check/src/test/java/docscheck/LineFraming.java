package docscheck;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;

/** Line framing, the sketch questions.md quotes: one per client, as its key's attachment. */
final class LineFraming {
  // The longest line we take, its \n included: a client that never sends \n cannot make us hold
  // more than this.
  static final int LONGEST_LINE = 4 * 1024;

  // Bytes read from this client that do not end a line yet.
  private final ByteBuffer unframed = ByteBuffer.allocate(LONGEST_LINE);

  /** Reads once; returns the lines this read completed, without \n or \r\n; null at the end. */
  List<String> read(ReadableByteChannel client) throws IOException {
    // What we kept from earlier reads holds no \n: we look for one only in the new bytes.
    int searched = unframed.position();
    if (client.read(unframed) == -1) {
      return null;
    }
    unframed.flip();
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = searched; i < unframed.limit(); i++) {
      if (unframed.get(i) == '\n') {
        int end = i > start && unframed.get(i - 1) == '\r' ? i - 1 : i;
        // We split on bytes and decode only whole lines: a read may end inside a character.
        lines.add(UTF_8.decode(unframed.slice(start, end - start)).toString());
        start = i + 1;
      }
    }
    // Keep the unfinished line, moved to the front, and read after it next time.
    unframed.position(start);
    unframed.compact();
    if (!unframed.hasRemaining()) {
      throw new ProtocolException("a line longer than " + LONGEST_LINE + " bytes");
    }
    return lines;
  }
}
