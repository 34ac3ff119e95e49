package multiplexing.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The one way to start a server: in this JVM as its main method does ({@code launch(args, out,
 * err)}, then {@code run()} on a thread of its own), or in a child JVM, waiting for its {@code
 * listening on} line. Either way each line it prints goes to a {@link Log} as it comes. Plain Java:
 * the bench and docs-check use it without the test libraries. A child has a {@code process} and no
 * {@code server} or {@code loop}; a server in this JVM the other way round.
 */
public record Launcher(Log log, int port, Process process, Object server, Thread loop)
    implements AutoCloseable {
  // Children still running, so that a JVM stopped by Ctrl-C or a crash leaves none behind.
  private static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> CHILDREN.forEach(Process::destroyForcibly)));
  }

  /** Starts {@code serverClass} here with these arguments and port 0, printing to {@code log}. */
  public static Launcher inProcess(Class<?> serverClass, Log log, String... args)
      throws IOException {
    List<String> words = new ArrayList<>(List.of(args));
    words.add("0");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Object server = launch(serverClass, words.toArray(String[]::new), log, err);
    if (server == null) {
      throw new IOException("the server did not start: " + err.toString(StandardCharsets.UTF_8));
    }
    Thread loop = new Thread(() -> call(server, "run"), "echo-loop");
    loop.start();
    return new Launcher(log, (Integer) call(server, "port"), null, server, loop);
  }

  /** Calls the server's {@code launch(args, out, err)}: the server, or null if it said why not. */
  public static Object launch(
      Class<?> serverClass, String[] args, OutputStream out, OutputStream err) {
    try {
      var launch =
          serverClass.getDeclaredMethod(
              "launch", String[].class, PrintStream.class, PrintStream.class);
      launch.setAccessible(true);
      return launch.invoke(
          null,
          args,
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "EchoServer lacks launch(String[], PrintStream, PrintStream)", e);
    }
  }

  /** Calls the server's {@code port()}, {@code run()} or {@code close()}. */
  public static Object call(Object server, String method) {
    try {
      return server.getClass().getMethod(method).invoke(server);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("EchoServer lacks " + method + "()", e);
    }
  }

  /**
   * Runs {@code command} (which ends with the port to listen on, 0 for any) as a child process, its
   * standard error into the same log, and waits up to 20 s for its {@code listening on} line.
   */
  public static Launcher child(List<String> command, Log log) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CHILDREN.add(process);
    Thread reader =
        new Thread(
            () -> {
              try {
                process.getInputStream().transferTo(log);
              } catch (IOException e) {
                // The child is gone: nothing more to read.
              } finally {
                log.end();
              }
            });
    reader.setDaemon(true);
    reader.start();
    Launcher child = new Launcher(log, -1, process, null, null);
    String listening =
        log.await(line -> line.startsWith("listening on "), Duration.ofSeconds(20)).orElse(null);
    if (listening == null) {
      child.close();
      String last = log.lines().stream().reduce((a, b) -> b).map(line -> ": " + line).orElse("");
      throw new IOException("did not start" + last + " (exit " + process.exitValue() + ")");
    }
    int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
    return new Launcher(log, port, process, null, null);
  }

  /** The command that runs {@code mainClass} on this JVM's java, from where it was loaded. */
  public static List<String> java(Class<?> mainClass, List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    try {
      Path from = Path.of(mainClass.getProtectionDomain().getCodeSource().getLocation().toURI());
      command.addAll(List.of("-cp", from.toString(), mainClass.getName()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException("where " + mainClass + " comes from", e);
    }
    command.addAll(List.of(args));
    return command;
  }

  public boolean isAlive() {
    return process != null ? process.isAlive() : loop.isAlive();
  }

  /**
   * Stops the server as Ctrl-C would: here, {@code close()} and up to 5 s for the loop to end; a
   * child gets SIGTERM (its shutdown hook closes the server) and, 5 s later, SIGKILL.
   */
  @Override
  public void close() {
    try {
      if (process == null) {
        call(server, "close");
        loop.join(5_000);
      } else {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        CHILDREN.remove(process);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
