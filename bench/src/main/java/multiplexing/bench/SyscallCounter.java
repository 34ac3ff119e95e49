package multiplexing.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts a server's system calls by name while it works, with the kernel's tracepoints ({@code perf
 * stat}) or, failing that, {@code strace -c -f}. Tracing slows a server down, so the bench counts
 * in a pass of its own, and no timed figure comes from it.
 */
final class SyscallCounter {
  // The calls an echo server makes per message; raw_syscalls:sys_enter counts every call, so what
  // none of these covers still shows up as "other".
  static final List<String> CALLS =
      List.of(
          "read",
          "recvfrom",
          "write",
          "sendto",
          "epoll_wait",
          "epoll_pwait",
          "epoll_ctl",
          "futex",
          "sched_yield");
  private static final String ALL_CALLS = "raw_syscalls:sys_enter";
  private static final long ATTACH_MILLIS = 600;

  /** Which tracer, and with which perf events. */
  enum Tool {
    PERF,
    STRACE
  }

  /**
   * One count: calls by name over an interval in which the server echoed {@code messages}.
   *
   * @param total every call, listed or not; from perf's raw_syscalls:sys_enter, or strace's total
   */
  record Count(Map<String, Long> calls, long total, long messages, Tool tool) {
    /** Calls of one kind per message echoed; "other" is every call no column names. */
    double perMessage(Kind kind) {
      long named = 0;
      for (Kind k : Kind.values()) {
        named += k.sum(calls);
      }
      long n =
          switch (kind) {
            case TOTAL -> total;
            case OTHER -> total - named;
            default -> kind.sum(calls);
          };
      return messages == 0 ? Double.NaN : Math.max(0, n) / (double) messages;
    }
  }

  /** The columns of the table: calls grouped by what they do for an echo. */
  enum Kind {
    READ("read", "recvfrom", "readv", "recvmsg"),
    WRITE("write", "sendto", "writev", "sendmsg"),
    EPOLL_WAIT("epoll_wait", "epoll_pwait", "epoll_pwait2"),
    EPOLL_CTL("epoll_ctl"),
    FUTEX("futex"),
    OTHER(),
    TOTAL();

    private final List<String> names;

    Kind(String... names) {
      this.names = List.of(names);
    }

    long sum(Map<String, Long> calls) {
      return names.stream().mapToLong(n -> calls.getOrDefault(n, 0L)).sum();
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Tool tool;

  private SyscallCounter(Tool tool) {
    this.tool = tool;
  }

  Tool tool() {
    return tool;
  }

  /**
   * The tracer this machine lets us use: perf if it can count syscall tracepoints, else strace if
   * it can trace; otherwise why neither works, in one line.
   */
  static Search find() {
    String perf = tryRun(List.of("perf", "stat", "-x,", "-e", events(), "--", "true"));
    if (perf == null) {
      return new Search(Optional.of(new SyscallCounter(Tool.PERF)), "perf stat");
    }
    String strace = tryRun(List.of("strace", "-c", "-f", "--", "true"));
    if (strace == null) {
      return new Search(Optional.of(new SyscallCounter(Tool.STRACE)), "strace -c -f");
    }
    return new Search(
        Optional.empty(), "neither perf (" + perf + ") nor strace (" + strace + ") works here");
  }

  /** What {@link #find()} found, and how, or why nothing. */
  record Search(Optional<SyscallCounter> counter, String how) {}

  // Null if the command runs and succeeds, else why not.
  private static String tryRun(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "timed out";
      }
      if (p.exitValue() != 0) {
        String first = output.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        return "exit " + p.exitValue() + (first.isEmpty() ? "" : ": " + first.strip());
      }
      return null;
    } catch (IOException e) {
      return "not installed";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static String events() {
    List<String> events = new ArrayList<>();
    CALLS.forEach(c -> events.add("syscalls:sys_enter_" + c));
    events.add(ALL_CALLS);
    return String.join(",", events);
  }

  /** A tracer attached to a server; {@link #stop} detaches it and reads its counts. */
  final class Tracing {
    private final Process process;
    private final Path output;

    private Tracing(Process process, Path output) {
      this.process = process;
      this.output = output;
    }

    /** Stops the tracer (SIGINT, which makes both tools print their counts) and reads them. */
    Map<String, Long> stop() throws IOException {
      try {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IOException(tool + " did not stop");
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while stopping " + tool, e);
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      Files.deleteIfExists(output);
      Map<String, Long> counts = tool == Tool.PERF ? parsePerf(text) : parseStrace(text);
      if (counts.isEmpty()) {
        throw new IOException(
            tool + " counted nothing (exit " + process.exitValue() + "): " + firstLine(text));
      }
      return counts;
    }
  }

  /** Attaches to every thread of {@code pid} and waits a moment for the tracer to be counting. */
  Tracing start(long pid) throws IOException {
    Path output = Files.createTempFile("syscalls", ".txt");
    List<String> command =
        tool == Tool.PERF
            ? List.of(
                "perf",
                "stat",
                "-x,",
                "-o",
                output.toString(),
                "-e",
                events(),
                "-p",
                Long.toString(pid))
            : List.of("strace", "-c", "-f", "-o", output.toString(), "-p", Long.toString(pid));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      Thread.sleep(ATTACH_MILLIS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + tool + " attached", e);
    }
    if (!process.isAlive()) {
      throw new IOException(tool + " exited at once: " + firstLine(Files.readString(output)));
    }
    return new Tracing(process, output);
  }

  /**
   * perf stat's CSV ({@code -x,}): "count,unit,event,..." per line; "&lt;not counted&gt;" where an
   * event could not be counted. Calls by name, with "*" for raw_syscalls:sys_enter (all of them).
   */
  static Map<String, Long> parsePerf(String csv) {
    Map<String, Long> counts = new TreeMap<>();
    for (String line : csv.lines().toList()) {
      String[] fields = line.split(",");
      if (fields.length < 3 || !fields[0].strip().matches("\\d+")) {
        continue;
      }
      String event = fields[2].strip();
      long count = Long.parseLong(fields[0].strip());
      if (event.equals(ALL_CALLS)) {
        counts.merge("*", count, Long::sum);
      } else if (event.startsWith("syscalls:sys_enter_")) {
        counts.merge(event.substring("syscalls:sys_enter_".length()), count, Long::sum);
      }
    }
    return counts;
  }

  /**
   * strace -c's table: "% time, seconds, usecs/call, calls, [errors,] syscall" per line, then a
   * "total" line, which becomes "*".
   */
  static Map<String, Long> parseStrace(String table) {
    Map<String, Long> counts = new TreeMap<>();
    for (String line : table.lines().toList()) {
      String[] words = line.strip().split("\\s+");
      if (words.length < 5 || !words[0].matches("[\\d.]+") || !words[3].matches("\\d+")) {
        continue;
      }
      String name = words[words.length - 1];
      counts.merge(name.equals("total") ? "*" : name, Long.parseLong(words[3]), Long::sum);
    }
    return counts;
  }

  /** The calls counted, split from the total ("*"). */
  static Count count(Map<String, Long> counts, long messages, Tool tool) {
    Map<String, Long> calls = new LinkedHashMap<>(counts);
    Long total = calls.remove("*");
    long sum = calls.values().stream().mapToLong(Long::longValue).sum();
    return new Count(calls, total == null ? sum : total, messages, tool);
  }

  private static String firstLine(String text) {
    return text.lines().filter(l -> !l.isBlank()).findFirst().orElse("(no output)").strip();
  }
}
