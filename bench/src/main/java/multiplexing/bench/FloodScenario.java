package multiplexing.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/** A client sends a lot and never reads: does the server keep every echo in memory? */
final class FloodScenario {
  private static final long SAMPLE_NANOS = 50_000_000L;
  private static final long DEADLINE_NANOS = 60_000_000_000L;

  /**
   * What the server did with the flood.
   *
   * @param sent bytes the server (and the kernel's buffers between us) took
   * @param stalled whether the server stopped taking bytes before we sent everything
   * @param rssBefore the server's resident memory before the flood
   * @param rssPeak the most it reached during the flood and just after
   * @param threads the server's threads at the end, the JVM's own included
   */
  record Outcome(
      Contender contender, long sent, boolean stalled, long rssBefore, long rssPeak, int threads) {
    long growth() {
      return rssPeak - rssBefore;
    }
  }

  private FloodScenario() {}

  static Outcome run(ServerProcess server, Settings settings) throws IOException {
    long stallNanos = (long) (settings.floodStallSeconds() * 1e9);
    long rssBefore = server.stats().rssBytes();
    long rssPeak = rssBefore;
    long sent = 0;
    boolean stalled = false;
    int threads = 0;
    ByteBuffer view = Payload.view();
    try (SocketChannel client = SocketChannel.open(server.address());
        Selector selector = Selector.open()) {
      client.configureBlocking(false);
      client.register(selector, SelectionKey.OP_WRITE);
      long start = System.nanoTime();
      long lastProgress = start;
      long nextSample = start;
      while (sent < settings.floodBytes() && System.nanoTime() - start < DEADLINE_NANOS) {
        int chunk = (int) Math.min(settings.floodBytes() - sent, 256 * 1024);
        int n = client.write(Payload.window(view, 0, sent, chunk));
        long now = System.nanoTime();
        if (n > 0) {
          sent += n;
          lastProgress = now;
        } else if (now - lastProgress > stallNanos) {
          // The server stopped reading us: the backpressure we hoped to see.
          stalled = true;
          break;
        } else {
          // We never read, so nothing else can happen on this socket: wait for room to write.
          selector.select(20);
          selector.selectedKeys().clear();
        }
        if (now >= nextSample) {
          rssPeak = Math.max(rssPeak, server.stats().rssBytes());
          nextSample = now + SAMPLE_NANOS;
        }
      }
      // The server may still be working through what its socket buffer holds. We sample before
      // we hang up: a thread-per-client server holds its thread while write() blocks.
      for (long i = 0; i * SAMPLE_NANOS < settings.settleSeconds() * 1e9; i++) {
        sleep(SAMPLE_NANOS);
        ProcStats now = server.stats();
        rssPeak = Math.max(rssPeak, now.rssBytes());
        threads = now.threads();
      }
    }
    return new Outcome(server.contender(), sent, stalled, rssBefore, rssPeak, threads);
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
