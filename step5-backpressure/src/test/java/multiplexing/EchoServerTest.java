package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import multiplexing.testkit.ChildServer;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Soak;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Step 5: what we hold for clients, how many they are and how long they sit silent are bounded, and
 * an echo the socket has room for leaves at once.
 */
class EchoServerTest extends EchoContract {
  private static final int HIGH_WATER = 64 * 1024;
  private static final int LOW_WATER = 16 * 1024;
  // A sender stops here whatever happens: far beyond what a server that pauses ever takes.
  private static final int MOST_BYTES = 64 * 1024 * 1024;
  private static final Pattern QUEUED = Pattern.compile("queued (\\d+) B");

  EchoServerTest() {
    super(EchoServer.class, "--trace");
  }

  @Test
  void anEchoTheSocketHasRoomForLeavesInThePassThatReadItAndNothingIsQueued() throws IOException {
    // Steps 3 and 4 queue every read, turn OP_WRITE on, and write on the next pass.
    Peer peer = server.connect();
    assertThat(peer.echo("hello")).isEqualTo("hello");
    String name = Scenarios.name(peer);
    server.awaitLine(line -> line.startsWith(name));
    assertThat(server.lines(line -> line.startsWith(name)))
        .containsExactly(name + "read: read 5 B, wrote 5 B, queued 0 B, interest read -> read");
  }

  @Test
  void aClientThatNeverReadsIsPausedAtTheHighWaterMarkAndResumedAtTheLowOneOnceItReads()
      throws Exception {
    // Step 4's weakness, gone: it queues whatever a client sends, without end.
    restartWith("--trace", "--high-water=" + HIGH_WATER, "--low-water=" + LOW_WATER);
    Peer greedy = server.connect(4096);
    String name = Scenarios.name(greedy);
    Predicate<String> paused = line -> line.startsWith("paused reading " + address(greedy) + " (");
    // It sends until the server says it paused, however much the kernel's buffers took first.
    CompletableFuture<byte[]> sending =
        CompletableFuture.supplyAsync(() -> sendUntil(greedy, paused));
    server.awaitLine(paused);
    // The pause is logged just before the trace line of the read that caused it.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Scenarios.mostQueued(server, name) >= HIGH_WATER);

    assertThat(Scenarios.mostQueued(server, name))
        .isBetween((long) HIGH_WATER, highWaterAndARead());
    assertThat(server.connect().echo("not stuck behind it")).isEqualTo("not stuck behind it");

    // Once it reads, it gets every byte in order, and we read from it again.
    assertThat(receiveAll(greedy, sending)).isEqualTo(sending.get());
    String resumed = "resumed reading " + address(greedy);
    List<String> lines =
        server
            .lines(line -> line.startsWith(name) || paused.test(line) || line.equals(resumed))
            .toList();
    int pausedAt = lines.indexOf(lines.stream().filter(paused).findFirst().orElseThrow());
    int resumedAt = lines.indexOf(resumed);
    assertThat(resumedAt).as("resumed after paused").isGreaterThan(pausedAt);
    // Not before the queue is down to the low water mark; then in the write that brings it there.
    assertThat(lines.subList(pausedAt, resumedAt))
        .filteredOn(line -> line.contains(" write: "))
        .allMatch(line -> queued(line) > LOW_WATER);
    assertThat(lines.get(resumedAt + 1)).matches(".* write: .*, interest write -> read(\\+write)?");
    assertThat(queued(lines.get(resumedAt + 1))).isLessThanOrEqualTo(LOW_WATER);
    assertThat(Scenarios.mostQueued(server, name)).isLessThanOrEqualTo(highWaterAndARead());
  }

