package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Lesson;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Scenarios.Transfer;
import multiplexing.testkit.ServerFixture;
import multiplexing.testkit.Soak;
import multiplexing.testkit.Weakness;
import org.junit.jupiter.api.Test;

/** Step 4: every way a client leaves ends in one drop(), and a fault costs one client alone. */
class EchoServerTest extends EchoContract {

  @Test
  @Lesson("the end of stream stops the reading only: write the whole queue, then close")
  void aClientThatHalfClosesStillGetsEveryByteOfItsEchoThenTheEndOfStream() throws Exception {
    // Step 3's weakness, gone: the end of stream stops our reading, not our writing.
    restartWith("--trace");
    Transfer transfer = Scenarios.halfClosesWhileOwedAnEcho(server);
    assertThat(transfer.intact()).as("every byte of the echo: %s", transfer).isTrue();
    server.awaitLineStartingWith("closed by peer");
  }

  @Test
  @Lesson("catch a RuntimeException around one client's events too, and drop that client alone")
  void anExceptionWhileHandlingOneClientDropsThatClientAlone() throws Exception {
    // A log that fails once, as a full disk would, in the middle of handling one client: on
    // the trace line of its first read, after its bytes are queued and before they are sent.
    server.close();
    String firstRead = " read: read 7 B, queued 7 B, interest read -> read+write";
    server =
        ServerFixture.startFailingOnce(serverClass(), line -> line.endsWith(firstRead), "--trace");
    Peer bystander = server.connect();
    assertThat(bystander.echo("ok")).isEqualTo("ok");
    Peer victim = server.connect();
    victim.send("unlucky");
    // A server whose loop the fault ends fails here at once, not after a wait for the line.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.count("dropped on IllegalStateException") > 0 || server.loopEnded());
    assertThat(server.loopEnded()).as("the loop ended on one client's fault").isFalse();
    assertThat(victim.atEndOfStream()).as("the victim is closed").isTrue();
    assertThat(bystander.echo("unharmed")).as("the bystander's next echo").isEqualTo("unharmed");
  }

  @Test
  @Lesson("whatever fails while setting up a new client closes that client, not the server")
  void anExceptionWhileSettingUpANewClientClosesThatClientAlone() throws Exception {
    // The log fails on the line that announces the client, before it is registered.
    server.close();
    server =
        ServerFixture.startFailingOnce(
            serverClass(), line -> line.startsWith("accepted "), "--trace");
    Peer unlucky = server.connect();
    assertThat(unlucky.atEndOfStream()).as("the unlucky client is closed").isTrue();
    assertThat(server.connect().echo("next, please"))
        .as("the next client's echo")
        .isEqualTo("next, please");
    assertThat(server.log()).anyMatch(line -> line.startsWith("dropped on IllegalStateException"));
  }

  @Test
  @Lesson("every way a client leaves, with bytes in flight or half-closed, ends in drop()")
  void twoHundredClientsWithRandomTrafficAndRandomExitsEachGetExactlyTheirOwnBytes()
      throws Exception {
    Soak.runAgainst(server);
  }

  @Test
  @Weakness
  void theQueueOfAClientThatNeverReadsStillGrowsWithoutBound() throws Exception {
    // The weakness this step keeps: step 5 would have stopped reading long before 8 MiB.
    restartWith("--trace");
    long threshold = 8 * 1024 * 1024;
    assertThat(Scenarios.queuedForAClientThatNeverReads(server, threshold))
        .isGreaterThanOrEqualTo(threshold);
  }
}
