package docscheck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.ServerFixture;

/**
 * Scripted clients that show a step's weakness and the next step's fix, waiting (as the testkit's
 * scenarios do) only for what the server prints. Counts vary by run, so a story keeps the outcome
 * and the lines it waited for, numbers as N; {@code NAME.trace.txt} keeps the whole trace for its
 * picture, a recording never compared with a new run.
 */
final class Demonstrations {
  static final String TRACE = ".trace.txt";

  // The high water mark the never-reads demonstration gives step 5, to keep its trace short.
  private static final long HIGH_WATER = 64 * 1024;
  // How long the idle demonstration's client stays silent: two of step 6's one-second timeouts.
  private static final long SILENT_MILLIS = 2_500;
  private static final Pattern NUMBER = Pattern.compile("\\b\\d+ (B|queued)\\b");

  private Demonstrations() {}

  static Map<String, String> run(Class<?> server, int step) throws Exception {
    Map<String, String> files = new TreeMap<>();
    if (step == 2 || step == 3) {
      files.putAll(slowReader(new Story("slow-reader", server)));
    }
    if (step == 3 || step == 4) {
      files.putAll(halfClose(new Story("half-close", server)));
    }
    if (step == 4 || step == 5) {
      String[] args = step == 5 ? new String[] {"--high-water=" + HIGH_WATER} : new String[0];
      files.putAll(neverReads(new Story("never-reads", server, args)));
    }
    if (step == 5 || step == 6) {
      String[] args = {"--max-connections=1", "--idle-timeout=1"};
      files.putAll(silentClient(new Story("silent-client", server, Arrays.copyOf(args, step - 4))));
    }
    return files;
  }

  // Step 2 ignores how much write() took; step 3 queues the rest.
  private static Map<String, String> slowReader(Story t) throws Exception {
    try (t) {
      Peer client = t.server.connect(4096);
      String me = t.connected(client, "connects with a 4 KiB receive buffer");
      t.client("sends 64 KiB at a time and reads nothing, until the server's trace shows bytes");
      t.client("  it could not write at once");
      Predicate<String> refused = t.stuck(me).or(line -> line.contains(", lost "));
      byte[] sent = Scenarios.sendUntil(t.server, client, refused, Scenarios.MOST_BYTES);
      t.server(refused);
      t.client("stops sending, and reads what comes back");
      t.client(outcome(sent, client.receiveUpTo(sent.length, 2_000)));
      t.client("closes");
      client.close();
      t.server(closed(me));
      return t.end();
    }
  }

  // Step 3 closes at the end of stream; step 4 drains first.
  private static Map<String, String> halfClose(Story t) throws Exception {
    try (t) {
      Peer client = t.server.connect(4096);
      String me = t.connected(client, "connects with a 4 KiB receive buffer");
      t.client("sends 64 KiB at a time and reads nothing, until the server's trace shows it");
      t.client("  holds 256 KiB or more for it");
      byte[] sent = Scenarios.sendUntil(t.server, client, t.stuck(me), Scenarios.MOST_BYTES);
      t.server(t.stuck(me));
      t.client("shuts down its sending side (a half-close, as nc -N and socat do)");
      client.socket.shutdownOutput();
      t.server(line -> line.startsWith("  " + me + " read: end of stream"));
      t.client("reads what comes back");
      byte[] received = client.receiveUpTo(sent.length, 2_000);
      String end = endOfStream(client);
      t.server(closed(me));
      t.client(outcome(sent, received) + ", then " + end);
      return t.end();
    }
  }

  // Step 4 holds all a client that never reads sends; step 5 pauses it at the high water mark.
  // Its writes never wait, so that a server that stops reading cannot stop the script.
  private static Map<String, String> neverReads(Story t) throws Exception {
    try (t;
        NeverWaits client = new NeverWaits(t.server.port())) {
      String me =
          t.connected(
              client.address, "connects with a 4 KiB receive buffer; its writes never wait");
      t.client("sends 64 KiB at a time and reads nothing");
      Predicate<String> paused = line -> line.startsWith("paused reading " + me + " ");
      Predicate<String> pausedOrStuck = paused.or(t.stuck(me));
      Transcripts.await("a pause or a queue", () -> client.send() >= 0 && t.shows(pausedOrStuck));
      if (!t.shows(paused)) {
        t.server(t.stuck(me));
        t.client("the server holds 256 KiB or more for it, and has not stopped reading");
        return t.end();
      }
      t.server(paused);
      t.client("keeps sending");
      // Once the server stopped reading, nothing drains its receive buffer, so from here on the
      // client's writes take nothing: TCP's flow control stops the sender.
      Transcripts.await("the client's writes to take nothing", () -> client.send() == 0);
      t.client("its writes take nothing now: the server's receive buffer is full");
      t.client("reads what comes back");
      Predicate<String> resumed = line -> line.equals("resumed reading " + me);
      Transcripts.await("reading to resume", () -> client.read() || t.shows(resumed));
      t.server(resumed);
      byte[] got = client.received.toByteArray();
      byte[] all = client.sent.toByteArray();
      t.client(
          Arrays.equals(got, 0, got.length, all, 0, got.length)
              ? "what came back so far is what it sent, in order"
              : "what came back is not what it sent");
      return t.end();
    }
  }