  @Test
  void clientsThatNeverReadCannotTogetherExhaustTheHeap() throws Exception {
    // 70 clients at the 1 MiB high water mark would need 70 MiB of a 64 MiB heap. All together
    // they may hold a quarter of it, so most are paused long before their own mark.
    int greedyClients = 70;
    List<Peer> peers = new ArrayList<>();
    ExecutorService senders = Executors.newFixedThreadPool(greedyClients);
    ChildServer child = new ChildServer(null, List.of("-Xmx64m", "-XX:+UseSerialGC"));
    try {
      for (int i = 0; i < greedyClients; i++) {
        Peer greedy = Peer.connect(child.port(), 4096);
        peers.add(greedy);
        senders.execute(() -> sendUntilClosed(greedy));
      }
      Predicate<String> outOfMemory = line -> line.contains("OutOfMemoryError");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  child.count("paused reading ") >= greedyClients
                      || child.log().stream().anyMatch(outOfMemory));
      assertThat(child.log()).noneMatch(outOfMemory);
      // With the budget spent, a client we hold nothing for is still served, and served again.
      try (Peer bystander = Peer.connect(child.port())) {
        assertThat(bystander.echo("still standing")).isEqualTo("still standing");
        assertThat(bystander.echo("and again")).isEqualTo("and again");
      }
      assertThat(child.process().isAlive()).isTrue();

      // Once they have left, what they held is back in the budget: a newcomer that never reads
      // is paused at its own high water mark (1 MiB by default), not at its first queued byte.
      for (Peer peer : peers) {
        peer.close();
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  child.count("reset by peer ") + child.count("closed by peer ") >= greedyClients);
      Peer newcomer = Peer.connect(child.port(), 4096);
      peers.add(newcomer);
      String newcomerPaused = "paused reading " + address(newcomer) + " (";
      senders.execute(() -> sendUntilClosed(newcomer));
      await().atMost(Duration.ofSeconds(10)).until(() -> child.count(newcomerPaused) > 0);
      String line =
          child.log().stream().filter(l -> l.startsWith(newcomerPaused)).findFirst().orElseThrow();
      long queued =
          Long.parseLong(line.substring(newcomerPaused.length(), line.indexOf(" queued")));
      assertThat(queued).isGreaterThanOrEqualTo(1024 * 1024);
    } finally {
      for (Peer peer : peers) {
        peer.close();
      }
      senders.shutdownNow();
      assertThat(senders.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      child.close();
    }
  }

  @Test
  void pastTheConnectionCapANewcomerIsRefusedByNameAndTheOthersKeepTheirEcho() throws Exception {
    restartWith("--max-connections=2");
    Peer first = server.connect();
    Peer second = server.connect();
    assertThat(first.echo("one")).isEqualTo("one");
    assertThat(second.echo("two")).isEqualTo("two");

    Peer third = server.connect();
    assertThat(third.atEndOfStream()).isTrue();
    server.awaitLine(line -> line.equals("refused " + address(third) + " (the cap is 2)"));
    assertThat(first.echo("still one")).isEqualTo("still one");

    second.close();
    server.awaitLine(line -> line.equals("closed by peer " + address(second)));
    assertThat(server.connect().echo("room again")).isEqualTo("room again");
  }

