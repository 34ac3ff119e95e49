package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * What every step is put through, each returning what happened, so that each step asserts its own
 * outcome: a weakness where it keeps one, its absence where it fixes it. They read {@code --trace}
 * lines as a student would, and send until the server shows what they wait for, never an amount
 * that assumes what the kernel's buffers hold.
 */
public final class Scenarios {
  // Sending stops here whatever happens, so that no scenario can run away.
  public static final int MOST_BYTES = 256 * 1024 * 1024;
  // What a scenario's client sends in one write.
  public static final int CHUNK = 64 * 1024;
  private static final Pattern QUEUED = Pattern.compile("queued (\\d+) B");
  private static final Pattern READ = Pattern.compile(" read: read (\\d+) B");
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

  /** Fifty clients each send a line before any reads, three rounds over: every echo, in order. */
  public static List<String> fiftyClientsAtOnce(ServerFixture server) throws IOException {
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      peers.add(server.connect());
    }
    List<String> lines = fiftyClientsExpected();
    List<String> echoes = new ArrayList<>();
    for (int round = 0; round < 150; round += 50) {
      for (int i = 0; i < 50; i++) {
        peers.get(i).send(lines.get(round + i));
      }
      for (int i = 0; i < 50; i++) {
        echoes.add(peers.get(i).receiveText(lines.get(round + i).length()));
      }
    }
    return echoes;
  }

  /** What {@link #fiftyClientsAtOnce} returns from a server that echoes everything. */
  public static List<String> fiftyClientsExpected() {
    return IntStream.range(0, 150).mapToObj(n -> "client " + n % 50 + " round " + n / 50).toList();
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
   * A client sends, reading nothing, until the trace shows it lost bytes (step 2's ", lost N B") or
   * {@code most} are sent; then it reads. For steps 2 to 4, which never stop reading.
   */
  public static Transfer readsOnlyAfterSending(ServerFixture server, int most) throws IOException {
    Peer peer = server.connect(4096);
    String name = name(peer);
    byte[] sent =
        sendUntil(server, peer, line -> line.startsWith(name) && line.contains(", lost "), most);
    return new Transfer(sent, peer.receiveUpTo(sent.length, 2_000));
  }

  /**
   * A client sends until the trace shows {@link #STUCK} bytes queued for it, half-closes (as {@code
   * nc -N} does), and reads once the trace shows that end of stream read. A queue, not a partial
   * write, for a full socket is not reported writable: a partial write would be luck to see.
   */
  public static Transfer halfClosesWhileOwedAnEcho(ServerFixture server) throws IOException {
    Peer peer = server.connect(4096);
    String name = name(peer);
    byte[] sent = sendUntil(server, peer, queuedFor(name, STUCK), MOST_BYTES);
    peer.socket.shutdownOutput();
    server.awaitLine(line -> line.startsWith(name + "read: end of stream"));
    return new Transfer(sent, peer.receiveUpTo(sent.length, 2_000));
  }

  /** A client that never reads sends until {@code threshold} bytes are queued: the most queued. */
  public static long queuedForAClientThatNeverReads(ServerFixture server, long threshold)
      throws IOException {
    Peer peer = server.connect(4096);
    sendUntil(server, peer, queuedFor(name(peer), threshold), MOST_BYTES);
    return mostQueued(server, name(peer));
  }

  /** A trace line of this client's that shows at least {@code least} bytes queued for it. */
  public static Predicate<String> queuedFor(String name, long least) {
    return line -> line.startsWith(name) && queued(line) >= least;
  }

  /** The bytes a trace line says are queued for its client; -1 for a line that says none. */
  public static long queued(String line) {
    Matcher m = QUEUED.matcher(line);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** The most the trace has shown queued for this client so far (0 if none). */
  public static long mostQueued(ServerFixture server, String name) {
    return server.lines(queuedFor(name, 0)).mapToLong(Scenarios::queued).max().orElse(0);
  }

  /** One client's echo of one line: its trace lines once nothing is queued or it wrote. */
  public static List<String> traceOfOneEcho(ServerFixture server, String text) throws IOException {
    Peer peer = server.connect();
    assertThat(peer.echo(text)).as("the echo").isEqualTo(text);
    String name = name(peer);
    // Step 2 shows no queue: waiting for "queued 0 B" there would only time out.
    server.awaitLine(
        line ->
            line.startsWith(name)
                && (line.contains(", queued 0 B")
                    || (line.contains(" wrote ") && !line.contains(" queued "))));
    return server.lines(line -> line.startsWith(name)).toList();
  }

  /** One client sends {@code size} bytes in one write: what each read took, from the trace. */
  public static List<Long> readsOfOneMessage(ServerFixture server, int size) throws IOException {
    Peer peer = server.connect();
    byte[] message = Peer.pattern(size);
    peer.send(message);
    assertThat(peer.receive(size)).as("the echo of %d B", size).isEqualTo(message);
    return server
        .lines(line -> line.startsWith(name(peer)))
        .map(READ::matcher)
        .filter(Matcher::find)
        .map(m -> Long.parseLong(m.group(1)))
        .toList();
  }

  /**
   * The most all clients together were shown holding: after each trace line, the sum of each
   * client's last {@code queued N B} (a client that left holds nothing).
   */
  public static long mostHeldInAll(List<String> log) {
    Map<String, Long> held = new HashMap<>();
    long total = 0;
    long most = 0;
    for (String line : log) {
      if (line.startsWith("  ") && QUEUED.matcher(line).find()) {
        Long before = held.put(line.substring(2, line.indexOf(' ', 2)), queued(line));
        total += queued(line) - (before == null ? 0 : before);
      } else if (line.matches("(closed by peer|reset by peer|dropped) .*")) {
        Long before = held.remove(line.substring(line.lastIndexOf(' ') + 1));
        total -= before == null ? 0 : before;
      }
      most = Math.max(most, total);
    }
    return most;
  }

  /** Sends 64 KiB chunks, each marked, until a line matches or {@code most} are sent: all sent. */
  public static byte[] sendUntil(
      ServerFixture server, Peer peer, Predicate<String> until, int most) {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    byte[] chunk = Peer.pattern(CHUNK);
    try {
      while (sent.size() < most && !server.logged(until)) {
        chunk[0] = (byte) (sent.size() / CHUNK);
        peer.send(chunk);
        sent.write(chunk, 0, CHUNK);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sent.toByteArray();
  }

  /** Reads while the sender still sends, then exactly the rest of what it sent. */
  public static byte[] receiveAll(Peer peer, CompletableFuture<byte[]> sending) throws Exception {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!sending.isDone() && System.nanoTime() - deadline < 0) {
      received.write(peer.receiveUpTo(CHUNK, 100));
    }
    byte[] sent = sending.get(5, TimeUnit.SECONDS);
    // What came, short or not: the caller's assertion then shows how much was lost.
    received.write(
        peer.receiveUpTo(Math.max(0, sent.length - received.size()), Peer.TIMEOUT_MILLIS));
    return received.toByteArray();
  }

  /**
   * A client that sends and reads at once, as real clients do: one thread sends {@code total} bytes
   * in writes of 1 to 3,000 B while this one reads through a 4 KiB receive buffer, so the server's
   * socket is often full with bytes still queued.
   */
  public static Transfer sendsWhileReading(int port, int total) throws Exception {
    try (Peer peer = Peer.connect(port, 4096)) {
      byte[] sent = Peer.pattern(total);
      SplittableRandom sizes = new SplittableRandom(total);
      CompletableFuture<byte[]> sending =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  for (int at = 0, size; at < total; at += size) {
                    size = Math.min(total - at, sizes.nextInt(1, 3_001));
                    peer.socket.getOutputStream().write(sent, at, size);
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return sent;
              });
      return new Transfer(sent, receiveAll(peer, sending));
    }
  }

  /** Sends up to 64 MiB, reading nothing, until the test closes the socket under it. */
  public static void sendWithoutReading(Peer peer) {
    try {
      for (int i = 0; i < 256; i++) {
        peer.send(new byte[256 * 1024]);
      }
    } catch (IOException e) {
      // The test is over and closed the socket under us: that is how this sender stops.
    }
  }

  /** With a cap of one: a client silent for the idle timeout is closed; a newcomer takes over. */
  public static void silentClientIsDroppedAndANewcomerTakesItsPlace(ServerFixture server)
      throws IOException {
    Peer silent = server.connect();
    assertThat(silent.echo("then nothing")).isEqualTo("then nothing");
    server.awaitLine(line -> line.equals("dropped idle " + address(silent)));
    assertThat(silent.atEndOfStream()).as("the silent client is closed").isTrue();
    assertThat(server.connect().echo("my turn"))
        .as("a newcomer's echo, in the place it left")
        .isEqualTo("my turn");
  }

  /**
   * A client that reads nothing is paused once we hold {@code highWater} for it, holds no more than
   * that and one read, and gets every byte in order once it reads, and is resumed.
   */
  public static void pausedAtTheHighWaterMarkGetsEveryByteOnceItReads(
      ServerFixture server, int highWater) throws Exception {
    Peer greedy = server.connect(4096);
    Predicate<String> paused = line -> line.startsWith("paused reading " + address(greedy) + " (");
    CompletableFuture<byte[]> sending =
        CompletableFuture.supplyAsync(() -> sendUntil(server, greedy, paused, MOST_BYTES / 4));
    server.awaitLine(paused);
    assertThat(receiveAll(greedy, sending))
        .as("every byte it sent, in order")
        .isEqualTo(sending.get());
    assertThat(mostQueued(server, name(greedy)))
        .as("the most we held for it")
        .isBetween((long) highWater, highWater + 64 * 1024L);
    server.awaitLine(line -> line.equals("resumed reading " + address(greedy)));
  }

  /** How the log names this client: its address as the server sees it. */
  public static String address(Peer peer) {
    return "127.0.0.1:" + peer.socket.getLocalPort();
  }

  /** How a client's lines start in the trace: two spaces, its address, a space. */
  public static String name(Peer peer) {
    return "  " + address(peer) + " ";
  }
}
