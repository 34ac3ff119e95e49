package multiplexing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the machine allows, checked before anything starts, so that a run that cannot finish says
 * why in one line. The machine's kernel and limits are in bench/README.md.
 *
 * @param openFiles the soft limit on descriptors ({@code ulimit -n}), which the servers inherit
 * @param portRange {@code net.ipv4.ip_local_port_range}: the ports a connect() may take
 */
record Machine(long openFiles, String portRange) {

  /** Fails, in one line, where {@code connections} cannot be open at once on each side. */
  static Machine check(int connections) {
    Matcher soft = Pattern.compile("Max open files +(\\d+)").matcher(read("/proc/self/limits"));
    long openFiles = soft.find() ? Long.parseLong(soft.group(1)) : Long.MAX_VALUE;
    String ports = read("/proc/sys/net/ipv4/ip_local_port_range").trim().replaceAll("\\s+", "-");
    Machine machine = new Machine(openFiles, ports);
    machine.require(connections);
    return machine;
  }

  void require(int connections) {
    if (openFiles < connections) {
      throw failure(
          "ulimit -n is %d, below the %d descriptors this run needs on each side: raise ulimit -Hn"
              + " (bench/run raises -n to it)",
          openFiles, connections);
    }
    String[] ends = portRange.split("-");
    if (ends.length == 2 && Long.parseLong(ends[1]) - Long.parseLong(ends[0]) + 1 < connections) {
      throw failure(
          "ephemeral ports exhausted: net.ipv4.ip_local_port_range is %s, fewer than the %d"
              + " connections this run opens at once",
          portRange, connections);
    }
  }

  /** Fails if connects ran out of ephemeral ports after all (ports held in TIME_WAIT, say). */
  void checkPorts(Map<String, Integer> errors) {
    errors.forEach(
        (why, n) -> {
          if (why.contains("Cannot assign requested address")) {
            throw failure(
                "ephemeral ports exhausted: %d connects said '%s' (%s)", n, why, portRange);
          }
        });
  }

  private static Bench.Failure failure(String format, Object... args) {
    return new Bench.Failure(String.format(format, args));
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "";
    }
  }
}
