package multiplexing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A process's CPU time, resident memory ({@code VmRSS}) and threads, read from Linux's /proc.
 *
 * @param userTicks CPU time in its own code, all threads, in ticks of 10 ms; systemTicks in the
 *     kernel on its behalf
 * @param nanoTime when we read it, on the {@link System#nanoTime()} clock
 * @param runNanos CPU time of all its threads in nanoseconds, from each thread's schedstat; -1 when
 *     not read (it costs a file per thread)
 */
record ProcStats(
    long userTicks, long systemTicks, long rssBytes, int threads, long nanoTime, long runNanos) {
  // /proc counts CPU time in ticks of 1/100 s (USER_HZ) on every Linux we know of.
  private static final double TICKS_PER_SECOND = 100.0;

  /** CPU time over an interval; the system time is the kernel's: syscalls, loopback TCP. */
  record CpuTime(double userSeconds, double systemSeconds, double wallSeconds) {
    static final CpuTime NONE = new CpuTime(0, 0, 1);

    double seconds() {
      return userSeconds + systemSeconds;
    }

    /** Fraction of one core busy over the interval: 1.0 is a full core. */
    double cores() {
      return seconds() / wallSeconds;
    }
  }

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
   * With the CPU time to the nanosecond: stat's ticks of 10 ms (and {@code ProcessHandle}'s) are
   * too coarse for a window of a second or two, so we add up the nanoseconds each thread has run,
   * the first field of /proc/PID/task/TID/schedstat. Only windows in which no thread ends use it.
   */
  static ProcStats precise(long pid) {
    ProcStats stats = of(pid);
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      long sum = tasks.mapToLong(ProcStats::runNanos).sum();
      return new ProcStats(
          stats.userTicks, stats.systemTicks, stats.rssBytes, stats.threads, stats.nanoTime, sum);
    } catch (IOException | RuntimeException e) {
      return stats;
    }
  }

  private static long runNanos(Path task) {
    try {
      String schedstat = Files.readString(task.resolve("schedstat"));
      return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
    } catch (IOException e) {
      // The thread ended between listing and reading: its time is gone with it.
      return 0;
    }
  }

  /** Reads /proc/PID/stat (fields 14 and 15: utime, stime) and /proc/PID/status. */
  static ProcStats parse(String stat, String status, long nanoTime) {
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    long rss = 0;
    int threads = 0;
    for (String line : status.lines().toList()) {
      if (line.startsWith("VmRSS:")) {
        rss = 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
      } else if (line.startsWith("Threads:")) {
        threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
      }
    }
    return new ProcStats(
        Long.parseLong(fields[11]), Long.parseLong(fields[12]), rss, threads, nanoTime, -1);
  }

  /**
   * The CPU time spent since {@code earlier}. With both samples precise, the total is the schedstat
   * nanoseconds, split into user and system time in the proportion of the ticks; else the ticks.
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
