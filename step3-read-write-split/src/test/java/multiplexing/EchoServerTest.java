package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;

import multiplexing.testkit.Contract;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Lesson;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Scenarios.Transfer;
import multiplexing.testkit.Weakness;
import org.junit.jupiter.api.Test;

/** Step 3: a queue per client, OP_WRITE only while it is not empty; unbounded, and lossy at EOF. */
class EchoServerTest extends EchoContract {

  @Test
  @Lesson("queue what write() did not take, and write it when the selector says there is room")
  void aClientThatReadsOnlyAfterSendingSixteenMiBGetsEveryByteBackInOrder() throws Exception {
    // Step 2's weakness, gone: what the socket refuses waits in the queue, not on the floor.
    restartWith("--trace");
    Transfer transfer = Scenarios.readsOnlyAfterSending(server, 16 * 1024 * 1024);
    assertThat(server.log()).as("the trace").noneMatch(line -> line.contains(", lost "));
    assertThat(transfer.intact()).as("every byte back, in order: %s", transfer).isTrue();
  }

  @Test
  @Lesson(
      "a read queues its bytes and turns OP_WRITE on; the write that empties the queue turns it off")
  void opWriteIsOnOnlyWhileSomethingIsQueued() throws Exception {
    restartWith("--trace");
    assertThat(Scenarios.traceOfOneEcho(server, "jerome"))
        .as("the trace of one echo")
        .extracting(line -> line.substring(line.indexOf(" ", 2) + 1))
        .containsExactly(
            "read: read 6 B, queued 6 B, interest read -> read+write",
            "write: wrote 6 B, queued 0 B, interest read+write -> read");
  }

  @Test
  @Contract
  void withAHundredIdleClientsTheLoopSleeps() throws Exception {
    // Forget to clear OP_WRITE and every idle client's key is ready on every pass.
    restartWith("--trace");
    for (int i = 0; i < 100; i++) {
      assertThat(server.connect().echo("ping " + i)).isEqualTo("ping " + i);
    }
    server.awaitNoPassFor(A_WHILE);
  }

  @Test
  @Weakness
  void theQueueOfAClientThatNeverReadsGrowsWithoutBound() throws Exception {
    // The weakness this step keeps: step 5 would have stopped reading long before 8 MiB.
    restartWith("--trace");
    long threshold = 8 * 1024 * 1024;
    assertThat(Scenarios.queuedForAClientThatNeverReads(server, threshold))
        .isGreaterThanOrEqualTo(threshold);
  }

  @Test
  @Weakness
  void aClientThatHalfClosesLosesTheEchoStillQueuedForIt() throws Exception {
    // The other weakness this step keeps: at the end of stream we close, queue and all.
    restartWith("--trace");
    Transfer transfer = Scenarios.halfClosesWhileOwedAnEcho(server);
    assertThat(transfer.received().length).isLessThan(transfer.sent().length);
  }
}
