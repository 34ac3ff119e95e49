package docscheck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import multiplexing.testkit.Launcher;
import multiplexing.testkit.Log;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The Python tutorial's 9.3.2 session (one server, two clients) against each step's own EchoServer
 * and EchoClient in this JVM: what each terminal shows, ports normalised (9999, 50001, 50002); from
 * step 2 again with {@code --trace}; then each step's {@link Demonstrations}.
 */
final class Transcripts {
  static final String DIR = "docs/transcripts";

  static final Duration PATIENCE = Duration.ofSeconds(10);

  private static final List<String> PORTS = List.of("9999", "50001", "50002");
  private static final Duration NO_ECHO = Duration.ofMillis(300);
  private static final String PROMPT = ">>:";
  private static final Pattern ADDRESS = Pattern.compile("127\\.0\\.0\\.1:(\\d+)");

  private Transcripts() {}

  static Map<String, String> generate(Path root) throws Exception {
    Map<String, URL> classes = new LinkedHashMap<>(); // all refused before any is run if stale
    for (String step : Repo.steps(root)) {
      classes.put(step, Repo.classes(root, step));
    }
    Map<String, String> files = new TreeMap<>();
    for (String step : classes.keySet()) {
      int n = Repo.stepNumber(step);
      // A loader of its own for each step: seven classes named multiplexing.EchoServer.
      try (URLClassLoader loader =
          new URLClassLoader(new URL[] {classes.get(step)}, ClassLoader.getPlatformClassLoader())) {
        Class<?> server = loader.loadClass("multiplexing.EchoServer");
        Class<?> client = loader.loadClass("multiplexing.EchoClient");
        Map<String, String> terminals = new TreeMap<>(session(server, client, n == 1, false));
        if (n >= 2) {
          terminals.put("server-trace.txt", session(server, client, false, true).get("server.txt"));
        }
        terminals.putAll(Demonstrations.run(server, n));
        terminals.forEach((name, text) -> files.put(DIR + "/" + step + "/" + name, text));
      }
    }
    return files;
  }

  // The tutorial's 9.3.2 session, with one more beat: the first client leaves before the second.
  private static Map<String, String> session(
      Class<?> serverClass, Class<?> clientClass, boolean oneAtATime, boolean trace)
      throws Exception {
    Log log = new Log(10_000);
    Launcher server =
        Launcher.inProcess(serverClass, log, trace ? new String[] {"--trace"} : new String[0]);
    Client a = new Client();
    Client b = new Client();
    String whileFirstStays;
    try {
      a.start(clientClass, server.port());
      a.awaitPrompts(1);
      await("the first accept", () -> log.count("accepted ") == 1);
      a.type("jerome");
      a.awaitPrompts(2);
      b.start(clientClass, server.port());
      b.awaitPrompts(1);
      // With --trace, the pass that accepts B comes before the pass that reads it, always.
      await("the second accept", () -> oneAtATime || log.count("accepted ") == 2);
      b.type("hello");
      if (oneAtATime) {
        await("step 1 to leave the second client without an echo")
            .during(NO_ECHO)
            .until(() -> count(b.text(), PROMPT) == 1);
      } else {
        b.awaitPrompts(2);
      }
      whileFirstStays = b.text();
      a.hangUp();
      await("the first close", () -> log.count("closed by peer ") == 1);
      b.awaitPrompts(2);
      await("the second accept", () -> log.count("accepted ") == 2);
      b.hangUp();
      await("the second close", () -> log.count("closed by peer ") == 2);
      // Closed while the loop sleeps in select(), the trace shows the pass close() wakes.
      await("the loop to select()", () -> !trace || selecting(server.loop()));
    } finally {
      // Whatever happened, nobody is left waiting: clients see end of input, the loop stops.
      a.keys.close();
      b.keys.close();
      server.close();
    }
    Map<String, String> ports = ports(text(log.lines()), server.port());
    return Map.of(
        "server.txt", normalise(text(log.lines()), ports),
        "client-a.txt", normalise(a.text(), ports),
        "client-b.txt", normalise(b.text(), ports),
        "client-b-while-a-stays.txt", normalise(whileFirstStays, ports));
  }

  private static boolean selecting(Thread loop) {
    return Arrays.stream(loop.getStackTrace())
        .anyMatch(
            frame ->
                frame.getClassName().equals("sun.nio.ch.SelectorImpl")
                    && frame.getMethodName().equals("lockAndDoSelect"));
  }

  static String text(List<String> lines) {
    return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
  }

  static void await(String what, Callable<Boolean> done) {
    await(what).until(done);
  }

  static ConditionFactory await(String what) {
    return Awaitility.await(what).atMost(PATIENCE).pollInterval(Duration.ofMillis(2));
  }

  private static int count(String text, String what) {
    return text.split(Pattern.quote(what), -1).length - 1;
  }

  /** The server's port as 9999, then each client's port as 50001, 50002, in order of first use. */
  static Map<String, String> ports(String serverText, int serverPort) {
    Map<String, String> ports = new LinkedHashMap<>();
    ports.put(String.valueOf(serverPort), PORTS.get(0));
    ADDRESS
        .matcher(serverText)
        .results()
        .forEach(m -> ports.computeIfAbsent(m.group(1), port -> PORTS.get(ports.size())));
    return ports;
  }

  static String normalise(String text, Map<String, String> ports) {
    return ADDRESS
        .matcher(text)
        .replaceAll(m -> "127.0.0.1:" + ports.getOrDefault(m.group(1), m.group(1)));
  }

  /** One EchoClient on a thread of its own, in a terminal of its own, fed by the keys we type. */
  private static final class Client {
    final PipedOutputStream keys = new PipedOutputStream();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final CompletableFuture<Object> exit = new CompletableFuture<>();

    void start(Class<?> clientClass, int port) throws Exception {
      Method run =
          clientClass.getDeclaredMethod(
              "run", String[].class, InputStream.class, PrintStream.class, PrintStream.class);
      run.setAccessible(true);
      String[] args = {"127.0.0.1", String.valueOf(port)};
      InputStream keyboard = new PipedInputStream(keys);
      PrintStream out = new PrintStream(screen, true, StandardCharsets.UTF_8);
      Thread thread =
          new Thread(
              () -> {
                try {
                  exit.complete(run.invoke(null, args, keyboard, out, out));
                } catch (ReflectiveOperationException | RuntimeException e) {
                  exit.completeExceptionally(e);
                }
              });
      thread.setDaemon(true); // a failed run cannot keep the JVM (or exec:java) alive
      thread.start();
    }

    // A real terminal echoes what we type; here we write it in ourselves.
    void type(String line) throws IOException {
      byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
      screen.writeBytes(bytes);
      keys.write(bytes);
      keys.flush();
    }

    // Ctrl-D at the start of a line: the end of input, which a terminal does not show; the client
    // then ends the prompt's line itself, and exits.
    void hangUp() throws Exception {
      keys.close();
      Object status = exit.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      if (!status.equals(0)) {
        throw new IllegalStateException("the client exited with " + status + ":\n" + text());
      }
    }

    void awaitPrompts(int n) {
      await(n + " prompts", () -> count(text(), PROMPT) == n && text().endsWith(PROMPT));
    }

    String text() {
      return screen.toString(StandardCharsets.UTF_8);
    }
  }
}
