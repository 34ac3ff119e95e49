package docscheck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The framing sketch of questions.md does what the page says, whatever the reads return. */
class LineFramingTest {
  // 你 is three bytes: reads of 1 or 2 bytes end inside it.
  private static final byte[] LINES = "jerome\r\n你好, world\n\na\rb\nno end yet".getBytes(UTF_8);

  @ParameterizedTest(name = "reads of {0} B")
  @ValueSource(ints = {1, 2, 3, 5, 8, 4096})
  void linesEndAtLfOrCrlfAreDecodedWholeAndAnUnfinishedOneWaits(int readSize) throws IOException {
    assertThat(framed(LINES, readSize)).containsExactly("jerome", "你好, world", "", "a\rb");
    // The longest line fits, and one byte more is refused.
    byte[] longest = ("a".repeat(LineFraming.LONGEST_LINE - 1) + "\nnext\n").getBytes(UTF_8);
    assertThat(framed(longest, readSize)).extracting(String::length).containsExactly(4095, 4);
    byte[] tooLong = "a".repeat(LineFraming.LONGEST_LINE + 1).getBytes(UTF_8);
    assertThatThrownBy(() -> framed(tooLong, readSize))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("longer than");
  }

  // Every line the framing gives for reads of at most readSize bytes, until the end of stream.
  private static List<String> framed(byte[] bytes, int readSize) throws IOException {
    ReadableByteChannel client =
        Channels.newChannel(
            new ByteArrayInputStream(bytes) {
              @Override
              public synchronized int available() {
                return 0; // else the channel reads on, and every read takes all
              }

              @Override
              public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, readSize));
              }
            });
    LineFraming framing = new LineFraming();
    List<String> lines = new ArrayList<>();
    for (int reads = 0; reads <= bytes.length + 1; reads++) {
      List<String> more = framing.read(client);
      if (more == null) {
        return lines;
      }
      lines.addAll(more);
    }
    throw new AssertionError("no end of stream after " + (bytes.length + 2) + " reads");
  }
}
