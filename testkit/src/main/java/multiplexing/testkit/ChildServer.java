package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A step's server in a JVM of its own, for what a test cannot set in its own JVM: a heap limit, or
 * (through bash) a descriptor limit. It runs the very class the test is given, from wherever that
 * class was loaded: the step's {@code target/classes}, or a student's version that the grader
 * compiled.
 */
public final class ChildServer implements AutoCloseable {
  // Appended by the reader thread, read by the test: a synchronized list, copied only on demand.
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final Process process;
  private final int port;

  /**
   * Starts {@code serverClass} on port 0 with the given JVM options and server arguments, under a
   * shell command such as {@code ulimit -n 96} (null for none: then no shell is started), and waits
   * for it to listen.
   */
  public ChildServer(
      Class<?> serverClass, String shellPrefix, List<String> jvmOptions, String... serverArgs)
      throws IOException {
    Path classes = codeSource(serverClass);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classes.toString(), serverClass.getName()));
    command.addAll(List.of(serverArgs));
    command.add("0");
    if (shellPrefix != null) {
      // "$@" keeps every word as it is; `exec` makes the JVM the process we later destroy.
      List<String> shell =
          new ArrayList<>(List.of("bash", "-c", shellPrefix + " && exec \"$@\"", "-"));
      shell.addAll(command);
      command = shell;
    }
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader = new Thread(this::readOutput, "child-output");
    reader.setDaemon(true);
    reader.start();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> log().stream().anyMatch(line -> line.startsWith("listening on ")));
    String listening =
        log().stream().filter(line -> line.startsWith("listening on ")).findFirst().orElseThrow();
    port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
  }

  /**
   * What a JVM started with these options sees as its heap ({@code Runtime.maxMemory()}), which is
   * a little less than {@code -Xmx}: the same JVM as the child's, asked by a probe of the
   * testkit's.
   */
  public static long maxMemory(List<String> jvmOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of("-cp", codeSource(MaxMemory.class).toString(), MaxMemory.class.getName()));
    Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(probe.waitFor(10, TimeUnit.SECONDS)).as("the heap probe exited").isTrue();
    return Long.parseLong(out);
  }

  private static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("where " + type + " comes from", e);
    }
  }

  /** True where tests may start bash and use its ulimit: Linux and macOS with bash on the PATH. */
  public static boolean bashAvailable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "bash"))) {
        return true;
      }
    }
    return false;
  }

  private void readOutput() {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        log.add(line);
      }
    } catch (IOException e) {
      // The child is gone: nothing more to read.
    }
  }

  public int port() {
    return port;
  }

  /** Every line the child has printed so far, standard error included. */
  public List<String> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  public long count(String prefix) {
    synchronized (log) {
      return log.stream().filter(line -> line.startsWith(prefix)).count();
    }
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      assertThat(process.waitFor(5, TimeUnit.SECONDS)).as("the child JVM exited").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
