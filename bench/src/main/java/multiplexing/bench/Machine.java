package multiplexing.bench;

import io.netty.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the machine allows, checked before anything starts so that a run that cannot finish says why
 * in one line; and the facts every figure depends on, for the machine table.
 *
 * @param openFiles the soft limit on descriptors ({@code ulimit -n}), which the servers inherit
 * @param portRange {@code net.ipv4.ip_local_port_range}: the ports a connect() may take
 */
record Machine(long openFiles, String portRange) {

  /** Fails, in one line, where {@code connections} cannot be open at once on each side. */
  static Machine check(int connections) {
    String limit = firstValue("/proc/self/limits", "Max open files").orElse("unlimited");
    String soft = limit.split("\\s+")[0];
    Machine machine =
        new Machine(
            soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft),
            read("/proc/sys/net/ipv4/ip_local_port_range").orElse("").replaceAll("\\s+", "-"));
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
        (why, count) -> {
          if (why.contains("Cannot assign requested address")) {
            throw failure(
                "ephemeral ports exhausted: %d connects said '%s' (%s)", count, why, portRange);
          }
        });
  }

  private static Bench.Failure failure(String format, Object... args) {
    return new Bench.Failure(String.format(format, args));
  }

  /** The machine table: what a figure from this run depends on. */
  List<List<String>> facts(Jdk jdk, int serverCpu) {
    Version netty = Version.identify().get("netty-transport");
    String[][] facts = {
      {"kernel", System.getProperty("os.name") + " " + System.getProperty("os.version")},
      {"CPU", firstValue("/proc/cpuinfo", "model name").orElse("?")},
      {"CPUs online", read("/sys/devices/system/cpu/online").orElse("?")},
      {"servers' JDK", jdk.version() + " (" + jdk.home() + ")"},
      {"bench's JDK", System.getProperty("java.runtime.version")},
      {"Netty", netty == null ? "?" : netty.artifactVersion()},
      {"CPU of the generator, of the servers", serverCpu < 0 ? "any, any" : "0, " + serverCpu},
      {"ulimit -n", openFiles == Long.MAX_VALUE ? "unlimited" : "" + openFiles},
      {"ip_local_port_range", portRange},
      {"somaxconn", read("/proc/sys/net/core/somaxconn").orElse("?")},
      {"threads-max", read("/proc/sys/kernel/threads-max").orElse("?")},
      {
        "pids.max",
        read("/sys/fs/cgroup/pids.max").or(() -> read("/sys/fs/cgroup/pids/pids.max")).orElse("?")
      },
      {"ulimit -u", firstValue("/proc/self/limits", "Max processes").orElse("?").split("\\s+")[0]}
    };
    return Stream.of(facts).map(List::of).toList();
  }

  // One read() of a small /proc or /sys file: /proc/sys answers a second, partial read badly.
  private static Optional<String> read(String file) {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      byte[] buffer = new byte[4096];
      int n = in.read(buffer);
      return n <= 0
          ? Optional.empty()
          : Optional.of(new String(buffer, 0, n, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  // The value after "key" and an optional colon on the first line that starts with it.
  private static Optional<String> firstValue(String file, String key) {
    try {
      return Files.readAllLines(Path.of(file)).stream()
          .filter(line -> line.startsWith(key))
          .map(line -> line.substring(key.length()).replaceFirst("^\\s*:", "").trim())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
