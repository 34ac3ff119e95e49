package docscheck;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** What one terminal window shows: a program's output, and what we typed into it. */
final class Terminal {
  /** How long anything we wait for may take before the recording gives up. */
  static final Duration PATIENCE = Duration.ofSeconds(10);

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  // The complete lines so far, kept as they come, so that a script can watch a long log cheaply.
  private final List<String> lines = new ArrayList<>();
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  final PrintStream out =
      new PrintStream(
          new OutputStream() {
            @Override
            public void write(int b) {
              synchronized (bytes) {
                bytes.write(b);
                if (b == '\n') {
                  lines.add(line.toString(StandardCharsets.UTF_8));
                  line.reset();
                } else {
                  line.write(b);
                }
              }
            }
          },
          true,
          StandardCharsets.UTF_8);

  /** Every complete line so far. */
  List<String> lines() {
    synchronized (bytes) {
      return List.copyOf(lines);
    }
  }

  /** How many complete lines so far. */
  int lineCount() {
    synchronized (bytes) {
      return lines.size();
    }
  }

  /** The complete lines from {@code from} on. */
  List<String> linesFrom(int from) {
    synchronized (bytes) {
      return List.copyOf(lines.subList(Math.min(from, lines.size()), lines.size()));
    }
  }

  String text() {
    synchronized (bytes) {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  // A real terminal echoes what we type; here we write it in ourselves.
  void echoTyped(String text) {
    synchronized (bytes) {
      bytes.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Waits, at most {@link #PATIENCE}, until the text shows what we wait for. */
  void await(String what, Predicate<String> condition) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.test(text())) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("gave up waiting for " + what + ":\n" + text());
      }
      Thread.sleep(2);
    }
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }

  @Override
  public String toString() {
    return text();
  }
}
