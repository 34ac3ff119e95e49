package multiplexing.bench;

import io.netty.util.Version;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The machine and JDKs every figure depends on, and the limits that bound a thread per client.
 *
 * @param cpu the processor's model name
 * @param cpus how many CPUs the bench sees
 * @param memoryGib RAM, in GiB
 * @param os the kernel: "Linux 6.1.0"
 * @param benchJdk the JDK running the bench and its load generator
 * @param serverJdk the JDK every server ran on
 * @param netty Netty's version
 * @param serverCpu the CPU the servers were pinned to, or -1 when unpinned
 * @param threadLimits the limits on threads here: "threads-max 192725, pid_max 32768"
 */
record Machine(
    String cpu,
    int cpus,
    long memoryGib,
    String os,
    String benchJdk,
    String serverJdk,
    String netty,
    int serverCpu,
    String threadLimits) {

  static Machine describe(int cpus, int serverCpu, Jdk serverJdk) {
    String cpu = firstValue("/proc/cpuinfo", "model name").orElse(System.getProperty("os.arch"));
    long memory =
        firstValue("/proc/meminfo", "MemTotal")
            .map(kb -> Math.round(Long.parseLong(kb.split(" ")[0]) / 1048576.0))
            .orElse(0L);
    return new Machine(
        cpu,
        cpus,
        memory,
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        jdk(Jdk.running()),
        jdk(serverJdk),
        nettyVersion(),
        serverCpu,
        readThreadLimits());
  }

  private static String jdk(Jdk jdk) {
    return "JDK " + jdk.version();
  }

  // What may stop a thread per client: the kernel's and this process group's limits.
  private static String readThreadLimits() {
    List<String> limits = new ArrayList<>();
    read("/proc/sys/kernel/threads-max").ifPresent(v -> limits.add("threads-max " + v));
    read("/proc/sys/kernel/pid_max").ifPresent(v -> limits.add("pid_max " + v));
    read("/sys/fs/cgroup/pids.max")
        .or(() -> read("/sys/fs/cgroup/pids/pids.max"))
        .ifPresent(v -> limits.add("pids.max " + v));
    firstValue("/proc/self/limits", "Max processes")
        .map(v -> v.trim().split("\\s+")[0])
        .ifPresent(v -> limits.add("ulimit -u " + v));
    read("/proc/sys/vm/max_map_count").ifPresent(v -> limits.add("max_map_count " + v));
    return limits.isEmpty() ? "unknown" : String.join(", ", limits);
  }

  private static String nettyVersion() {
    return Version.identify().values().stream()
        .filter(v -> v.artifactId().equals("netty-transport"))
        .map(Version::artifactVersion)
        .findFirst()
        .orElse("unknown");
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

  private static Optional<String> firstValue(String file, String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of(file));
      return lines.stream()
          .filter(line -> line.startsWith(key))
          .map(
              line ->
                  line.substring(line.indexOf(key) + key.length())
                      .replaceFirst("^\\s*:", "")
                      .trim())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
