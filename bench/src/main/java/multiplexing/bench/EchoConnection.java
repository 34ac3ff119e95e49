package multiplexing.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** One client connection's bookkeeping: what it sent, what came back, and when each was sent. */
final class EchoConnection {
  enum State {
    NEW,
    CONNECTING,
    OPEN,
    DONE,
    FAILED
  }

  final SocketChannel channel;
  SelectionKey key;
  State state = State.NEW;

  private final int offset;
  private final int messageSize;
  // Two views of the payload stream: one walks what we send, one what we expect back.
  private final ByteBuffer sendView = Payload.view();
  private final ByteBuffer expectView = Payload.view();
  // A ring with the send time of each message still in flight, indexed by message number.
  private final long[] issuedAt;

  private long issued;
  private long completed;
  private long sent;
  private long received;

  EchoConnection(int id, SocketChannel channel, int messageSize, int inFlight) {
    this.channel = channel;
    this.offset = Payload.offset(id);
    this.messageSize = messageSize;
    this.issuedAt = new long[inFlight];
  }

  long issued() {
    return issued;
  }

  long completed() {
    return completed;
  }

  int inFlight() {
    return (int) (issued - completed);
  }

  /** Queues one more message; its bytes go out on the next {@link #flush()}. */
  void issue(long now) {
    issuedAt[(int) (issued % issuedAt.length)] = now;
    issued++;
  }

  /** Writes what the socket takes; true when nothing is left to send. */
  boolean flush() throws IOException {
    long pending = issued * messageSize - sent;
    while (pending > 0) {
      int n = channel.write(Payload.window(sendView, offset, sent, (int) pending));
      if (n == 0) {
        // The socket's send buffer is full: the caller waits for OP_WRITE.
        return false;
      }
      sent += n;
      pending -= n;
    }
    return true;
  }

  /**
   * Checks freshly read bytes against what we sent at that place in the stream. A stream has no
   * message boundaries: one read may hold half a message or several, so we count bytes.
   */
  String check(ByteBuffer data) {
    int n = data.remaining();
    if (received + n > sent) {
      return "more bytes than sent";
    }
    if (data.mismatch(Payload.window(expectView, offset, received, n)) != -1) {
      return "corrupt bytes";
    }
    received += n;
    return null;
  }

  /** True when the bytes received so far finish the oldest message in flight. */
  boolean oldestIsBack() {
    return completed < issued && (completed + 1) * messageSize <= received;
  }

  /** Retires the oldest message and returns the time it was sent. */
  long retireOldest() {
    return issuedAt[(int) (completed++ % issuedAt.length)];
  }
}
