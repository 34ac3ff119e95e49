package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The server in a child JVM with few file descriptors, so that accept() really fails. */
@EnabledOnOs(OS.LINUX)
class AcceptFailureTest {
  private static final int DESCRIPTOR_LIMIT = 96;
  private static final int CLIENTS = 150;

  private final List<String> log = new CopyOnWriteArrayList<>();
  private final List<Peer> peers = new ArrayList<>();
  private Process child;

  @AfterEach
  void stopEverything() throws Exception {
    for (Peer peer : peers) {
      peer.close();
    }
    if (child != null) {
      child.destroyForcibly();
      assertThat(child.waitFor(5, TimeUnit.SECONDS)).as("the child JVM exited").isTrue();
    }
  }

  @Test
  void outOfDescriptorsAcceptingPausesWithGrowingBackoffAndResumesWhenSomeAreFree()
      throws Exception {
    int port = startChildServer();
    for (int i = 0; i < CLIENTS; i++) {
      peers.add(Peer.connect(port));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> count("accept failed") > 0);
    List<Peer> accepted = acceptedPeers();
    List<Peer> waiting = new ArrayList<>(peers);
    waiting.removeAll(accepted);
    assertThat(accepted).isNotEmpty();
    assertThat(waiting).isNotEmpty();

    // No hot loop: one line per pause, and each pause twice as long as the one before.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> count("accept failed") <= 8);
    // Clients already in keep their echo meanwhile.
    assertThat(accepted.get(0).echo("still served")).isEqualTo("still served");

    // Once descriptors are free again, the clients waiting in the backlog get in.
    for (Peer peer : accepted) {
      peer.close();
    }
    assertThat(waiting.get(0).echo("my turn")).isEqualTo("my turn");
  }

  private int startChildServer() throws IOException {
    Path classes = Path.of("target", "classes").toAbsolutePath();
    assertThat(Files.isDirectory(classes)).as("compiled classes in %s", classes).isTrue();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // `ulimit -n` sets both the soft and the hard limit, so the JVM cannot raise it again.
    String script =
        "ulimit -n "
            + DESCRIPTOR_LIMIT
            + " && exec \"$0\" -cp \"$1\" -Xmx64m "
            + "-XX:+UseSerialGC multiplexing.EchoServer 0";
    child =
        new ProcessBuilder("bash", "-c", script, java, classes.toString())
            .redirectErrorStream(true)
            .start();
    Thread reader = new Thread(this::readChildOutput, "child-output");
    reader.setDaemon(true);
    reader.start();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> log.stream().anyMatch(line -> line.startsWith("listening on ")));
    String listening =
        log.stream().filter(line -> line.startsWith("listening on ")).findFirst().orElseThrow();
    return Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
  }

  private void readChildOutput() {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        log.add(line);
      }
    } catch (IOException e) {
      // The child is gone: nothing more to read.
    }
  }

  private long count(String prefix) {
    return log.stream().filter(line -> line.startsWith(prefix)).count();
  }

  /** The peers the server logged as accepted, found by their local port. */
  private List<Peer> acceptedPeers() {
    Set<Integer> ports =
        log.stream()
            .filter(line -> line.startsWith("accepted "))
            .map(line -> Integer.parseInt(line.substring(line.lastIndexOf(':') + 1)))
            .collect(Collectors.toSet());
    return peers.stream().filter(peer -> ports.contains(peer.socket.getLocalPort())).toList();
  }
}
