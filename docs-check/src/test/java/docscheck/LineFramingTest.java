package docscheck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The framing sketch of questions.md does what the page says, whatever the chunks. */
class LineFramingTest {

  @Test
  void twoLinesInOneReadAreTwoLines() throws IOException {
    assertThat(framed("jerome\nhello\n")).containsExactly("jerome", "hello");
  }

  @Test
  void aLineSplitOverReadsInsideACharacterIsOneLineDecodedWhole() throws IOException {
    byte[] line = "你好, world\n".getBytes(UTF_8);
    // 你 is three bytes: the first read ends after its first byte.
    assertThat(framed(Arrays.copyOfRange(line, 0, 1), Arrays.copyOfRange(line, 1, line.length)))
        .containsExactly("你好, world");
  }

  @Test
  void everyByteInAReadOfItsOwnGivesTheSameLines() throws IOException {
    byte[] bytes = "jerome\r\n你好\n\nlast\n".getBytes(UTF_8);
    byte[][] chunks = new byte[bytes.length][];
    for (int i = 0; i < bytes.length; i++) {
      chunks[i] = new byte[] {bytes[i]};
    }
    assertThat(framed(chunks)).containsExactly("jerome", "你好", "", "last");
  }

  @Test
  void crlfEndsALineAsWellAsLfAndACarriageReturnElsewhereStays() throws IOException {
    assertThat(framed("dos\r\nunix\na\rb\n".getBytes(UTF_8)))
        .containsExactly("dos", "unix", "a\rb");
    assertThat(framed("split\r".getBytes(UTF_8), "\n".getBytes(UTF_8))).containsExactly("split");
  }

  @Test
  void anUnfinishedLineWaitsForItsEnd() throws IOException {
    LineFraming framing = new LineFraming();
    Chunks client = new Chunks("no end yet".getBytes(UTF_8), " now\n".getBytes(UTF_8));
    assertThat(framing.read(client)).isEmpty();
    assertThat(framing.read(client)).containsExactly("no end yet now");
    assertThat(framing.read(client)).as("the end of stream").isNull();
  }

  @Test
  void theLongestLineFitsAndOneByteMoreIsRefused() throws IOException {
    byte[] longest = new byte[LineFraming.LONGEST_LINE];
    Arrays.fill(longest, (byte) 'a');
    longest[longest.length - 1] = '\n';
    assertThat(framed(longest, "next\n".getBytes(UTF_8)))
        .extracting(String::length)
        .containsExactly(LineFraming.LONGEST_LINE - 1, 4);

    byte[] tooLong = new byte[LineFraming.LONGEST_LINE + 1];
    Arrays.fill(tooLong, (byte) 'a');
    LineFraming framing = new LineFraming();
    Chunks client = new Chunks(tooLong);
    assertThatThrownBy(() -> framing.read(client))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("longer than");
  }

  private static List<String> framed(String text) throws IOException {
    return framed(text.getBytes(UTF_8));
  }

  // Every line the framing gives for these reads, in order, until the end of stream.
  private static List<String> framed(byte[]... reads) throws IOException {
    LineFraming framing = new LineFraming();
    Chunks client = new Chunks(reads);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i <= reads.length; i++) {
      List<String> more = framing.read(client);
      if (more == null) {
        return lines;
      }
      lines.addAll(more);
    }
    throw new AssertionError("no end of stream after " + reads.length + " reads");
  }

  /** A client whose every read returns the next chunk (or as much of it as fits), then -1. */
  private static final class Chunks implements ReadableByteChannel {
    private final Deque<ByteBuffer> chunks = new ArrayDeque<>();

    Chunks(byte[]... chunks) {
      for (byte[] chunk : chunks) {
        this.chunks.add(ByteBuffer.wrap(chunk));
      }
    }

    @Override
    public int read(ByteBuffer into) {
      ByteBuffer next = chunks.peek();
      if (next == null) {
        return -1;
      }
      int count = Math.min(into.remaining(), next.remaining());
      into.put(next.slice(next.position(), count));
      next.position(next.position() + count);
      if (!next.hasRemaining()) {
        chunks.remove();
      }
      return count;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
