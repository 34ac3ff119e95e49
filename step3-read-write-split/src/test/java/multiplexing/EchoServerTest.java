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
  void sixteenMiBToAClientThatReadsOnlyAfterSendingEverythingComeBackByteForByteInOrder()
      throws Exception {
    // While the client is not reading, its small buffers fill up and our writes are partial:
    // everything else waits in the queue, with OP_WRITE on until the queue drains.
    byte[] sent = pattern(16 * 1024 * 1024);
    Peer slow = Peer.connect(fixture.port(), 4096);
    peers.add(slow);
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> sendAll(slow, sent));
    await().atMost(Duration.ofSeconds(10)).until(sending::isDone);
    sending.join();
    assertThat(fixture.server.queuedBytes()).isPositive();
    assertThat(fixture.server.writeInterested()).isEqualTo(1);

    assertThat(slow.receive(sent.length)).isEqualTo(sent);

    await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server.queuedBytes() == 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server.writeInterested() == 0);
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
  void theQueueOfAClientThatNeverReadsGrowsWithoutBound() throws IOException {
    // The weakness step 4 fixes: we keep reading from this client and keep every byte of its
    // echo in memory. Here over 8 MiB wait in the queue, far past any sane limit.
    Peer greedy = Peer.connect(fixture.port(), 4096);
    peers.add(greedy);
    greedy.send(new byte[24 * 1024 * 1024]);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> fixture.server.queuedBytes() > 8 * 1024 * 1024);
  }

  @Test
  void aClientThatHalfClosesLosesTheEchoStillQueuedForIt() throws IOException {
    // The other weakness step 4 fixes: end of stream means "I am done sending", not "I am
    // gone", yet we close at once and drop what is still queued.
    int sent = 16 * 1024 * 1024;
    Peer halfClosing = Peer.connect(fixture.port(), 4096);
    peers.add(halfClosing);
    halfClosing.send(new byte[sent]);
    halfClosing.socket.shutdownOutput();
    assertThat(halfClosing.drainToEnd()).as("bytes echoed of %d sent", sent).isLessThan(sent);
    // What was dropped left the counters with the connection.
    await().atMost(Duration.ofSeconds(5)).until(() -> fixture.server.connections() == 0);
    assertThat(fixture.server.queuedBytes()).isZero();
    assertThat(fixture.server.writeInterested()).isZero();
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
}
