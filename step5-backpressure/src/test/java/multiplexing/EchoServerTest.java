package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EchoServerTest {
  private ServerFixture fixture;
  private final List<Peer> peers = new ArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    fixture = ServerFixture.start();
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (Peer peer : peers) {
      peer.close();
    }
    fixture.close();
  }

  /** Replaces the default server with one of these limits, whose log fails once on a match. */
  private void restartWith(EchoServer.Limits limits, Predicate<String> failOnce) throws Exception {
    fixture.close();
    fixture = ServerFixture.start(limits, failOnce);
  }

  private Peer connect() throws IOException {
    Peer peer = fixture.connect();
    peers.add(peer);
    return peer;
  }

  @Test
  void fiftyClientsConnectedAtOnceAllGetTheirEchoesInterleaved() throws IOException {
    for (int i = 0; i < 50; i++) {
      connect();
    }
    // Every client speaks before any reads: one thread must serve them all, in any order.
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < peers.size(); i++) {
        peers.get(i).send("client " + i + " round " + round);
      }
      for (int i = 0; i < peers.size(); i++) {
        String expected = "client " + i + " round " + round;
        assertThat(peers.get(i).receiveText(expected.length())).isEqualTo(expected);
      }
    }
  }

  @ParameterizedTest(name = "reset = {0}")
  @ValueSource(booleans = {false, true})
  void aClientThatLeavesByEndOfStreamOrResetLeavesTheOthersWorking(boolean reset)
      throws IOException {
    Peer leaving = connect();
    Peer staying = connect();
    assertThat(leaving.echo("bye")).isEqualTo("bye");
    if (reset) {
      leaving.reset();
    } else {
      leaving.close();
    }
    String expected = reset ? "reset by peer" : "closed by peer";
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> fixture.log().stream().anyMatch(line -> line.startsWith(expected)));
    assertThat(staying.echo("still here")).isEqualTo("still here");
    assertThat(connect().echo("and a newcomer")).isEqualTo("and a newcomer");
    awaitIdleCounters(2);
  }

  @Test
  void everyByteValueZeroIncludedComesBackExactly() throws IOException {
    byte[] payload = new byte[256 * 8];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    Peer peer = connect();
    peer.send(payload);
    assertThat(peer.receive(payload.length)).isEqualTo(payload);
  }

  @Test
  void a64KiBMessageComesBackWhole() throws IOException {
    byte[] payload = new byte[64 * 1024];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31 + 7);
    }
    Peer peer = connect();
    peer.send(payload);
    assertThat(peer.receive(payload.length)).isEqualTo(payload);
  }

  /** A pattern that never repeats within a message, so a lost or reordered chunk shows. */
  private static byte[] pattern(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  @Test
  void sixteenMiBToAClientThatReadsThroughASmallBufferComeBackByteForByteInOrder()
      throws Exception {
    // The client's small buffers fill up, so our writes are partial and the rest waits in the
    // queue. Unlike step 3, the client must read as it sends: past the high water mark we stop
    // reading from it, and then its own writes wait (see the backpressure test below).
    byte[] sent = pattern(16 * 1024 * 1024);
    Peer slow = Peer.connect(fixture.port(), 4096);
    peers.add(slow);
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> sendAll(slow, sent));

    assertThat(slow.receive(sent.length)).isEqualTo(sent);

    sending.get(5, TimeUnit.SECONDS);
    awaitIdleCounters(1);
  }

  /** Waits until the server holds {@code clients} connections and owes none of them a byte. */
  private void awaitIdleCounters(int clients) {
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(fixture.server.connections()).isEqualTo(clients);
              assertThat(fixture.server.registeredKeys()).isEqualTo(clients);
              assertThat(fixture.server.queuedBytes()).isZero();
              assertThat(fixture.server.writeInterested()).isZero();
            });
  }

  /** Waits until select() has not returned for a quarter of a second: the loop sleeps. */
  private void awaitLoopAsleep() {
    AtomicLong last = new AtomicLong(-1);
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              long now = fixture.server.wakeups();
              return last.getAndSet(now) == now;
            });
  }

  private static void sendAll(Peer peer, byte[] bytes) {
    try {
      peer.send(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void withAHundredIdleClientsTheLoopSleepsAndNoKeyAsksForOpWrite() throws IOException {
    for (int i = 0; i < 100; i++) {
      assertThat(connect().echo("ping " + i)).isEqualTo("ping " + i);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                fixture.server.connections() == 100
                    && fixture.server.writeInterested() == 0
                    && fixture.server.queuedBytes() == 0);
    long wakeups = fixture.server.wakeups();
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> fixture.server.wakeups() == wakeups);
  }

  @Test
  void anEchoTheSocketHasRoomForGoesOutInThePassThatReadIt() throws IOException {
    // Step 3 asks for OP_WRITE after every read and writes on the next pass: two passes per
    // echo. Writing at once takes one.
    Peer peer = connect();
    assertThat(peer.echo("warm up")).isEqualTo("warm up");
    long before = fixture.server.wakeups();
    for (int i = 0; i < 50; i++) {
      assertThat(peer.echo("echo " + i)).isEqualTo("echo " + i);
    }
    assertThat(fixture.server.wakeups() - before).isLessThanOrEqualTo(60);
    assertThat(fixture.server.writeInterested()).isZero();
  }

  @Test
  void twoClientsTakeTurnsAsInTheSeedSession() throws IOException {
    Peer first = connect();
    Peer second = connect();
    assertThat(first.echo("jerome")).isEqualTo("jerome");
    assertThat(second.echo("hello")).isEqualTo("hello");
    assertThat(first.echo("你好")).isEqualTo("你好");
    assertThat(second.echo("again")).isEqualTo("again");
    assertThat(fixture.log().stream().filter(line -> line.startsWith("accepted "))).hasSize(2);
  }

  @Test
  void aClientThatNeverReadsIsPausedAtTheHighWaterMarkAndGetsEveryByteOnceItReads()
      throws Exception {
    restartWith(new EchoServer.Limits(64 * 1024, 16 * 1024, 100, Duration.ZERO), line -> false);
    Peer greedy = Peer.connect(fixture.port(), 4096);
    peers.add(greedy);
    Peer bystander = connect();
    byte[] sent = pattern(8 * 1024 * 1024);
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> sendAll(greedy, sent));

    // We stop reading from it, so TCP makes its writes wait: memory stays bounded.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> fixture.log().stream().anyMatch(line -> line.startsWith("paused reading")));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> fixture.server.queuedBytes() <= 64 * 1024 + EchoServer.READ_SIZE);
    assertThat(sending).isNotDone();
    assertThat(bystander.echo("not stuck behind it")).isEqualTo("not stuck behind it");

    // Once it reads, it gets everything, in order, and its writes go through.
    assertThat(greedy.receive(sent.length)).isEqualTo(sent);
    sending.get(5, TimeUnit.SECONDS);
    assertThat(fixture.log()).anyMatch(line -> line.startsWith("resumed reading"));
    awaitIdleCounters(2);
  }

  @Test
  void aClientThatHalfClosesStillGetsEveryByteOfItsEchoThenTheServerCloses() throws Exception {
    // Room for the whole message in the queue, so the client can send it all and half-close
    // before it reads a byte: the end of stream then surely arrives while most of the echo is
    // still queued, as in step 3's test of the same case.
    restartWith(
        new EchoServer.Limits(64 * 1024 * 1024, 1024 * 1024, 100, Duration.ZERO), line -> false);
    byte[] sent = pattern(16 * 1024 * 1024);
    Peer halfClosing = Peer.connect(fixture.port(), 4096);
    peers.add(halfClosing);
    halfClosing.send(sent);
    halfClosing.socket.shutdownOutput();
    // Its end of stream is read once: the key stops asking for OP_READ, so once the server
    // has read everything the loop sleeps, instead of finding the client readable every pass.
    awaitLoopAsleep();

    assertThat(halfClosing.receive(sent.length)).isEqualTo(sent);
    assertThat(halfClosing.socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    assertThat(fixture.log()).anyMatch(line -> line.startsWith("closed by peer"));
    awaitIdleCounters(0);
  }

  @Test
  void aboveTheConnectionCapANewcomerIsClosedAtOnceAndTheOthersKeepTheirEcho() throws Exception {
    restartWith(new EchoServer.Limits(1024 * 1024, 256 * 1024, 2, Duration.ZERO), line -> false);
    Peer first = connect();
    Peer second = connect();
    assertThat(first.echo("one")).isEqualTo("one");
    assertThat(second.echo("two")).isEqualTo("two");

    Peer third = connect();
    assertThat(third.socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> fixture.log().stream().anyMatch(line -> line.startsWith("refused ")));
    assertThat(first.echo("still one")).isEqualTo("still one");

    second.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server.connections() == 1);
    assertThat(connect().echo("room again")).isEqualTo("room again");
    awaitIdleCounters(2);
  }

  @Test
  void aClientIdleForTheTimeoutIsDroppedWhileABusyOneStays() throws Exception {
    restartWith(
        new EchoServer.Limits(1024 * 1024, 256 * 1024, 100, Duration.ofMillis(600)), line -> false);
    Peer idle = connect();
    Peer busy = connect();
    // The busy client echoes every 100 ms: it never goes 600 ms without progress.
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(4))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> busy.echo("tick").equals("tick"));
    assertThat(idle.socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    assertThat(fixture.log()).anyMatch(line -> line.startsWith("dropped idle"));
    awaitIdleCounters(1);
  }

  @Test
  void aClientThatReadsSlowlyIsNotIdleThoughTheSelectorSeesNoRoomForSeconds() throws Exception {
    // The kernel reports room in a full send buffer only once much of it has drained; at this
    // pace that takes seconds, far longer than the timeout. Writes that go through still count.
    restartWith(
        new EchoServer.Limits(64 * 1024 * 1024, 1024 * 1024, 100, Duration.ofMillis(500)),
        line -> false);
    byte[] sent = pattern(16 * 1024 * 1024);
    Peer slow = connect();
    slow.send(sent);
    byte[] received = new byte[sent.length];
    AtomicInteger offset = new AtomicInteger();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> readSome(slow, received, offset, 64 * 1024));
    byte[] rest = slow.receive(sent.length - offset.get());
    System.arraycopy(rest, 0, received, offset.get(), rest.length);

    assertThat(received).isEqualTo(sent);
    assertThat(fixture.log()).noneMatch(line -> line.startsWith("dropped idle"));
  }

  /** Reads up to {@code most} bytes into {@code into} at {@code offset}; true unless at EOF. */
  private static boolean readSome(Peer peer, byte[] into, AtomicInteger offset, int most)
      throws IOException {
    int count = peer.socket.getInputStream().read(into, offset.get(), most);
    offset.addAndGet(Math.max(count, 0));
    return count != -1;
  }

  @Test
  void anExceptionWhileSettingUpANewClientClosesThatClientAlone() throws Exception {
    // The log fails on the line that announces the client, before it is registered.
    restartWith(EchoServer.Limits.DEFAULTS, line -> line.startsWith("accepted "));
    Peer unlucky = connect();
    assertThat(unlucky.socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    assertThat(connect().echo("next, please")).isEqualTo("next, please");
    assertThat(fixture.log()).anyMatch(line -> line.startsWith("dropped on "));
    awaitIdleCounters(1);
  }

  @Test
  void anExceptionWhileHandlingOneClientDropsThatClientAlone() throws Exception {
    // A log that fails once, as a full disk would, in the middle of handling one client.
    restartWith(
        new EchoServer.Limits(64 * 1024, 16 * 1024, 100, Duration.ZERO),
        line -> line.startsWith("paused reading"));
    Peer bystander = connect();
    Peer victim = Peer.connect(fixture.port(), 4096);
    peers.add(victim);
    CompletableFuture.runAsync(() -> sendAll(victim, new byte[8 * 1024 * 1024]));

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> fixture.log().stream().anyMatch(line -> line.startsWith("dropped on ")));
    assertThat(bystander.echo("unharmed")).isEqualTo("unharmed");
    awaitIdleCounters(1);
  }

  @Test
  void closingTheServerEndsTheLoopClosesEveryClientAndFreesThePort() throws Exception {
    Peer peer = connect();
    assertThat(peer.echo("hello")).isEqualTo("hello");
    int port = fixture.port();

    fixture.close();

    assertThat(fixture.loopEnded()).isTrue();
    assertThat(fixture.log()).endsWith("stopped").containsOnlyOnce("stopped");
    assertThat(peer.socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress("127.0.0.1", port));
    }
  }

  @Test
  void anInterruptStopsTheLoopLikeClose() throws Exception {
    Peer peer = connect();
    assertThat(peer.echo("hello")).isEqualTo("hello");

    fixture.interruptLoop();

    await().atMost(Duration.ofSeconds(5)).until(fixture::loopEnded);
    assertThat(peer.socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    assertThat(fixture.log()).contains("interrupted, stopping");
  }
}
