package multiplexing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time and resident memory, read from Linux's /proc (zeros elsewhere). */
record ProcStats(long userTicks, long systemTicks, long rssBytes, long nanoTime) {
  // /proc counts CPU time in clock ticks of 1/100 s (USER_HZ) on every Linux we know of.
  private static final double TICKS_PER_SECOND = 100.0;

  static ProcStats of(long pid) {
    long now = System.nanoTime();
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name is in parentheses and may hold spaces: count fields after the last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long user = Long.parseLong(fields[11]);
      long system = Long.parseLong(fields[12]);
      return new ProcStats(user, system, rss(pid), now);
    } catch (IOException | RuntimeException e) {
      return new ProcStats(0, 0, 0, now);
    }
  }

  // VmRSS: the pages of the process that are in memory now, in kB.
  private static long rss(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  /** The CPU time spent between {@code earlier} and this sample. */
  CpuTime since(ProcStats earlier) {
    return new CpuTime(
        (userTicks - earlier.userTicks) / TICKS_PER_SECOND,
        (systemTicks - earlier.systemTicks) / TICKS_PER_SECOND,
        Math.max((nanoTime - earlier.nanoTime) / 1e9, 1e-9));
  }
}
