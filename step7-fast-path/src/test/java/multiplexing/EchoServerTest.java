package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import multiplexing.testkit.Contract;
import multiplexing.testkit.EchoContract;
import multiplexing.testkit.Lesson;
import multiplexing.testkit.Peer;
import multiplexing.testkit.Scenarios;
import multiplexing.testkit.Soak;
import org.junit.jupiter.api.Test;

/** Step 7: an echo costs one pass when the socket has room, and a read takes up to 64 KiB. */
class EchoServerTest extends EchoContract {

  @Test
  @Lesson("with nothing queued, write the bytes back in the pass that read them; queue the rest")
  void anEchoTheSocketHasRoomForLeavesInThePassThatReadItAndNothingIsQueued() throws Exception {
    // Step 6's weakness, gone: it queued every read, turned OP_WRITE on, and wrote a pass later.
    restartWith("--trace");
    assertThat(Scenarios.traceOfOneEcho(server, "hello"))
        .as("the trace of one echo")
        .extracting(line -> line.substring(line.indexOf(" ", 2) + 1))
        .containsExactly("read: read 5 B, wrote 5 B, queued 0 B, interest read -> read");
  }

  @Test
  @Lesson("read into a buffer of 64 KiB: a 16 KiB message that arrived whole is one read")
  void aSixteenKiBMessageSentAtOnceTakesFewerThanSixteenReads() throws Exception {
    // Step 6's other weakness, gone: the tutorial's recv(1024) took sixteen reads for it.
    restartWith("--trace");
    assertThat(Scenarios.readsOfOneMessage(server, 16 * 1024))
        .as("the sizes of the reads")
        .hasSizeLessThan(16);
  }

  @Test
  @Contract
  void aClientThatNeverReadsIsStillPausedAndGetsEveryByteOnceItReads() throws Exception {
    // Step 5's water marks, through the fast path and the packed queue.
    int highWater = 64 * 1024;
    restartWith("--trace", "--high-water=" + highWater);
    Scenarios.pausedAtTheHighWaterMarkGetsEveryByteOnceItReads(server, highWater);
  }

  @Test
  @Contract
  void aSilentClientIsStillClosedAfterTheIdleTimeoutAndItsPlaceGoesToANewcomer() throws Exception {
    // Step 6's idle timeout, with the fast path: an echo written at once still counts as traffic.
    restartWith("--max-connections=1", "--idle-timeout=1", "--linger=0");
    Scenarios.silentClientIsDroppedAndANewcomerTakesItsPlace(server);
  }

  @Test
  @Contract
  void bytesThatArriveWhileOlderOnesAreQueuedComeBackAfterThem() throws Exception {
    // Write at once only with nothing queued: bytes that jumped the queue would come back first.
    // The mark is far above what we queue, so that we keep reading while the trace catches up.
    restartWith("--trace", "--high-water=" + 64 * 1024 * 1024);
    Peer peer = server.connect(4096);
    byte[] held =
        Scenarios.sendUntil(
            server,
            peer,
            Scenarios.queuedFor(Scenarios.name(peer), Scenarios.STUCK),
            Scenarios.MOST_BYTES);
    byte[] more = Peer.pattern(1024 * 1024);
    CompletableFuture<Void> sending =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int at = 0; at < more.length; at += 1024) {
                  peer.send(Arrays.copyOfRange(more, at, at + 1024));
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    for (int reads = 0; reads < 10_000 && received.size() < held.length + more.length; reads++) {
      received.write(peer.receiveUpTo(held.length + more.length - received.size(), 2_000));
    }
    sending.get(10, TimeUnit.SECONDS);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(held);
    expected.write(more);
    assertThat(Arrays.equals(received.toByteArray(), expected.toByteArray()))
        .as(
            "the %d B held, then the %d B sent while they waited, in order",
            held.length, more.length)
        .isTrue();
  }

  @Test
  @Contract
  void aClientThatSendsWhileItReadsGetsEveryByteInOrderThroughTheFastPath() throws Exception {
    // Write at once only with nothing queued ahead: bytes that jumped the queue would show here.
    restartWith("--high-water=65536");
    Scenarios.Transfer transfer = Scenarios.sendsWhileReading(server.port(), 4 * 1024 * 1024);
    assertThat(transfer.intact()).as("every byte back, in order: %s", transfer).isTrue();
  }

  @Test
  @Contract
  void twoHundredClientsWithRandomTrafficGetEveryByteThroughTheFastPath() throws Exception {
    Soak.runAgainst(server);
  }
}
