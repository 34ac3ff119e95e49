package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * Many clients at once, each running sessions until a deadline: random sizes, random chunking both
 * ways, a random way of leaving (end of stream, a reset with an echo in flight, a half-close that
 * still wants its echo); every byte of every echo checked. At most {@link #CONNECTING} clients wait
 * to be accepted at once: past the backlog of 50 that steps 1 to 6 keep, Linux answers with SYN
 * cookies and may drop a completed handshake, and the client then meets the kernel's reset.
 */
public final class Soak {
  private static final int MAX_MESSAGE = 128 * 1024;
  static final int CONNECTING = 32;

  private Soak() {}

  /**
   * 200 clients for 2 s (each at least one session, at most 1,000); then every client is logged as
   * gone by end of stream or reset, none on a surprise of the server's ({@code dropped on}).
   */
  public static void runAgainst(ServerFixture server) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(200);
    Semaphore connecting = new Semaphore(CONNECTING);
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    try {
      List<Future<Integer>> clients = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        SplittableRandom random = new SplittableRandom(i);
        clients.add(threads.submit(() -> sessions(server, connecting, random, deadline)));
      }
      // One bound for them all: 22 s each, one after another, could add up to over an hour.
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(22);
      int sessions = 0;
      for (Future<Integer> client : clients) {
        sessions += client.get(waitUntil - System.nanoTime(), TimeUnit.NANOSECONDS);
      }
      assertThat(sessions).isGreaterThanOrEqualTo(200);
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    server.awaitEveryClientGone();
    assertThat(server.log()).noneMatch(line -> line.startsWith("dropped on "));
  }

  private static int sessions(
      ServerFixture server, Semaphore connecting, SplittableRandom random, long deadline)
      throws Exception {
    int sessions = 0;
    for (; sessions < 1_000 && (sessions == 0 || System.nanoTime() - deadline < 0); sessions++) {
      try (Peer peer = connect(server, connecting)) {
        for (int round = random.nextInt(1, 6); round > 0; round--) {
          assertThat(roundTrip(peer, random, false)).as("an echo, byte for byte").isTrue();
        }
        switch (random.nextInt(3)) {
          case 0 -> {
            // An end of stream: the close that ends this try.
          }
          case 1 -> {
            // A reset with an echo in flight.
            peer.send(message(random));
            peer.reset();
          }
          default -> {
            // A half-close that still wants its echo, then the end of stream.
            assertThat(roundTrip(peer, random, true)).as("the echo after a half-close").isTrue();
            assertThat(peer.atEndOfStream()).as("end of stream after it").isTrue();
          }
        }
      }
    }
    return sessions;
  }

  // Connects once fewer than CONNECTING clients wait to be accepted, and waits to be accepted.
  private static Peer connect(ServerFixture server, Semaphore connecting) throws Exception {
    connecting.acquire();
    try {
      Peer peer = Peer.connect(server.port());
      try {
        server.awaitLine(("accepted " + Scenarios.address(peer))::equals);
        return peer;
      } catch (AssertionError notAccepted) {
        peer.close();
        throw notAccepted;
      }
    } finally {
      connecting.release();
    }
  }

  /**
   * Sends a random message in random chunks, then (for a half-close) shuts down the sending side,
   * and reads its echo back in random chunks: true if it came back whole.
   */
  private static boolean roundTrip(Peer peer, SplittableRandom random, boolean halfClose)
      throws IOException {
    byte[] message = message(random);
    for (int at = 0, size; at < message.length; at += size) {
      size = Math.min(message.length - at, random.nextInt(1, 16 * 1024));
      peer.socket.getOutputStream().write(message, at, size);
    }
    if (halfClose) {
      peer.socket.shutdownOutput();
    }
    ByteArrayOutputStream echo = new ByteArrayOutputStream();
    while (echo.size() < message.length) {
      int size = Math.min(message.length - echo.size(), random.nextInt(1, 16 * 1024));
      echo.write(peer.receive(size));
    }
    return Arrays.equals(echo.toByteArray(), message);
  }

  private static byte[] message(SplittableRandom random) {
    byte[] message = new byte[random.nextInt(1, MAX_MESSAGE)];
    random.nextBytes(message);
    return message;
  }
}
