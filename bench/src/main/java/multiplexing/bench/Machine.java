package multiplexing.bench;

import io.netty.util.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A one-paragraph description of the machine and JDK, since every figure depends on them. */
final class Machine {
  private Machine() {}

  static String describe(int cpus, int serverCpu) {
    String cpu = firstValue("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch"));
    String memory =
        firstValue("/proc/meminfo", "MemTotal")
            .map(kb -> String.format("%.0f GiB", Long.parseLong(kb.split(" ")[0]) / 1048576.0))
            .orElse("unknown");
    String pinning =
        serverCpu >= 0
            ? "load generator pinned to CPU 0, servers to CPU " + serverCpu + " (taskset)"
            : "no CPU pinning (taskset missing, or a single CPU)";
    return String.format(
        "%s, %d CPUs, %s RAM; %s %s; %s %s (%s); Netty %s; %s.",
        cpu,
        cpus,
        memory,
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.vendor"),
        nettyVersion(),
        pinning);
  }

  private static String nettyVersion() {
    return Version.identify().values().stream()
        .filter(v -> v.artifactId().equals("netty-transport"))
        .map(Version::artifactVersion)
        .findFirst()
        .orElse("unknown");
  }

  private static Optional<String> firstValue(String file, String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of(file));
      return lines.stream()
          .filter(line -> line.startsWith(key))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
