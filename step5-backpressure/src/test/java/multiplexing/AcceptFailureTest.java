package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The server in a child JVM with few file descriptors, so that accept() really fails. */
@EnabledOnOs(OS.LINUX)
class AcceptFailureTest {
  private static final int CLIENTS = 150;

  private final List<Peer> peers = new ArrayList<>();
  private ChildServer child;

  @AfterEach
  void stopEverything() throws Exception {
    for (Peer peer : peers) {
      peer.close();
    }
    if (child != null) {
      child.close();
    }
  }

  @Test
  void outOfDescriptorsAcceptingPausesWithGrowingBackoffAndResumesWhenSomeAreFree()
      throws Exception {
    // `ulimit -n` sets both the soft and the hard limit, so the JVM cannot raise it again.
    child = new ChildServer("ulimit -n 96", List.of("-Xmx64m", "-XX:+UseSerialGC"), "--trace");
    for (int i = 0; i < CLIENTS; i++) {
      peers.add(Peer.connect(child.port()));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> child.count("accept failed") > 0);
    List<Peer> accepted = acceptedPeers();
    List<Peer> waiting = new ArrayList<>(peers);
    waiting.removeAll(accepted);
    assertThat(accepted).isNotEmpty();
    assertThat(waiting).isNotEmpty();

    // No hot loop: one line per pause, and each pause twice as long as the one before.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> child.count("accept failed") <= 8);
    // Clients already in keep their echo meanwhile.
    assertThat(accepted.get(0).echo("still served")).isEqualTo("still served");

    // Once descriptors are free again, the clients waiting in the backlog get in.
    for (Peer peer : accepted) {
      peer.close();
    }
    assertThat(waiting.get(0).echo("my turn")).isEqualTo("my turn");

    // And once everyone has left, the loop sleeps again: no select() on a timer any more.
    for (Peer peer : peers) {
      peer.close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                child.count("closed by peer") + child.count("reset by peer")
                    == child.count("accepted "));
    long passes = child.count("select:");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> child.count("select:") == passes);
  }

  /** The peers the server logged as accepted, found by their local port. */
  private List<Peer> acceptedPeers() {
    Set<Integer> ports =
        child.log().stream()
            .filter(line -> line.startsWith("accepted "))
            .map(line -> Integer.parseInt(line.substring(line.lastIndexOf(':') + 1)))
            .collect(Collectors.toSet());
    return peers.stream().filter(peer -> ports.contains(peer.socket.getLocalPort())).toList();
  }
}
