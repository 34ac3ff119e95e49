package multiplexing.testkit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What a server prints, split into lines as they come (an in-process server prints to it, a child
 * JVM's output is read into it). It keeps the last {@code keep} lines and, for each prefix it is
 * asked to count, how many lines began with it: each line costs the same however many came before,
 * so 10,000 accepts cost 10,000 steps and bounded memory.
 */
public final class Log extends OutputStream {
  private final int keep;
  // Line number first + i is kept.get(i); the oldest half goes once 2 * keep are kept.
  private final List<String> kept = new ArrayList<>();
  private long first;
  // Per prefix: how many lines began with it.
  private final Map<String, long[]> counted = new HashMap<>();
  private final List<Consumer<String>> watchers = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private boolean ended;

  public Log(int keep) {
    this.keep = keep;
  }

  /**
   * Calls {@code each} with every line from now on, on the printer's thread, which gets what it
   * throws.
   */
  public Log watch(Consumer<String> each) {
    watchers.add(each);
    return this;
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      String line = partial.toString(StandardCharsets.UTF_8);
      partial.reset();
      add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    } else {
      partial.write(b);
    }
  }

  public void add(String line) {
    synchronized (this) {
      kept.add(line);
      if (kept.size() >= 2 * keep) {
        first += kept.size() - keep;
        kept.subList(0, kept.size() - keep).clear();
      }
      counted.forEach(
          (prefix, count) -> {
            if (line.startsWith(prefix)) {
              count[0]++;
            }
          });
      notifyAll();
    }
    watchers.forEach(watcher -> watcher.accept(line));
  }

  /** No more lines will come (the child exited): whoever awaits a line stops waiting. */
  public synchronized void end() {
    if (partial.size() > 0) { // a last line with no newline, such as a crash's last words
      write('\n');
    }
    ended = true;
    notifyAll();
  }

  /** The lines kept: every line, unless more than {@code keep} came. */
  public synchronized List<String> lines() {
    return List.copyOf(kept.subList(Math.max(0, kept.size() - keep), kept.size()));
  }

  public synchronized boolean any(Predicate<String> which) {
    return kept.stream().anyMatch(which);
  }

  /** How many lines began with {@code prefix}: asked first, those kept; then each as it comes. */
  public synchronized long count(String prefix) {
    return counted
        .computeIfAbsent(
            prefix, p -> new long[] {lines().stream().filter(line -> line.startsWith(p)).count()})[
        0];
  }

  /**
   * The first line kept that matches, waiting up to {@code patience} for it; empty if none came in
   * time or the log ended first. A wait tests each line once.
   */
  public synchronized Optional<String> await(Predicate<String> which, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    for (long next = first; ; ) {
      for (next = Math.max(next, first); next < first + kept.size(); next++) {
        if (which.test(kept.get((int) (next - first)))) {
          return Optional.of(kept.get((int) (next - first)));
        }
      }
      long left = deadline - System.nanoTime();
      if (ended || left <= 0) {
        return Optional.empty();
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
  }
}
