package docscheck;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays the Python tutorial's 9.3.2 session against every step: one server, two clients, typed
 * lines. Each step's own EchoServer and EchoClient run in this JVM, through the same launch() and
 * run() their main methods call. What each of the three terminals shows is recorded, with port
 * numbers normalised: the server as 9999, the first client as 50001, the second as 50002. From step
 * 2 on the session is recorded a second time with {@code --trace}, for the chapters' walk through
 * the loop, pass by pass; and {@link Demonstrations} adds what each step's weakness, or its fix,
 * looks like.
 */
final class Transcripts {
  static final String DIR = "docs/transcripts";
  static final String SERVER_PORT = "9999";
  static final List<String> CLIENT_PORTS = List.of("50001", "50002");

  // Long enough to see that step 1 leaves the second client without an echo.
  private static final long NO_ECHO_MILLIS = 300;
  private static final String PROMPT = ">>:";
  private static final Pattern ADDRESS = Pattern.compile("127\\.0\\.0\\.1:(\\d+)");

  private Transcripts() {}

  /** File path (from the repository root) to the text that terminal showed. */
  static Map<String, String> generate(Path root) throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (StepClasses classes = new StepClasses()) {
      classes.compileAll(Repo.steps(root).stream().map(root::resolve).toList());
      for (String step : Repo.steps(root)) {
        int n = Repo.stepNumber(step);
        try (URLClassLoader loader = classes.load(root.resolve(step))) {
          Map<String, String> terminals = new TreeMap<>(session(loader, n == 1, false));
          if (n >= 2) {
            terminals.put("server-trace.txt", session(loader, false, true).get("server.txt"));
          }
          terminals.putAll(Demonstrations.run(loader, n));
          terminals.forEach((name, text) -> files.put(DIR + "/" + step + "/" + name, text));
        }
      }
    }
    return files;
  }

  // The tutorial's 9.3.2 session, with one more beat: the first client leaves before the second.
  private static Map<String, String> session(ClassLoader loader, boolean oneAtATime, boolean trace)
      throws Exception {
    Class<?> clientClass = loader.loadClass("multiplexing.EchoClient");
    Server server = new Server(loader, trace ? new String[] {"--trace", "0"} : new String[] {"0"});
    Terminal serverTerminal = server.terminal;
    Client a = new Client(clientClass, server.port);
    Client b = new Client(clientClass, server.port);
    String whileFirstStays;
    try {
      a.start();
      a.awaitPrompts(1);
      serverTerminal.await("the first accept", t -> Terminal.count(t, "accepted ") == 1);
      a.type("jerome");
      a.awaitPrompts(2);

      b.start();
      b.awaitPrompts(1);
      if (!oneAtATime) {
        // With --trace, the pass that accepts B comes before the pass that reads it, always.
        serverTerminal.await("the second accept", t -> Terminal.count(t, "accepted ") == 2);
      }
      b.type("hello");
      if (oneAtATime) {
        Thread.sleep(NO_ECHO_MILLIS);
        if (Terminal.count(b.terminal.text(), PROMPT) != 1) {
          throw new IllegalStateException("step 1 echoed to a second client: " + b.terminal);
        }
      } else {
        b.awaitPrompts(2);
      }

      // What the second terminal shows while the first client is still connected.
      whileFirstStays = b.terminal.text();
      a.hangUp();
      a.awaitExit();
      serverTerminal.await("the first close", t -> Terminal.count(t, "closed by peer ") == 1);
      b.awaitPrompts(2);
      serverTerminal.await("the second accept", t -> Terminal.count(t, "accepted ") == 2);

      b.hangUp();
      b.awaitExit();
      serverTerminal.await("the second close", t -> Terminal.count(t, "closed by peer ") == 2);
      if (trace) {
        server.awaitSelecting();
      }
    } finally {
      // Whatever happened, nobody is left waiting: clients see end of input, the loop stops.
      a.keyboard.endOfInput();
      b.keyboard.endOfInput();
      server.close();
    }

    Map<String, String> ports = ports(serverTerminal.text(), server.port);
    Map<String, String> terminals = new TreeMap<>();
    terminals.put("server.txt", normalise(serverTerminal.text(), ports));
    terminals.put("client-a.txt", normalise(a.terminal.text(), ports));
    terminals.put("client-b.txt", normalise(b.terminal.text(), ports));
    terminals.put("client-b-while-a-stays.txt", normalise(whileFirstStays, ports));
    return terminals;
  }

  /** The server's port as 9999, then each client's port as 50001, 50002, in order of first use. */
  static Map<String, String> ports(String serverText, int serverPort) {
    Map<String, String> ports = new LinkedHashMap<>();
    ports.put(String.valueOf(serverPort), SERVER_PORT);
    Matcher m = ADDRESS.matcher(serverText);
    while (m.find()) {
      if (!ports.containsKey(m.group(1))) {
        ports.put(m.group(1), CLIENT_PORTS.get(ports.size() - 1));
      }
    }
    return ports;
  }

  static String normalise(String text, Map<String, String> ports) {
    Matcher m = ADDRESS.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, "127.0.0.1:" + ports.getOrDefault(m.group(1), m.group(1)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** One EchoClient on a thread of its own, fed by a keyboard we type into. */
  static final class Client {
    final Terminal terminal = new Terminal();
    private final Keyboard keyboard = new Keyboard();
    private final Method run;
    private final int port;
    private CompletableFuture<Integer> exit;

    Client(Class<?> clientClass, int port) throws ReflectiveOperationException {
      this.run =
          clientClass.getDeclaredMethod(
              "run", String[].class, InputStream.class, PrintStream.class, PrintStream.class);
      this.port = port;
      run.setAccessible(true);
    }

    /** Like typing the client's command into a fresh terminal. */
    void start() {
      String[] args = {"127.0.0.1", String.valueOf(port)};
      exit = new CompletableFuture<>();
      Server.daemon(
          () -> {
            try {
              exit.complete((Integer) run.invoke(null, args, keyboard, terminal.out, terminal.out));
            } catch (ReflectiveOperationException | RuntimeException e) {
              exit.completeExceptionally(e);
            }
          });
    }

    void type(String line) {
      terminal.echoTyped(line + "\n");
      keyboard.type((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    // Ctrl-D at the start of a line: end of input. A terminal shows nothing for it; the client
    // then ends the prompt's line itself.
    void hangUp() {
      keyboard.endOfInput();
    }

    void awaitPrompts(int n) throws InterruptedException {
      terminal.await(n + " prompts", t -> Terminal.count(t, PROMPT) == n && t.endsWith(PROMPT));
    }

    void awaitExit() throws Exception {
      int status = exit.get(Terminal.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      if (status != 0) {
        throw new IllegalStateException("the client exited with " + status + ":\n" + terminal);
      }
    }
  }

  /** Standard input that blocks until we type, like a terminal's. */
  static final class Keyboard extends InputStream {
    private static final int END = -1;
    private final LinkedBlockingDeque<Integer> keys = new LinkedBlockingDeque<>();

    void type(byte[] bytes) {
      for (byte b : bytes) {
        keys.add(b & 0xff);
      }
    }

    void endOfInput() {
      keys.add(END);
    }

    @Override
    public int read() throws IOException {
      try {
        int key = keys.take();
        if (key == END) {
          keys.addFirst(END);
        }
        return key;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int first = read();
      if (first == END) {
        return END;
      }
      b[off] = (byte) first;
      int n = 1;
      while (n < len) {
        Integer key = keys.poll();
        if (key == null) {
          break;
        }
        if (key == END) {
          keys.addFirst(END);
          break;
        }
        b[off + n++] = key.byteValue();
      }
      return n;
    }
  }
}
