package multiplexing.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every step is put through, each as a function that returns what happened, so that each step
 * asserts the outcome it should have: a weakness where it keeps one, its absence where it fixes it.
 * The scenarios that need the loop's inner state read the server's {@code --trace} lines, the way a
 * student would; they send until the server shows what they wait for, never a fixed amount that
 * assumes how much the kernel's buffers hold.
 */
public final class Scenarios {
  // Sending stops here whatever happens, so that no scenario can run away.
  public static final int MOST_BYTES = 256 * 1024 * 1024;
  private static final int CHUNK = 64 * 1024;
  private static final Pattern QUEUED = Pattern.compile("queued (\\d+) B");
  // Queued bytes that show the client's socket is full: far more than one pass reads.
  public static final int STUCK = 256 * 1024;

  private Scenarios() {}

  /** What a client sent and what came back to it. */
  public record Transfer(byte[] sent, byte[] received) {
    public boolean intact() {
      return Arrays.equals(sent, received);
    }

    @Override
    public String toString() {
      return "sent " + sent.length + " B, received " + received.length + " B";
    }
  }

  /**
   * Fifty clients connect, then each sends a line before any of them reads, three rounds over: one
   * thread must serve them all. Returns every echo, in the clients' order.
   */
  public static List<String> fiftyClientsAtOnce(ServerFixture server) throws IOException {
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      peers.add(server.connect());
    }
    List<String> echoes = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < peers.size(); i++) {
        peers.get(i).send("client " + i + " round " + round);
      }
      for (int i = 0; i < peers.size(); i++) {
        echoes.add(peers.get(i).receiveText(("client " + i + " round " + round).length()));
      }
    }
    return echoes;
  }

  /** What {@link #fiftyClientsAtOnce} returns from a server that echoes everything. */
  public static List<String> fiftyClientsExpected() {
    List<String> expected = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 50; i++) {
        expected.add("client " + i + " round " + round);
      }
    }
    return expected;
  }

  /** Every byte value, zero included, eight times over; returns what came back. */
  public static Transfer everyByteValue(ServerFixture server) throws IOException {
    byte[] sent = new byte[256 * 8];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = (byte) i;
    }
    Peer peer = server.connect();
    peer.send(sent);
    return new Transfer(sent, peer.receiveUpTo(sent.length, 2_000));
  }

  /**
   * A client that reads slowly: it sends and reads nothing until the server has shown, in its
   * trace, that it lost bytes (step 2's ", lost N B") or {@code most} bytes are sent; then it
   * reads. Its receive buffer is small, so the server's writes soon find the socket full. For a
   * server that never stops reading (steps 2 to 4): the sender never waits.
   */
  public static Transfer readsOnlyAfterSending(ServerFixture server, int most) throws IOException {
    Peer peer = server.connect(4096);
    String name = name(peer);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    byte[] pattern = Peer.pattern(CHUNK);
    while (sent.size() < most
        && !server.logged(line -> line.startsWith(name) && line.contains(", lost "))) {
      pattern[0] = (byte) (sent.size() / CHUNK);
      peer.send(pattern);
      sent.write(pattern, 0, CHUNK);
    }
    return new Transfer(sent.toByteArray(), peer.receiveUpTo(sent.size(), 2_000));
  }

  /**
   * A client sends until the server's trace shows it holds {@link #STUCK} bytes for it in its
   * queue, then shuts down its sending side (a half-close, as {@code nc -N} or {@code socat} do),
   * waits until the trace shows the server read that end of stream, and only then reads what comes
   * back. For a server that never stops reading (steps 3 and 4).
   *
   * <p>Why the queue: the client reads nothing and its receive buffer is small, so once the
   * server's socket is full it stays full, and whatever the server queues beyond it stays in the
   * queue. A queue that long is stuck there when the end of stream arrives. (Waiting for a partial
   * write instead would be luck: a full socket is not reported writable, so often there is no write
   * to see.)
   */
  public static Transfer halfClosesWhileOwedAnEcho(ServerFixture server) throws IOException {
    Peer peer = server.connect(4096);
    String name = name(peer);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    byte[] pattern = Peer.pattern(CHUNK);
    while (sent.size() < MOST_BYTES && mostQueued(server, name) < STUCK) {
      pattern[0] = (byte) (sent.size() / CHUNK);
      peer.send(pattern);
      sent.write(pattern, 0, CHUNK);
    }
    peer.socket.shutdownOutput();
    server.awaitLine(line -> line.startsWith(name + "read: end of stream"));
    return new Transfer(sent.toByteArray(), peer.receiveUpTo(sent.size(), 2_000));
  }

  /**
   * A client that never reads sends until the trace shows the server holds {@code threshold} bytes
   * for it, or {@link #MOST_BYTES} are sent; returns the most the trace showed queued for it. For a
   * server that never stops reading (steps 3 and 4): the sender never waits.
   */
  public static long queuedForAClientThatNeverReads(ServerFixture server, long threshold)
      throws IOException {
    Peer peer = server.connect(4096);
    String name = name(peer);
    byte[] chunk = new byte[CHUNK];
    for (long sent = 0; sent < MOST_BYTES && mostQueued(server, name) < threshold; sent += CHUNK) {
      peer.send(chunk);
    }
    return mostQueued(server, name);
  }

  /** The most the trace has shown queued for this client so far (0 if none). */
  public static long mostQueued(ServerFixture server, String name) {
    OptionalLong most =
        server
            .lines(line -> line.startsWith(name))
            .map(QUEUED::matcher)
            .filter(Matcher::find)
            .mapToLong(m -> Long.parseLong(m.group(1)))
            .max();
    return most.orElse(0);
  }

  /**
   * How a client's lines start in the trace: two spaces, then its address as the server sees it.
   */
  public static String name(Peer peer) {
    return "  127.0.0.1:" + peer.socket.getLocalPort() + " ";
  }
}
