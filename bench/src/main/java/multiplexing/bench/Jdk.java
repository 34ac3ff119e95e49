package multiplexing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A JDK the servers run on: its home and its version, read from the {@code release} file every JDK
 * since 9 carries, so that finding one starts no process. {@code feature} is 25 for 25.0.3.
 */
record Jdk(Path home, int feature, String version) {
  /** Where we look when neither the flag nor JAVA_HOME names a JDK 21. */
  static final List<Path> FOLDERS = List.of(Path.of("/usr/lib/jvm"));

  private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"((1\\.)?(\\d+)[^\"]*)\"");

  /** The JDK at {@code home}, if it is one: bin/javac (the contenders need it), a release file. */
  static Optional<Jdk> at(Path home) {
    Matcher m = VERSION.matcher(Server.read(home.resolve("release")));
    boolean jdk = m.find() && Files.isExecutable(home.resolve("bin/javac"));
    return jdk
        ? Optional.of(new Jdk(home, Integer.parseInt(m.group(3)), m.group(1)))
        : Optional.empty();
  }

  /** The JDK running the bench. */
  static Jdk running() {
    Path home = Path.of(System.getProperty("java.home"));
    return new Jdk(home, Runtime.version().feature(), "" + Runtime.version());
  }

  Path java() {
    return home.resolve("bin/java");
  }

  /**
   * The first JDK 21 or newer (virtual threads) of: the {@code --jdk21=PATH} flag's (alone when
   * given), the JDK running the bench, {@code JAVA_HOME}'s, and the newest in the folders; if none,
   * why not, in one line.
   */
  static Jdk find(String flag, Jdk running, String javaHome, List<Path> folders) {
    Stream<Jdk> home = Stream.ofNullable(javaHome).flatMap(h -> at(Path.of(h)).stream());
    Stream<Jdk> installed = folders.stream().flatMap(Jdk::inside);
    installed = installed.sorted(Comparator.comparingInt(Jdk::feature).reversed());
    Stream<Jdk> all = Stream.of(Stream.of(running), home, installed).flatMap(s -> s);
    Optional<Jdk> found =
        (flag != null ? at(Path.of(flag)).stream() : all)
            .filter(j -> j.feature() >= 21)
            .findFirst();
    String where =
        "JAVA_HOME is " + (javaHome == null ? "unset" : javaHome) + " and there is none in ";
    String none =
        flag != null
            ? "--jdk21=" + flag + " is no JDK 21 or newer"
            : "vthreads need JDK 21 or newer: the bench runs on JDK "
                + running.feature()
                + ", "
                + where
                + folders
                + ": pass --jdk21=PATH";
    return found.orElseThrow(() -> new Bench.Failure(none));
  }

  // A folder of JDKs, such as /usr/lib/jvm.
  private static Stream<Jdk> inside(Path folder) {
    try (Stream<Path> children = Files.list(folder)) {
      return children.flatMap(c -> at(c).stream()).toList().stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }
}
