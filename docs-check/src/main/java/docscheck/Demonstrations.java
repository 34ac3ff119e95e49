package docscheck;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Small scripted clients that show a step's weakness, and the next step's fix, the way a student
 * could see them: what the client did and saw, beside the lines the server printed with {@code
 * --trace}. Every wait is for something the server prints, never for an amount of bytes that
 * assumes how much the kernel's buffers hold, and every loop is bounded in bytes and time. Byte
 * counts vary from run to run, so the story keeps only what does not: the outcome ("fewer bytes
 * than it sent", "every byte"), and the server's lines with their numbers written as N. Beside each
 * story, {@code NAME.trace.txt} keeps everything the server printed in that run, real counts and
 * all, for its picture: a recording, written again only by the regenerate command, never compared
 * with a new run.
 */
final class Demonstrations {
  // Sending stops here whatever happens, so that no script can run away.
  private static final long MOST_BYTES = 256L * 1024 * 1024;
  private static final int CHUNK = 64 * 1024;
  // The client's receive buffer, set before connecting, so the kernel does not grow it.
  private static final int RECEIVE_BUFFER = 4 * 1024;
  // Bytes held in a server's queue that show the client's socket is full: far more than one read.
  private static final long STUCK = 256 * 1024;
  // The high water mark the never-reads demonstration gives step 5 on, to keep its trace short;
  // and what a server that never stops reading may hold before we call it unbounded: four times it.
  private static final long HIGH_WATER = 64 * 1024;
  private static final long UNBOUNDED = 4 * HIGH_WATER;
  // How long the idle demonstration's client stays silent: two of step 6's one-second timeouts.
  private static final long SILENT_MILLIS = 2_500;

  private static final Pattern READ = Pattern.compile("read (\\d+) B");
  private static final Pattern WROTE = Pattern.compile("wrote (\\d+) B");
  private static final Pattern QUEUED = Pattern.compile("queued (\\d+) B");
  private static final Pattern NUMBER = Pattern.compile("\\b\\d+ (B|queued)\\b");

  private Demonstrations() {}

  /** The demonstrations that concern this step: its weakness, or the fix of the one before. */
  static Map<String, String> run(ClassLoader loader, int step) throws Exception {
    Map<String, Recording> runs = new TreeMap<>();
    if (step == 2 || step == 3) {
      runs.put("slow-reader", slowReader(loader));
    }
    if (step == 3 || step == 4) {
      runs.put("half-close", halfClose(loader));
    }
    if (step == 4 || step == 5) {
      runs.put("never-reads", neverReads(loader, step));
    }
    if (step == 5 || step == 6) {
      runs.put("silent-client", silentClient(loader, step));
    }
    Map<String, String> files = new TreeMap<>();
    runs.forEach(
        (name, run) -> {
          files.put(name + ".txt", run.story());
          files.put(name + TRACE, run.trace());
        });
    return files;
  }

  /** How a demonstration's whole server output is named: NAME.trace.txt. */
  static final String TRACE = ".trace.txt";

  /** What one demonstration shows: its story, and everything the server printed meanwhile. */
  record Recording(String story, String trace) {}

  /**
   * Step 2 ignores how much write() took; step 3 queues the rest. A client with a small receive
   * buffer sends without reading until the server shows it could not write everything at once, then
   * reads what comes back.
   */
  private static Recording slowReader(ClassLoader loader) throws Exception {
    try (Timeline t = new Timeline(loader)) {
      Socket client = connect(t.server.port);
      try {
        return slowReader(t, client);
      } finally {
        client.close();
      }
    }
  }

  private static Recording slowReader(Timeline t, Socket client) throws Exception {
    {
      String me = t.connected(client.getLocalPort(), "connects with a 4 KiB receive buffer");
      t.client("sends 64 KiB at a time and reads nothing, until the server's trace shows bytes");
      t.client("  it could not write at once");
      Predicate<String> refused =
          line -> line.startsWith("  " + me) && (line.contains(", lost ") || queued(line) >= STUCK);
      BooleanSupplier seen = t.watch(refused);
      long sent = 0;
      while (sent < MOST_BYTES && !seen.getAsBoolean()) {
        client.getOutputStream().write(Bytes.from(sent, CHUNK));
        sent += CHUNK;
      }
      t.awaitServer(refused);
      t.client("stops sending, and reads what comes back");
      long total = sent;
      // All that will ever come: everything, or what the server's trace says it wrote once it
      // has read everything and holds nothing more for us.
      Received received =
          readBack(
              client,
              total,
              got ->
                  sum(t.server, me, READ) == total
                      && got == sum(t.server, me, WROTE)
                      && lastQueued(t.server, me) == 0);
      t.client(received.outcome(total));
      t.client("closes");
      client.close();
      t.awaitServer(line -> line.endsWith(" " + me) && !line.startsWith("accepted "));
      return t.end();
    }
  }

  /**
   * Step 3 closes at the end of stream; step 4 drains first. The client sends until the server
   * holds a queue for it, shuts down its sending side, waits until the server has read that end of
   * stream, and only then reads.
   */
  private static Recording halfClose(ClassLoader loader) throws Exception {
    try (Timeline t = new Timeline(loader);
        Socket client = connect(t.server.port)) {
      String me = t.connected(client.getLocalPort(), "connects with a 4 KiB receive buffer");
      t.client("sends 64 KiB at a time and reads nothing, until the server's trace shows it");
      t.client("  holds 256 KiB or more for it");
      Predicate<String> stuck = line -> line.startsWith("  " + me) && queued(line) >= STUCK;
      BooleanSupplier seen = t.watch(stuck);
      long sent = 0;
      while (sent < MOST_BYTES && !seen.getAsBoolean()) {
        client.getOutputStream().write(Bytes.from(sent, CHUNK));
        sent += CHUNK;
      }
      t.awaitServer(stuck);
      t.client("shuts down its sending side (a half-close, as nc -N and socat do)");
      client.shutdownOutput();
      t.awaitServer(line -> line.startsWith("  " + me + " read: end of stream"));
      t.client("reads what comes back");
      long total = sent;
      Received received = readBack(client, total, got -> false);
      String end = endOfStream(client);
      t.awaitServer(line -> line.endsWith(" " + me) && !line.startsWith("accepted "));
      t.client(received.outcome(total) + ", then " + end);
      return t.end();
    }
  }

  /**
   * Step 4 holds whatever a client that never reads sends it; step 5 stops reading from it at the
   * high water mark, and reads again at the low one.
   */
  private static Recording neverReads(ClassLoader loader, int step) throws Exception {
    String[] args = step >= 5 ? new String[] {"--high-water=" + HIGH_WATER} : new String[] {};
    try (Timeline t = new Timeline(loader, args);
        SocketChannel client = SocketChannel.open()) {
      client.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
      client.connect(new InetSocketAddress("127.0.0.1", t.server.port));
      client.configureBlocking(false);
      String me =
          t.connected(
              ((InetSocketAddress) client.getLocalAddress()).getPort(),
              "connects with a 4 KiB receive buffer; its writes never wait");
      t.client("sends 64 KiB at a time and reads nothing");
      Predicate<String> paused = line -> line.startsWith("paused reading " + me + " ");
      Predicate<String> unbounded = line -> line.startsWith("  " + me) && queued(line) >= UNBOUNDED;
      Sender sender = new Sender(client);
      long deadline = System.nanoTime() + Terminal.PATIENCE.toNanos();
      BooleanSupplier seen = t.watch(paused.or(unbounded));
      while (sender.sent < MOST_BYTES && !seen.getAsBoolean()) {
        if (sender.send() == 0) {
          // The socket is full for now: we give the server a moment to read.
          Thread.sleep(1);
        }
        checkTime(deadline, "a pause or an unbounded queue");
      }
      if (!t.printed(paused)) {
        t.awaitServer(unbounded);
        t.client("the server holds 256 KiB or more for it, and has not stopped reading");
        return t.end();
      }
      t.awaitServer(paused);
      t.client("keeps sending");
      while (sender.sent < MOST_BYTES && sender.send() > 0) {
        checkTime(deadline, "the client's writes to take nothing");
      }
      // Once the server stopped reading, nothing drains its receive buffer, so from here on the
      // client's writes take nothing: TCP's flow control stops the sender.
      t.client("its writes take nothing now: the server's receive buffer is full");
      t.client("reads what comes back");
      Predicate<String> resumed = line -> line.equals("resumed reading " + me);
      ByteBuffer in = ByteBuffer.allocate(CHUNK);
      long received = 0;
      boolean inOrder = true;
      BooleanSupplier resumedSeen = t.watch(resumed);
      while (!resumedSeen.getAsBoolean()) {
        in.clear();
        int n = client.read(in);
        if (n < 0) {
          throw new IllegalStateException("the server closed on a client that never reads");
        }
        inOrder &= Bytes.matches(in.array(), n, received);
        received += n;
        if (n == 0) {
          Thread.sleep(1);
        }
        checkTime(deadline, "reading to resume");
      }
      t.awaitServer(resumed);
      t.client(
          inOrder
              ? "what came back so far is what it sent, in order"
              : "what came back is not what it sent");
      return t.end();
    }
  }

  /**
   * Step 5 keeps a client that goes silent for ever, even when it holds the only place there is;
   * step 6 closes it after its idle timeout, gently, and gives its place to the next client.
   */
  private static Recording silentClient(ClassLoader loader, int step) throws Exception {
    String[] args =
        step >= 6
            ? new String[] {"--max-connections=1", "--idle-timeout=1"}
            : new String[] {"--max-connections=1"};
    try (Timeline t = new Timeline(loader, args)) {
      Socket silent = connect(t.server.port);
      try {
        return silentClient(t, silent);
      } finally {
        silent.close();
      }
    }
  }

  private static Recording silentClient(Timeline t, Socket silent) throws Exception {
    {
      String me = t.connected(silent.getLocalPort(), "A connects, the only client the cap allows");
      silent.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
      byte[] echo = silent.getInputStream().readNBytes(5);
      t.client(
          "A echoes one line ("
              + new String(echo, StandardCharsets.UTF_8)
              + "), then sends nothing");
      Predicate<String> closing = line -> line.startsWith("closing idle " + me + " ");
      // A fixed wait: the point is what happens, or does not, while A is silent.
      Thread.sleep(SILENT_MILLIS);
      if (!t.printed(closing)) {
        t.client("A is still connected after " + SILENT_MILLIS / 1000.0 + " s of silence");
        try (Socket newcomer = connect(t.server.port)) {
          String next = "127.0.0.1:" + newcomer.getLocalPort();
          t.client("B connects");
          t.awaitServer(line -> line.startsWith("refused " + next + " "));
          t.client("B meets " + endOfStream(newcomer) + " at once");
        }
        return t.end();
      }
      t.awaitServer(closing);
      t.client("A reads " + endOfStream(silent) + ", and closes");
      silent.close();
      t.awaitServer(line -> line.equals("closed by peer " + me));
      try (Socket newcomer = connect(t.server.port)) {
        t.connected(newcomer.getLocalPort(), "B connects, in the place A left");
        newcomer.getOutputStream().write("my turn".getBytes(StandardCharsets.UTF_8));
        newcomer.setSoTimeout((int) Terminal.PATIENCE.toMillis());
        String got = new String(newcomer.getInputStream().readNBytes(7), StandardCharsets.UTF_8);
        t.client("B echoes one line (" + got + ")");
      }
      return t.end();
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(RECEIVE_BUFFER);
    socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Terminal.PATIENCE.toMillis());
    return socket;
  }

  /** How many bytes came back, and whether each was the one sent at its place. */
  private record Received(long count, boolean inOrder) {
    String outcome(long sent) {
      if (count == sent && inOrder) {
        return "got back every byte it sent, in order";
      }
      if (count < sent) {
        return "got back fewer bytes than it sent";
      }
      return "got back as many bytes as it sent, but not the same ones";
    }
  }

  // Reads until every byte sent came back, or the end of stream; or, when nothing comes for a
  // moment, until `allThatWillCome` says so, given the count so far.
  private static Received readBack(Socket client, long sent, Predicate<Long> allThatWillCome)
      throws IOException {
    InputStream in = client.getInputStream();
    client.setSoTimeout(20);
    byte[] chunk = new byte[CHUNK];
    long received = 0;
    boolean inOrder = true;
    long deadline = System.nanoTime() + Terminal.PATIENCE.toNanos();
    while (received < sent) {
      checkTime(deadline, "the echo");
      try {
        int n = in.read(chunk);
        if (n < 0) {
          break;
        }
        inOrder &= Bytes.matches(chunk, n, received);
        received += n;
      } catch (SocketTimeoutException e) {
        if (allThatWillCome.test(received)) {
          break;
        }
      }
    }
    return new Received(received, inOrder);
  }

  private static String endOfStream(Socket client) throws IOException {
    client.setSoTimeout((int) Terminal.PATIENCE.toMillis());
    try {
      int next = client.getInputStream().read();
      return next < 0 ? "the end of stream" : "more bytes";
    } catch (IOException e) {
      return "a reset";
    }
  }

  private static void checkTime(long deadline, String what) {
    if (System.nanoTime() - deadline > 0) {
      throw new IllegalStateException("gave up waiting for " + what);
    }
  }

  private static long queued(String line) {
    Matcher m = QUEUED.matcher(line);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  // The sum of a number over this client's trace lines: bytes read, or bytes written.
  private static long sum(Server server, String me, Pattern number) {
    long sum = 0;
    for (String line : server.lines()) {
      if (line.startsWith("  " + me + " ")) {
        Matcher m = number.matcher(line);
        if (m.find()) {
          sum += Long.parseLong(m.group(1));
        }
      }
    }
    return sum;
  }

  private static long lastQueued(Server server, String me) {
    long last = 0;
    for (String line : server.lines()) {
      if (line.startsWith("  " + me + " ") && queued(line) >= 0) {
        last = queued(line);
      }
    }
    return last;
  }

  /** A non-blocking client's sending side: what it sent so far, and the chunk it is on. */
  private static final class Sender {
    final SocketChannel channel;
    long sent;
    ByteBuffer chunk = ByteBuffer.allocate(0);

    Sender(SocketChannel channel) {
      this.channel = channel;
    }

    int send() throws IOException {
      if (!chunk.hasRemaining()) {
        chunk = ByteBuffer.wrap(Bytes.from(sent, CHUNK));
      }
      int n = channel.write(chunk);
      sent += n;
      return n;
    }
  }

  /** The bytes the clients send: each a function of its place, so any loss or reordering shows. */
  static final class Bytes {
    static byte at(long i) {
      return (byte) (i ^ (i >>> 8) ^ (i >>> 16) ^ (i >>> 24));
    }

    static byte[] from(long start, int count) {
      byte[] bytes = new byte[count];
      for (int i = 0; i < count; i++) {
        bytes[i] = at(start + i);
      }
      return bytes;
    }

    static boolean matches(byte[] bytes, int count, long start) {
      for (int i = 0; i < count; i++) {
        if (bytes[i] != at(start + i)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * One demonstration's recording: the client's lines as it acts, and the server's lines it waited
   * for, each at the point it waited for it. The server prints more (the trace prints a line or two
   * per pass), but only lines the script waited for are kept, so the order never depends on timing;
   * their byte counts are written as N.
   */
  private static final class Timeline implements AutoCloseable {
    final Server server;
    private final List<String> out = new ArrayList<>();
    private int seen;
    private boolean ended;

    Timeline(ClassLoader loader, String... settings) throws Exception {
      List<String> args = new ArrayList<>(List.of("--trace"));
      args.addAll(List.of(settings));
      args.add("0");
      server = new Server(loader, args.toArray(String[]::new));
      awaitServer(line -> line.startsWith("listening on "));
      if (settings.length > 0) {
        client("(the server runs with " + String.join(" ", settings) + ")");
      }
    }

    // The client is connected once the server says it accepted it; returns how it names us.
    String connected(int localPort, String what) throws InterruptedException {
      String me = "127.0.0.1:" + localPort;
      client(what);
      awaitServer(line -> line.equals("accepted " + me));
      return me;
    }

    void client(String text) {
      out.add("[client] " + text);
    }

    /** Whether the server has printed a line that matches, since the last one we waited for. */
    boolean printed(Predicate<String> which) {
      return server.terminal.linesFrom(seen).stream().anyMatch(which);
    }

    /** The same question, asked often: each call looks only at the lines that came since. */
    BooleanSupplier watch(Predicate<String> which) {
      int[] from = {seen};
      return () -> {
        List<String> lines = server.terminal.linesFrom(from[0]);
        from[0] += lines.size();
        return lines.stream().anyMatch(which);
      };
    }

    /** Waits for a line that matches, and records it; the server's other lines are left out. */
    void awaitServer(Predicate<String> which) throws InterruptedException {
      server.terminal.await("the server to print a line", t -> printed(which));
      List<String> lines = server.lines();
      for (int i = seen; i < lines.size(); i++) {
        if (which.test(lines.get(i))) {
          out.add("[server] " + NUMBER.matcher(lines.get(i)).replaceAll("N $1"));
          seen = i + 1;
          return;
        }
      }
    }

    /** Stops the server, and returns the story and the whole trace with their ports normalised. */
    Recording end() throws Exception {
      ended = true;
      server.close();
      awaitServer(line -> line.equals("stopped"));
      String text = String.join("\n", out) + "\n";
      Map<String, String> ports = Transcripts.ports(server.terminal.text(), server.port);
      return new Recording(
          Transcripts.normalise(text, ports), Transcripts.normalise(server.terminal.text(), ports));
    }

    @Override
    public void close() throws IOException {
      if (!ended) {
        server.close();
      }
    }
  }
}
