package docscheck;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Replays the Python tutorial's 9.3.2 session against every step: one server, two clients, typed
 * lines. Each step's own EchoServer and EchoClient are compiled from source and run in this JVM
 * (each step in a class loader of its own), through the same launch() and run() their main methods
 * call. What each of the three terminals shows is recorded, with port numbers normalised: the
 * server as 9999, the first client as 50001, the second as 50002.
 */
final class Transcripts {
  static final String DIR = "docs/transcripts";
  static final String SERVER_PORT = "9999";
  static final List<String> CLIENT_PORTS = List.of("50001", "50002");

  private static final Duration PATIENCE = Duration.ofSeconds(10);
  // Long enough to see that step 1 leaves the second client without an echo.
  private static final Duration NO_ECHO_WINDOW = Duration.ofMillis(500);
  private static final String PROMPT = ">>:";
  private static final Pattern ADDRESS = Pattern.compile("127\\.0\\.0\\.1:(\\d+)");

  private Transcripts() {}

  /** File path (from the repository root) to the text that terminal showed. */
  static Map<String, String> generate(Path root) throws Exception {
    Map<String, String> files = new TreeMap<>();
    Path work = Files.createTempDirectory("docs-check-");
    try {
      for (String step : Repo.steps(root)) {
        Path classes = compile(root.resolve(step), work.resolve(step));
        Map<String, String> terminals = session(classes, Repo.stepNumber(step) == 1);
        terminals.forEach((name, text) -> files.put(DIR + "/" + step + "/" + name, text));
      }
    } finally {
      try (Stream<Path> walk = Files.walk(work)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    return files;
  }

  private static Path compile(Path module, Path out) throws IOException {
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(module.resolve("src/main/java"))) {
      sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    Files.createDirectories(out);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      boolean ok =
          javac
              .getTask(
                  errors,
                  files,
                  null,
                  List.of("-d", out.toString(), "--release", "17", "-proc:none"),
                  null,
                  files.getJavaFileObjectsFromPaths(sources))
              .call();
      if (!ok) {
        throw new IllegalStateException("cannot compile " + module + ":\n" + errors);
      }
    }
    return out;
  }

  // The tutorial's 9.3.2 session, with one more beat: the first client leaves before the second.
  private static Map<String, String> session(Path classes, boolean oneAtATime) throws Exception {
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> serverClass = loader.loadClass("multiplexing.EchoServer");
      Class<?> clientClass = loader.loadClass("multiplexing.EchoClient");
      Terminal serverTerminal = new Terminal();
      Method launch =
          serverClass.getDeclaredMethod(
              "launch", String[].class, PrintStream.class, PrintStream.class);
      launch.setAccessible(true);
      Object server =
          launch.invoke(null, new String[] {"0"}, serverTerminal.out, serverTerminal.out);
      if (server == null) {
        throw new IllegalStateException("the server did not start: " + serverTerminal.text());
      }
      int port = (Integer) serverClass.getMethod("port").invoke(server);
      Method run = serverClass.getMethod("run");
      CompletableFuture<Void> loop =
          CompletableFuture.runAsync(
              () -> {
                try {
                  run.invoke(server);
                } catch (ReflectiveOperationException e) {
                  throw new IllegalStateException(e);
                }
              },
              Transcripts::daemon);
      Client a = new Client(clientClass, port);
      Client b = new Client(clientClass, port);
      String whileFirstStays;
      try {
        a.start();
        a.awaitPrompts(1);
        serverTerminal.await("the first accept", t -> count(t, "accepted ") == 1);
        a.type("jerome");
        a.awaitPrompts(2);

        b.start();
        b.awaitPrompts(1);
        b.type("hello");
        if (oneAtATime) {
          Thread.sleep(NO_ECHO_WINDOW.toMillis());
          if (count(b.terminal.text(), PROMPT) != 1) {
            throw new IllegalStateException("step 1 echoed to a second client: " + b.terminal);
          }
        } else {
          b.awaitPrompts(2);
        }

        // What the second terminal shows while the first client is still connected.
        whileFirstStays = b.terminal.text();
        a.hangUp();
        a.awaitExit();
        serverTerminal.await("the first close", t -> count(t, "closed by peer ") == 1);
        b.awaitPrompts(2);
        serverTerminal.await("the second accept", t -> count(t, "accepted ") == 2);

        b.hangUp();
        b.awaitExit();
        serverTerminal.await("the second close", t -> count(t, "closed by peer ") == 2);
      } finally {
        // Whatever happened, nobody is left waiting: clients see end of input, the loop stops.
        a.keyboard.endOfInput();
        b.keyboard.endOfInput();
        ((Closeable) server).close();
        loop.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      }

      Map<String, String> ports = new LinkedHashMap<>();
      ports.put(String.valueOf(port), SERVER_PORT);
      Matcher m = ADDRESS.matcher(serverTerminal.text());
      while (m.find()) {
        if (!ports.containsKey(m.group(1))) {
          ports.put(m.group(1), CLIENT_PORTS.get(ports.size() - 1));
        }
      }
      Map<String, String> terminals = new TreeMap<>();
      terminals.put("server.txt", normalise(serverTerminal.text(), ports));
      terminals.put("client-a.txt", normalise(a.terminal.text(), ports));
      terminals.put("client-b.txt", normalise(b.terminal.text(), ports));
      terminals.put("client-b-while-a-stays.txt", normalise(whileFirstStays, ports));
      return terminals;
    }
  }

  private static String normalise(String text, Map<String, String> ports) {
    Matcher m = ADDRESS.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, "127.0.0.1:" + ports.getOrDefault(m.group(1), m.group(1)));
    }
    m.appendTail(out);
    return out.toString();
  }

  // Daemon threads, so a failed run cannot keep the JVM (or exec:java) alive.
  private static void daemon(Runnable task) {
    Thread thread = new Thread(task, "transcript");
    thread.setDaemon(true);
    thread.start();
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }

  /** What one terminal window shows: the program's output, and what we typed into it. */
  static final class Terminal {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }

    // A real terminal echoes what we type; here we write it in ourselves.
    void echoTyped(String text) {
      synchronized (bytes) {
        bytes.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      }
    }

    void await(String what, Predicate<String> condition) throws InterruptedException {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (!condition.test(text())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("gave up waiting for " + what + ":\n" + text());
        }
        Thread.sleep(5);
      }
    }

    @Override
    public String toString() {
      return text();
    }
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
      exit =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return (Integer) run.invoke(null, args, keyboard, terminal.out, terminal.out);
                } catch (ReflectiveOperationException e) {
                  throw new IllegalStateException(e);
                }
              },
              Transcripts::daemon);
    }

    void type(String line) {
      terminal.echoTyped(line + "\n");
      keyboard.type((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    // Ctrl-D at the start of a line: end of input. Terminals show it as ^D.
    void hangUp() {
      terminal.echoTyped("^D");
      keyboard.endOfInput();
    }

    void awaitPrompts(int n) throws InterruptedException {
      terminal.await(n + " prompts", t -> count(t, PROMPT) == n && t.endsWith(PROMPT));
    }

    void awaitExit() throws Exception {
      int status = exit.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
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