  // Step 5 keeps a silent client for ever, in the only place there is; step 6 closes it as idle.
  private static Map<String, String> silentClient(Story t) throws Exception {
    try (t) {
      Peer silent = t.server.connect(4096);
      String me = t.connected(silent, "A connects, the only client the cap allows");
      t.client("A echoes one line (" + silent.echo("hello") + "), then sends nothing");
      // A fixed wait: the point is what happens, or does not, while A is silent.
      Thread.sleep(SILENT_MILLIS);
      Predicate<String> closing = line -> line.startsWith("closing idle " + me + " ");
      if (!t.shows(closing)) {
        t.client("A is still connected after " + SILENT_MILLIS / 1000.0 + " s of silence");
        try (Peer newcomer = t.server.connect(4096)) {
          t.client("B connects");
          t.server(line -> line.startsWith("refused " + Scenarios.address(newcomer) + " "));
          t.client("B meets " + endOfStream(newcomer) + " at once");
        }
        return t.end();
      }
      t.server(closing);
      t.client("A reads " + endOfStream(silent) + ", and closes");
      silent.close();
      t.server(line -> line.equals("closed by peer " + me));
      try (Peer newcomer = t.server.connect(4096)) {
        t.connected(newcomer, "B connects, in the place A left");
        t.client("B echoes one line (" + newcomer.echo("my turn") + ")");
      }
      return t.end();
    }
  }

  private static String outcome(byte[] sent, byte[] received) {
    if (Arrays.equals(sent, received)) {
      return "got back every byte it sent, in order";
    }
    return received.length < sent.length
        ? "got back fewer bytes than it sent"
        : "got back as many bytes as it sent, but not the same ones";
  }

  private static String endOfStream(Peer client) throws IOException {
    client.socket.setSoTimeout((int) Transcripts.PATIENCE.toMillis());
    try {
      return client.socket.getInputStream().read() < 0 ? "the end of stream" : "more bytes";
    } catch (IOException e) {
      return "a reset";
    }
  }

  private static Predicate<String> closed(String me) {
    return line -> line.endsWith(" " + me) && !line.startsWith("accepted ");
  }

  /** A non-blocking client: it sends 64 KiB chunks, each marked, and keeps all it sent and got. */
  private static final class NeverWaits implements AutoCloseable {
    final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final String address;
    private final SocketChannel channel = SocketChannel.open();
    private final ByteBuffer in = ByteBuffer.allocate(Scenarios.CHUNK);
    private ByteBuffer chunk = ByteBuffer.allocate(0);

    NeverWaits(int port) throws IOException {
      try {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        channel.connect(new InetSocketAddress("127.0.0.1", port));
        channel.configureBlocking(false);
        address = "127.0.0.1:" + ((InetSocketAddress) channel.getLocalAddress()).getPort();
      } catch (IOException | RuntimeException e) {
        channel.close(); // no try-with-resources closes what a constructor did not return
        throw e;
      }
    }

    int send() {
      if (sent.size() >= Scenarios.MOST_BYTES) {
        throw new IllegalStateException("sent " + Scenarios.MOST_BYTES + " B: the script ran away");
      }
      if (!chunk.hasRemaining()) {
        chunk = ByteBuffer.wrap(Peer.pattern(Scenarios.CHUNK));
        chunk.put(0, (byte) (sent.size() / Scenarios.CHUNK));
      }
      try {
        int from = chunk.position();
        int n = channel.write(chunk);
        sent.write(chunk.array(), from, n);
        return n;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    // One read of what came back, kept: false, so that the wait goes on.
    boolean read() {
      try {
        int n = channel.read(in.clear());
        if (n < 0) {
          throw new IllegalStateException("the server closed on a client that never reads");
        }
        received.write(in.array(), 0, n);
        return false;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** The client's lines and the server's lines it waited for, in order: never timing's. */
  private static final class Story implements AutoCloseable {
    final ServerFixture server;
    private final String name;
    private final List<String> out = new ArrayList<>();
    private int seen;

    Story(String name, Class<?> serverClass, String... settings) throws Exception {
      this.name = name;
      server =
          ServerFixture.start(
              serverClass,
              Stream.concat(Stream.of("--trace"), Stream.of(settings)).toArray(String[]::new));
      server(line -> line.startsWith("listening on "));
      if (settings.length > 0) {
        client("(the server runs with " + String.join(" ", settings) + ")");
      }
    }

    void client(String text) {
      out.add("[client] " + text);
    }

    String connected(Peer peer, String what) {
      return connected(Scenarios.address(peer), what);
    }

    String connected(String me, String what) {
      client(what);
      server(line -> line.equals("accepted " + me));
      return me;
    }

    // A line that shows the server holds 256 KiB or more for this client.
    Predicate<String> stuck(String me) {
      return line -> line.startsWith("  " + me) && Scenarios.queued(line) >= Scenarios.STUCK;
    }

    /** Whether a line matched since the last we waited for. */
    boolean shows(Predicate<String> which) {
      List<String> lines = server.log();
      return lines.subList(seen, lines.size()).stream().anyMatch(which);
    }

    void server(Predicate<String> which) {
      Transcripts.await("the server to print a line", () -> shows(which));
      List<String> lines = server.log();
      while (!which.test(lines.get(seen))) {
        seen++;
      }
      out.add("[server] " + NUMBER.matcher(lines.get(seen++)).replaceAll("N $1"));
    }

    Map<String, String> end() throws Exception {
      server.close();
      server(line -> line.equals("stopped"));
      String trace = Transcripts.text(server.log());
      Map<String, String> ports = Transcripts.ports(trace, server.port());
      return Map.of(
          name + ".txt", Transcripts.normalise(Transcripts.text(out), ports),
          name + TRACE, Transcripts.normalise(trace, ports));
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
