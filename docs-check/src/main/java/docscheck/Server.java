package docscheck;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One step's EchoServer, started the way its main method starts it, through {@code launch(args,
 * out, err)}, with its loop on a daemon thread and everything it prints in a {@link Terminal}.
 */
final class Server implements AutoCloseable {
  final Terminal terminal = new Terminal();
  final int port;
  private final Object server;
  private final CompletableFuture<Void> loop;
  private volatile Thread loopThread;

  Server(ClassLoader loader, String... args) throws Exception {
    Class<?> serverClass = loader.loadClass("multiplexing.EchoServer");
    Method launch =
        serverClass.getDeclaredMethod(
            "launch", String[].class, PrintStream.class, PrintStream.class);
    launch.setAccessible(true);
    server = launch.invoke(null, args, terminal.out, terminal.out);
    if (server == null) {
      throw new IllegalStateException("the server did not start: " + terminal.text());
    }
    port = (Integer) serverClass.getMethod("port").invoke(server);
    Method run = serverClass.getMethod("run");
    loop =
        CompletableFuture.runAsync(
            () -> {
              loopThread = Thread.currentThread();
              try {
                run.invoke(server);
              } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
              }
            },
            Server::daemon);
  }

  /** Every line printed so far, the last one only once it is complete. */
  List<String> lines() {
    return terminal.lines();
  }

  /**
   * Waits until the loop sleeps in select(), with nothing left to do. The trace then shows the pass
   * that close() wakes, every time; a close() that came while the loop was still busy would end it
   * without one.
   */
  void awaitSelecting() throws InterruptedException {
    long deadline = System.nanoTime() + Terminal.PATIENCE.toNanos();
    while (!selecting()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the loop never went back to select()");
      }
      Thread.sleep(1);
    }
  }

  private boolean selecting() {
    Thread thread = loopThread;
    if (thread == null) {
      return false;
    }
    for (StackTraceElement frame : thread.getStackTrace()) {
      if (frame.getClassName().equals("sun.nio.ch.SelectorImpl")
          && frame.getMethodName().equals("lockAndDoSelect")) {
        return true;
      }
    }
    return false;
  }

  /** Stops the loop as Ctrl-C would, and waits until it has closed everything. */
  @Override
  public void close() throws IOException {
    ((Closeable) server).close();
    try {
      loop.get(Terminal.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the loop stopped", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("the loop did not stop cleanly", e);
    }
  }

  // Daemon threads, so a failed run cannot keep the JVM (or exec:java) alive.
  static void daemon(Runnable task) {
    Thread thread = new Thread(task, "docs-check");
    thread.setDaemon(true);
    thread.start();
  }
}
