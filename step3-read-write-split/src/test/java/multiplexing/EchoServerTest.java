package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Scenarios.Transfer;
import org.junit.jupiter.api.Test;

/** Step 3: a queue per client, OP_WRITE only while it is not empty; unbounded, and lossy at EOF. */
class EchoServerTest extends EchoContract {
  EchoServerTest() {
    super(EchoServer.class, "--trace");
  }

  @Test
  void aClientThatReadsOnlyAfterSendingSixteenMiBGetsEveryByteBackInOrder() throws IOException {
    // Step 2's weakness, gone: what the socket refuses waits in the queue, not on the floor.
    Transfer transfer = Scenarios.readsOnlyAfterSending(server, 16 * 1024 * 1024);
    assertThat(server.log()).noneMatch(line -> line.contains(", lost "));
    assertThat(transfer.intact()).as(transfer.toString()).isTrue();
  }

  @Test
  void opWriteIsOnOnlyWhileSomethingIsQueued() throws IOException {
    Peer peer = server.connect();
    assertThat(peer.echo("jerome")).isEqualTo("jerome");
    String name = Scenarios.name(peer);
    server.awaitLine(line -> line.startsWith(name + "write: "));
    assertThat(server.lines(line -> line.startsWith(name)))
        .containsExactly(
            name + "read: read 6 B, queued 6 B, interest read -> read+write",
            name + "write: wrote 6 B, queued 0 B, interest read+write -> read");
  }

  @Test
  void withAHundredIdleClientsTheLoopSleeps() throws IOException {
    // Forget to clear OP_WRITE and every idle client's key is ready on every pass.
    for (int i = 0; i < 100; i++) {
      assertThat(server.connect().echo("ping " + i)).isEqualTo("ping " + i);
    }
    server.awaitNoPassFor(A_WHILE);
  }

  @Test
  void theQueueOfAClientThatNeverReadsGrowsWithoutBound() throws IOException {
    // The weakness this step keeps: step 5 would have stopped reading long before 8 MiB.
    long threshold = 8 * 1024 * 1024;
    assertThat(Scenarios.queuedForAClientThatNeverReads(server, threshold))
        .isGreaterThanOrEqualTo(threshold);
  }

  @Test
  void aClientThatHalfClosesLosesTheEchoStillQueuedForIt() throws IOException {
    // The other weakness this step keeps: at the end of stream we close, queue and all.
    Transfer transfer = Scenarios.halfClosesWhileOwedAnEcho(server);
    assertThat(transfer.received().length).isLessThan(transfer.sent().length);
  }
}
