package docscheck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.net.ProtocolException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The framing sketch of questions.md does what the page says, whatever the reads return. */
class LineFramingTest {
  @Test
  void linesEndAtLfOrCrlfAndAreDecodedWholeWhereverTheReadsCutThem() throws IOException {
    assertThat(framed(utf8("jerome\nhello\n"))).containsExactly("jerome", "hello");
    assertThat(framed(utf8("dos\r\nunix\na\rb\n"))).containsExactly("dos", "unix", "a\rb");
    assertThat(framed(utf8("split\r"), utf8("\n"))).containsExactly("split");
    byte[] line = utf8("你好, world\n"); // 你 is three bytes: the first read ends after one
    assertThat(framed(Arrays.copyOf(line, 1), Arrays.copyOfRange(line, 1, line.length)))
        .containsExactly("你好, world");
    byte[] bytes = utf8("jerome\r\n你好\n\nlast\n");
    byte[][] oneByteEach = new byte[bytes.length][];
    Arrays.setAll(oneByteEach, i -> new byte[] {bytes[i]});
    assertThat(framed(oneByteEach)).containsExactly("jerome", "你好", "", "last");
  }

  @Test
  void anUnfinishedLineWaitsForItsEndAndTheEndOfStreamIsNull() throws IOException {
    LineFraming framing = new LineFraming();
    ReadableByteChannel client = reads(utf8("no end yet"), utf8(" now\n"));
    assertThat(framing.read(client)).as("the first read").isEmpty();
    assertThat(framing.read(client)).containsExactly("no end yet now");
    assertThat(framing.read(client)).as("the end of stream").isNull();
  }

  @Test
  void theLongestLineFitsAndOneByteMoreIsRefused() throws IOException {
    byte[] longest = utf8("a".repeat(LineFraming.LONGEST_LINE - 1) + "\n");
    assertThat(framed(longest, utf8("next\n")))
        .extracting(String::length)
        .containsExactly(LineFraming.LONGEST_LINE - 1, 4);
    ReadableByteChannel tooLong = reads(utf8("a".repeat(LineFraming.LONGEST_LINE + 1)));
    assertThatThrownBy(() -> new LineFraming().read(tooLong))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("longer than");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }

  // Every line the framing gives for these reads, until the end of stream.
  private static List<String> framed(byte[]... reads) throws IOException {
    LineFraming framing = new LineFraming();
    ReadableByteChannel client = reads(reads);
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

  // A client whose every read returns the next chunk, or as much as fits: a channel over a stream
  // waits once a read, and a sequence of streams has one chunk ready at a time.
  private static ReadableByteChannel reads(byte[]... chunks) {
    List<ByteArrayInputStream> streams =
        Arrays.stream(chunks).map(ByteArrayInputStream::new).toList();
    return Channels.newChannel(new SequenceInputStream(Collections.enumeration(streams)));
  }
}
