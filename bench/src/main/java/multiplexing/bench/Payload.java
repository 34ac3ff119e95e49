package multiplexing.bench;

import java.nio.ByteBuffer;
import java.util.Random;

/** The bytes every connection sends: a fixed random stream, so every echoed byte can be checked. */
final class Payload {
  // Stream position p of connection c carries byte STREAM[(p + offset(c)) % PERIOD].
  static final int PERIOD = 1 << 20;

  // Two periods back to back, so any window of up to one period is one contiguous slice.
  private static final ByteBuffer STREAM = build();

  private Payload() {}

  private static ByteBuffer build() {
    byte[] period = new byte[PERIOD];
    new Random(20_240_601L).nextBytes(period);
    ByteBuffer stream = ByteBuffer.allocateDirect(2 * PERIOD);
    stream.put(period).put(period).flip();
    return stream.asReadOnlyBuffer();
  }

  /** A private view of the stream for one connection; its position and limit are ours to move. */
  static ByteBuffer view() {
    return STREAM.duplicate();
  }

  /** Where connection {@code id} starts in the stream, so that connections never look alike. */
  static int offset(int id) {
    return (int) ((id * 0x9E3779B1L) & (PERIOD - 1));
  }

  /** Points {@code view} at {@code length} bytes starting at stream position {@code position}. */
  static ByteBuffer window(ByteBuffer view, int offset, long position, int length) {
    int start = (int) ((position + offset) % PERIOD);
    view.limit(start + Math.min(length, PERIOD)).position(start);
    return view;
  }
}
