package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;

import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Scenarios.Transfer;
import multiplexing.testkit.ServerFixture;
import multiplexing.testkit.Soak;
import org.junit.jupiter.api.Test;

/** Step 4: every way a client leaves ends in one drop(), and a fault costs one client alone. */
class EchoServerTest extends EchoContract {
  EchoServerTest() {
    super(EchoServer.class, "--trace");
  }

  @Test
  void aClientThatHalfClosesStillGetsEveryByteOfItsEchoThenTheEndOfStream() throws Exception {
    // Step 3's weakness, gone: the end of stream stops our reading, not our writing.
    Transfer transfer = Scenarios.halfClosesWhileOwedAnEcho(server);
    assertThat(transfer.intact()).as(transfer.toString()).isTrue();
    server.awaitLineStartingWith("closed by peer");
  }

  @Test
  void anExceptionWhileHandlingOneClientDropsThatClientAlone() throws Exception {
    // A log that fails once, as a full disk would, in the middle of handling one client: on
    // the trace line of its first read, after its bytes are queued and before they are sent.
    server.close();
    String firstRead = " read: read 7 B, queued 7 B, interest read -> read+write";
    server =
        ServerFixture.startFailingOnce(
            EchoServer.class, line -> line.endsWith(firstRead), "--trace");
    Peer bystander = server.connect();
    assertThat(bystander.echo("ok")).isEqualTo("ok");
    Peer victim = server.connect();
    victim.send("unlucky");
    server.awaitLineStartingWith("dropped on IllegalStateException");
    assertThat(victim.atEndOfStream()).isTrue();
    assertThat(bystander.echo("unharmed")).isEqualTo("unharmed");
  }

  @Test
  void anExceptionWhileSettingUpANewClientClosesThatClientAlone() throws Exception {
    // The log fails on the line that announces the client, before it is registered.
    server.close();
    server =
        ServerFixture.startFailingOnce(
            EchoServer.class, line -> line.startsWith("accepted "), "--trace");
    Peer unlucky = server.connect();
    assertThat(unlucky.atEndOfStream()).isTrue();
    assertThat(server.connect().echo("next, please")).isEqualTo("next, please");
    assertThat(server.log()).anyMatch(line -> line.startsWith("dropped on IllegalStateException"));
  }

  @Test
  void twoHundredClientsWithRandomTrafficAndRandomExitsEachGetExactlyTheirOwnBytes()
      throws Exception {
    restartWith(); // no trace: its lines would slow the server ten times over
    Soak.runAgainst(server);
  }

  @Test
  void theQueueOfAClientThatNeverReadsStillGrowsWithoutBound() throws Exception {
    // The weakness this step keeps: step 5 would have stopped reading long before 8 MiB.
    long threshold = 8 * 1024 * 1024;
    assertThat(Scenarios.queuedForAClientThatNeverReads(server, threshold))
        .isGreaterThanOrEqualTo(threshold);
  }
}
