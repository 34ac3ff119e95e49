package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void writingStraightBackLosesBytesWhenTheClientDoesNotReadFastEnough() throws IOException {
    // The weakness step 3 fixes: once this client's buffers are full, write() takes only part
    // of each chunk and step 2 forgets the rest. 16 MiB is far more than the buffers hold.
    int sent = 16 * 1024 * 1024;
    Peer slow = Peer.connect(fixture.port(), 4096);
    peers.add(slow);
    slow.send(new byte[sent]);
    slow.socket.shutdownOutput();
    long received = slow.drainToEnd();
    assertThat(received).as("bytes echoed of %d sent", sent).isLessThan(sent);
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
