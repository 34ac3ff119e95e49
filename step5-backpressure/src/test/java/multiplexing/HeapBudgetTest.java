package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server in a child JVM with a small heap, against more greedy clients than it can hold. */
class HeapBudgetTest {
  private static final int GREEDY_CLIENTS = 70;

  private final List<Peer> peers = new ArrayList<>();
  private final ExecutorService senders = Executors.newFixedThreadPool(GREEDY_CLIENTS);
  private ChildServer child;

  @AfterEach
  void stopEverything() throws Exception {
    for (Peer peer : peers) {
      peer.close();
    }
    senders.shutdownNow();
    assertThat(senders.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    if (child != null) {
      child.close();
    }
  }

  @Test
  void clientsThatNeverReadCannotTogetherExhaustTheHeap() throws Exception {
    // 70 clients at a 1 MiB high water mark each would need 70 MiB of a 64 MiB heap. All
    // together they may hold a quarter of it, so each is paused long before that.
    child = new ChildServer("true", List.of("-Xmx64m", "-XX:+UseSerialGC"));
    for (int i = 0; i < GREEDY_CLIENTS; i++) {
      Peer greedy = Peer.connect(child.port(), 4096);
      peers.add(greedy);
      senders.execute(() -> sendUntilClosed(greedy));
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> child.count("paused reading") >= GREEDY_CLIENTS);
    try (Peer bystander = Peer.connect(child.port())) {
      assertThat(bystander.echo("still standing")).isEqualTo("still standing");
    }
    assertThat(child.isAlive()).isTrue();
    assertThat(child.log()).noneMatch(line -> line.contains("OutOfMemoryError"));
  }

  // Sends up to 64 MiB, far more than the server will take: it stops reading long before.
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
