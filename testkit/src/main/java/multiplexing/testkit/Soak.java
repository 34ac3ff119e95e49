package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Many clients at once, each running sessions until a deadline: random message sizes, random
 * chunking both ways, and a random way of leaving (end of stream, a reset with an echo in flight, a
 * half-close that still wants its echo). Every byte of every echo is checked.
 *
 * <p>At most {@link #CONNECTING} clients are between connect() and the server's {@code accepted}
 * line at any moment. Steps 1 to 6 keep Java's backlog of 50 on purpose; with more connects waiting
 * than that, Linux answers with SYN cookies and may drop the completed handshake, and the client's
 * next bytes then meet a reset from the kernel, not from the server.
 */
public final class Soak {
  private static final int MAX_MESSAGE = 128 * 1024;
  // Well below the backlog of 50 that steps 1 to 6 keep.
  static final int CONNECTING = 32;

  private enum Exit {
    END_OF_STREAM,
    RESET_WITH_ECHO_IN_FLIGHT,
    HALF_CLOSE
  }

  private Soak() {}

  /**
   * Runs the soak against the server (200 clients for 2 s), then waits until the server has logged
   * every client that came as gone by end of stream or reset, and checks that none left on a
   * surprise of the server's ({@code dropped on ...}).
   */
  public static void runAgainst(ServerFixture server) throws Exception {
    assertThat(run(server, 200, Duration.ofSeconds(2))).isGreaterThanOrEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server.count("accepted ")
                    == server.count("closed by peer ") + server.count("reset by peer "));
    assertThat(server.log()).noneMatch(line -> line.startsWith("dropped on "));
  }

  /**
   * Runs {@code clients} clients, each on a thread of its own, until {@code length} has passed
   * (each runs at least one session and at most 1,000); returns how many sessions ran in all.
   */
  public static int run(ServerFixture server, int clients, Duration length) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(clients);
    Semaphore connecting = new Semaphore(CONNECTING);
    try {
      long deadline = System.nanoTime() + length.toNanos();
      List<Future<Integer>> sessions = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        long seed = i;
        sessions.add(threads.submit(() -> runSessions(server, connecting, seed, deadline)));
      }
      int total = 0;
      for (Future<Integer> session : sessions) {
        total += session.get(length.toSeconds() + 20, TimeUnit.SECONDS);
      }
      return total;
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** One client's sessions until the deadline (at most 1,000); returns how many it ran. */
  private static int runSessions(
      ServerFixture server, Semaphore connecting, long seed, long deadline)
      throws IOException, InterruptedException {
    SplittableRandom random = new SplittableRandom(seed);
    int sessions = 0;
    while (sessions < 1_000 && (sessions == 0 || System.nanoTime() - deadline < 0)) {
      try (Peer peer = connect(server, connecting)) {
        int rounds = random.nextInt(1, 6);
        for (int round = 0; round < rounds; round++) {
          roundTrip(peer, random);
        }
        leave(peer, Exit.values()[random.nextInt(Exit.values().length)], random);
      }
      sessions++;
    }
    return sessions;
  }

  // Connects once fewer than CONNECTING clients wait to be accepted, and waits to be accepted.
  private static Peer connect(ServerFixture server, Semaphore connecting)
      throws IOException, InterruptedException {
    connecting.acquire();
    try {
      Peer peer = Peer.connect(server.port());
      String accepted = "accepted 127.0.0.1:" + peer.socket.getLocalPort();
      try {
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInSameThread()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .until(() -> server.logged(accepted::equals));
        return peer;
      } catch (RuntimeException notAccepted) {
        peer.close();
        throw notAccepted;
      }
    } finally {
      connecting.release();
    }
  }

  // Sends one random message in random chunks and reads its echo back in random chunks.
  private static void roundTrip(Peer peer, SplittableRandom random) throws IOException {
    byte[] message = randomBytes(random, random.nextInt(1, MAX_MESSAGE));
    sendInChunks(peer.socket.getOutputStream(), message, random);
    byte[] echo = receiveInChunks(peer.socket.getInputStream(), message.length, random);
    assertThat(Arrays.equals(echo, message)).as("echo of %d bytes", message.length).isTrue();
  }

  private static void leave(Peer peer, Exit exit, SplittableRandom random) throws IOException {
    switch (exit) {
      case END_OF_STREAM -> peer.close();
      case RESET_WITH_ECHO_IN_FLIGHT -> {
        peer.send(randomBytes(random, random.nextInt(1, MAX_MESSAGE)));
        peer.reset();
      }
      case HALF_CLOSE -> {
        byte[] last = randomBytes(random, random.nextInt(1, MAX_MESSAGE));
        sendInChunks(peer.socket.getOutputStream(), last, random);
        peer.socket.shutdownOutput();
        byte[] echo = receiveInChunks(peer.socket.getInputStream(), last.length, random);
        assertThat(Arrays.equals(echo, last)).as("last echo after a half-close").isTrue();
        assertThat(peer.socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
      }
    }
  }

  private static byte[] randomBytes(SplittableRandom random, int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  private static void sendInChunks(OutputStream out, byte[] message, SplittableRandom random)
      throws IOException {
    int offset = 0;
    while (offset < message.length) {
      int chunk = Math.min(message.length - offset, random.nextInt(1, 16 * 1024));
      out.write(message, offset, chunk);
      out.flush();
      offset += chunk;
    }
  }

  private static byte[] receiveInChunks(InputStream in, int size, SplittableRandom random)
      throws IOException {
    byte[] received = new byte[size];
    int offset = 0;
    while (offset < size) {
      int count = in.read(received, offset, Math.min(size - offset, random.nextInt(1, 16 * 1024)));
      if (count == -1) {
        throw new IOException("end of stream after " + offset + " of " + size + " bytes");
      }
      offset += count;
    }
    return received;
  }
}
