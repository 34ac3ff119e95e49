package multiplexing.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time, resident memory and thread count, read from Linux's /proc (zeros
 * elsewhere).
 *
 * @param userTicks CPU time in the process's own code, all threads, in clock ticks
 * @param systemTicks CPU time in the kernel on its behalf, in clock ticks
 * @param rssBytes the pages of the process that are in memory now ({@code VmRSS})
 * @param threads its threads now ({@code Threads}), the JVM's own included
 * @param nanoTime when we read it, on the {@link System#nanoTime()} clock
 * @param runNanos CPU time of all its threads in nanoseconds, from each thread's schedstat; -1 when
 *     not read (it costs a file per thread)
 */
record ProcStats(
    long userTicks, long systemTicks, long rssBytes, int threads, long nanoTime, long runNanos) {
  // /proc counts CPU time in clock ticks of 1/100 s (USER_HZ) on every Linux we know of.
  static final double TICKS_PER_SECOND = 100.0;

  static ProcStats of(long pid) {
    long now = System.nanoTime();
    try {
      Path proc = Path.of("/proc", Long.toString(pid));
      return parse(
          Files.readString(proc.resolve("stat")), Files.readString(proc.resolve("status")), now);
    } catch (IOException | RuntimeException e) {
      return new ProcStats(0, 0, 0, 0, now, -1);
    }
  }

  /**
   * The same, with the CPU time to the nanosecond: /proc/PID/stat counts in ticks of 10 ms, too
   * coarse for a window of a second or two, so we add up every thread's
   * /proc/PID/task/TID/schedstat (its first field is the nanoseconds it has run). Threads that end
   * meanwhile take their time with them: only windows in which no client's thread ends use it.
   */
  static ProcStats precise(long pid) {
    ProcStats stats = of(pid);
    long sum = 0;
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          String schedstat = Files.readString(task.resolve("schedstat"));
          sum += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
        } catch (IOException e) {
          // The thread ended between listing and reading: its time is gone with it.
        }
      }
    } catch (IOException | RuntimeException e) {
      return stats;
    }
    return new ProcStats(
        stats.userTicks, stats.systemTicks, stats.rssBytes, stats.threads, stats.nanoTime, sum);
  }

  /** Reads /proc/PID/stat (fields 14 and 15: utime, stime) and /proc/PID/status. */
  static ProcStats parse(String stat, String status, long nanoTime) {
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    long user = Long.parseLong(fields[11]);
    long system = Long.parseLong(fields[12]);
    long rss = 0;
    int threads = 0;
    for (String line : status.lines().toList()) {
      if (line.startsWith("VmRSS:")) {
        rss = 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
      } else if (line.startsWith("Threads:")) {
        threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
      }
    }
    return new ProcStats(user, system, rss, threads, nanoTime, -1);
  }

  /**
   * The CPU time spent between {@code earlier} and this sample. With both samples precise, the
   * total is the schedstat nanoseconds, split into user and system time in the proportion of the
   * ticks; otherwise the ticks alone.
   */
  CpuTime since(ProcStats earlier) {
    double wall = Math.max((nanoTime - earlier.nanoTime) / 1e9, 1e-9);
    double user = (userTicks - earlier.userTicks) / TICKS_PER_SECOND;
    double system = (systemTicks - earlier.systemTicks) / TICKS_PER_SECOND;
    if (runNanos < 0 || earlier.runNanos < 0) {
      return new CpuTime(user, system, wall);
    }
    double total = (runNanos - earlier.runNanos) / 1e9;
    double userShare = user + system == 0 ? 0.5 : user / (user + system);
    return new CpuTime(total * userShare, total * (1 - userShare), wall);
  }
}
