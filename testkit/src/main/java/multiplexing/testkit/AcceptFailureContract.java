package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Out of descriptors, accept() fails and the server goes on: what step 4 adds and every later step
 * keeps. Each step from 4 on has an {@code AcceptFailureTest} that extends this class.
 */
public abstract class AcceptFailureContract {
  private final Class<?> serverClass = EchoContract.serverBeside(getClass());

  @Test
  void outOfDescriptorsAcceptingPausesWithGrowingBackoffAndResumesWhenSomeAreFree()
      throws Exception {
    Assumptions.assumeTrue(ChildServer.bashAvailable(), "needs bash for ulimit");
    // `ulimit -n` sets both the soft and the hard limit, so the JVM cannot raise it again.
    try (ChildServer child =
        new ChildServer(
            serverClass, "ulimit -n 96", List.of("-Xmx64m", "-XX:+UseSerialGC"), "--trace")) {
      // One client at a time, each either accepted or met by a failed accept(), so that we stop
      // before the backlog of 50 is full and a connect would wait for the kernel's retries.
      List<Peer> in = new ArrayList<>();
      List<Peer> waiting = new ArrayList<>();
      for (int i = 0; i < 150 && child.count("accept failed") == 0; i++) {
        Peer peer = child.connect();
        String accepted = "accepted " + Scenarios.address(peer);
        // A server that died ends its log, and this wait with it.
        child.awaitLine(line -> line.equals(accepted) || line.startsWith("accept failed"));
        (child.logged(accepted::equals) ? in : waiting).add(peer);
      }
      // A server that accepts several per pass (step 7) may fail on the accept() after the last
      // client it took, with nobody waiting yet: then one more comes, and waits.
      if (waiting.isEmpty()) {
        waiting.add(child.connect());
      }
      assertThat(child.count("accept failed")).as("'accept failed' lines").isPositive();
      assertThat(in).as("clients the server accepted").isNotEmpty();

      // No hot loop: one line per pause, and each pause twice as long as the one before.
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(2))
          .until(() -> child.count("accept failed") <= 8);
      // Clients already in keep their echo meanwhile.
      assertThat(in.get(0).echo("still served"))
          .as("the echo of a client accepted before")
          .isEqualTo("still served");

      // Once descriptors are free again, the clients waiting in the backlog get in.
      for (Peer peer : in) {
        peer.close();
      }
      assertThat(waiting.get(0).echo("my turn"))
          .as("the echo of a client that waited in the backlog")
          .isEqualTo("my turn");

      // And once everyone has left, the loop sleeps again: no select() on a timer any more.
      for (Peer peer : waiting) {
        peer.close();
      }
      child.awaitEveryClientGone();
      child.awaitNoPassFor(Duration.ofSeconds(1));
    }
  }
}
