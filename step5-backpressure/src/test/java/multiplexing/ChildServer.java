package multiplexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The server in a JVM of its own, for limits a test cannot set in its own JVM. */
final class ChildServer implements AutoCloseable {
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Process process;
  private final int port;

  /**
   * Starts {@code EchoServer} on port 0 under a shell command prefix such as {@code ulimit -n 96},
   * with the given JVM options and server arguments, and waits for it to listen.
   */
  ChildServer(String shellPrefix, List<String> jvmOptions, String... serverArgs)
      throws IOException {
    Path classes = Path.of("target", "classes").toAbsolutePath();
    assertThat(Files.isDirectory(classes)).as("compiled classes in %s", classes).isTrue();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classes.toString(), "multiplexing.EchoServer"));
    command.addAll(List.of(serverArgs));
    command.add("0");
    // "$@" keeps every word as it is; `exec` makes the JVM the process we later destroy.
    List<String> shell =
        new ArrayList<>(List.of("bash", "-c", shellPrefix + " && exec \"$@\"", "-"));
    shell.addAll(command);
    process = new ProcessBuilder(shell).redirectErrorStream(true).start();
    Thread reader = new Thread(this::readOutput, "child-output");
    reader.setDaemon(true);
    reader.start();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> log.stream().anyMatch(line -> line.startsWith("listening on ")));
    String listening =
        log.stream().filter(line -> line.startsWith("listening on ")).findFirst().orElseThrow();
    port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
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

  int port() {
    return port;
  }

  /** Every line the child has printed so far, standard error included. */
  List<String> log() {
    return log;
  }

  long count(String prefix) {
    return log.stream().filter(line -> line.startsWith(prefix)).count();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(5, TimeUnit.SECONDS)).as("the child JVM exited").isTrue();
  }
}