  @Test
  void anIdleClientGetsAnEndOfStreamNotAResetWhileABusyOneStays() throws Exception {
    restartWith("--idle-timeout=1");
    Peer idle = server.connect();
    Peer busy = server.connect();
    // The busy client echoes every 100 ms: it never goes a second without a byte moving.
    await()
        .during(Duration.ofMillis(2_500))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> busy.echo("tick").equals("tick"));
    // An end of stream (read() returns -1), where a reset would throw.
    assertThat(idle.atEndOfStream()).isTrue();
    assertThat(server.log())
        .contains("closing idle " + address(idle) + " (lingering up to 30 s)")
        .noneMatch(line -> line.contains("idle " + address(busy)));
    idle.close();
    server.awaitLine(line -> line.equals("closed by peer " + address(idle)));
  }

  @Test
  void aClientStillReadingALargeEchoWhenItLooksIdleGetsEveryByteThenAnEndOfStream()
      throws Exception {
    // Once the kernel holds the whole echo, nothing moves from the server's side while
    // the client reads it, so the client looks idle. A plain close() would answer the byte it
    // sends next with a reset, and the reset throws away what the kernel had yet to deliver.
    restartWith("--trace", "--idle-timeout=1");
    Peer reader = server.connect();
    Predicate<String> idle = line -> line.contains("idle " + address(reader));
    byte[] sent = Peer.pattern(2 * 1024 * 1024);
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> send(reader, sent));
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    AtomicBoolean sentAByte = new AtomicBoolean();
    // 32 KiB every 200 ms until the server has judged it idle; then one byte, and the rest of the
    // echo as fast as it comes (a reset would come at once), up to the end of stream.
    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (server.logged(idle) && !sentAByte.getAndSet(true)) {
                reader.send(new byte[] {42});
              }
              int most = sentAByte.get() ? sent.length + 1 - received.size() : 32 * 1024;
              byte[] chunk = reader.socket.getInputStream().readNBytes(most);
              received.write(chunk);
              return chunk.length < most || received.size() > sent.length;
            });
    // Where the kernel holds less than a second of reading, the client looks idle only once it
    // has read everything: then the byte goes after the end of stream, and shows nothing.
    if (!sentAByte.getAndSet(true)) {
      reader.send(new byte[] {42});
    }
    sending.get(5, TimeUnit.SECONDS);
    assertThat(received.toByteArray()).isEqualTo(sent);
    assertThat(reader.atEndOfStream()).isTrue();
    server.awaitLine(
        line -> line.startsWith(Scenarios.name(reader) + "read: discarded 1 B (lingering)"));
    reader.close();
    server.awaitLine(line -> line.equals("closed by peer " + address(reader)));
    assertThat(server.log()).noneMatch(line -> line.equals("reset by peer " + address(reader)));
  }

  @Test
  void aClientThatTakesNothingForTheIdleTimeoutIsResetAndTheLogSaysWhatItNeverTook()
      throws Exception {
    // We hold bytes it never took: an end of stream would pass for a complete echo, a reset not.
    restartWith("--trace", "--idle-timeout=1");
    Peer greedy = server.connect(4096);
    String name = Scenarios.name(greedy);
    // It sends until we hold 64 KiB for it, below the high water mark, so we read all it sent:
    // then only SO_LINGER 0 makes our close a reset (unread bytes would make one anyway). It
    // stops sending first, so that its reader alone meets the reset: Linux reports it once.
    byte[] chunk = new byte[16 * 1024];
    for (int sent = 0; sent < MOST_BYTES && Scenarios.mostQueued(server, name) < 64 * 1024; ) {
      greedy.send(chunk);
      sent += chunk.length;
    }
    String line = server.awaitLineStartingWith("dropped idle (");
    assertThat(line).matches("dropped idle \\([1-9][0-9]* B it never took\\) " + address(greedy));
    // It reads what the kernel still held for it, then meets the reset, not an end of stream.
    assertThatThrownBy(() -> readUntilEndOfStream(greedy)).isInstanceOf(SocketException.class);
  }

  @Test
  void aLingeringClientThatNeverClosesIsDroppedAfterTheGracePeriod() throws Exception {
    restartWith("--trace", "--idle-timeout=1", "--linger=1");
    Peer idle = server.connect();
    assertThat(idle.atEndOfStream()).isTrue();
    // What it sends now is read and thrown away: no echo, and no reset when we close.
    idle.send("anyone there?");
    server.awaitLine(
        line -> line.startsWith(Scenarios.name(idle) + "read: discarded 13 B (lingering)"));
    server.awaitLine(line -> line.equals("dropped idle " + address(idle)));
  }

  @Test
  void anIdleServerWakesOnlyForItsTimerTwicePerIdleTimeout() throws Exception {
    restartWith("--trace", "--idle-timeout=1");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> server.count("pass ") <= 5);
    assertThat(server.lines(line -> line.startsWith("pass ")))
        .isNotEmpty()
        .allMatch(line -> line.endsWith(": nothing ready (a timer is due)"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "--idle-timeout=-5 | --idle-timeout=-5: must be a whole number from 0 to 86400 seconds;"
            + " 0 is off (usage: EchoServer",
        "--idle-timeout=99999999 | --idle-timeout=99999999: must be a whole number from 0 to"
            + " 86400 seconds; 0 is off (usage: EchoServer",
        "--high-water=99999999999 | --high-water=99999999999: must be a whole number from 1 to"
            + " 1073741824 bytes (usage: EchoServer",
        "--low-water=2000000 | --low-water=2000000: must be a whole number from 0 to 1048575"
            + " bytes, below the high water mark (1048576, the default) (usage: EchoServer",
        "--high-water=4096 --low-water=4096 | --low-water=4096: must be a whole number from 0 to"
            + " 4095 bytes, below the high water mark (4096) (usage: EchoServer",
        "--max-connections=0 | --max-connections=0: must be a whole number from 1 to 1048576"
            + " clients (usage: EchoServer",
        "--linger=soon | --linger=soon: must be a whole number from 0 to 3600 seconds; 0 closes"
            + " at once (usage: EchoServer",
        "-1 | the port must be from 0 to 65535, not '-1' (usage: EchoServer",
      })
  void aBadSettingGetsOneLineNamingTheValueTheRangeAndTheUnit(String args, String message) {
    Launched launched = launch(args.split(" "));
    assertThat(launched.server()).isNull();
    assertThat(launched.err().lines())
        .singleElement()
        .asString()
        .startsWith("EchoServer: " + message);
  }

  @Test
  void twoHundredClientsWithRandomTrafficGetEveryByteThroughPausesAndTheFastPath()
      throws Exception {
    // Step 4's soak, through the fast path and the chunked queue. (The soak sends each message
    // whole before it reads the echo: a high water mark below its largest message could pause
    // a client that is itself stuck in write(), wherever the kernel's buffers are small.)
    restartWith();
    Soak.runAgainst(server);
  }

  private static String address(Peer peer) {
    return Scenarios.name(peer).strip();
  }

  private static long highWaterAndARead() {
    return HIGH_WATER + EchoServer.READ_SIZE;
  }

  private static long queued(String line) {
    Matcher matcher = QUEUED.matcher(line);
    assertThat(matcher.find()).as("queued in: %s", line).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  private static void send(Peer peer, byte[] bytes) {
    try {
      peer.send(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // Sends 64 KiB chunks, each marked with its number, until the server logs a line that matches;
  // returns every byte it sent.
  private static void readUntilEndOfStream(Peer peer) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    for (int reads = 0; reads < 100_000; reads++) {
      if (peer.socket.getInputStream().read(chunk) == -1) {
        return;
      }
    }
  }

  private byte[] sendUntil(Peer peer, Predicate<String> until) {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    byte[] chunk = Peer.pattern(64 * 1024);
    while (sent.size() < MOST_BYTES && !server.logged(until)) {
      chunk[0] = (byte) (sent.size() / chunk.length);
      send(peer, chunk);
      sent.write(chunk, 0, chunk.length);
    }
    return sent.toByteArray();
  }

  // Reads while the sender still sends, then exactly the rest of what it sent.
  private static byte[] receiveAll(Peer peer, CompletableFuture<byte[]> sending) throws Exception {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    for (int reads = 0; reads < 10_000 && !sending.isDone(); reads++) {
      received.write(peer.receiveUpTo(64 * 1024, 100));
    }
    byte[] sent = sending.get(5, TimeUnit.SECONDS);
    received.write(peer.receive(sent.length - received.size()));
    return received.toByteArray();
  }

  // Sends up to 64 MiB, far more than the server takes: it stops reading long before.
  private static void sendUntilClosed(Peer peer) {
    byte[] chunk = new byte[256 * 1024];
    try {
      for (int i = 0; i < 256; i++) {
        peer.send(chunk);
      }
    } catch (IOException e) {
      // The test is over and closed the socket under us: that is how this sender stops.
    }
  }
}
