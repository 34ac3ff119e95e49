package multiplexing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A JDK, known by the release file every JDK since 9 carries: finding one starts nothing. */
record Jdk(Path home, Runtime.Version version) {
  static final List<Path> FOLDERS = List.of(Path.of("/usr/lib/jvm"));
  private static final Pattern RELEASE = Pattern.compile("JAVA_VERSION=\"([1-9]\\d[^\"]*)\"");

  static Optional<Jdk> at(Path home) {
    var m = RELEASE.matcher(Server.read(home.resolve("release")));
    boolean jdk = m.find() && Files.isExecutable(home.resolve("bin/javac"));
    return jdk ? Optional.of(new Jdk(home, Runtime.Version.parse(m.group(1)))) : Optional.empty();
  }

  static Jdk running() {
    return new Jdk(Path.of(System.getProperty("java.home")), Runtime.version());
  }

  Path java() {
    return home.resolve("bin/java");
  }

  /**
   * The first JDK 21 or newer (virtual threads) of the {@code --jdk21} flag's (alone when given),
   * the one running the bench, {@code JAVA_HOME}'s and the newest in the folders; else why not.
   */
  static Jdk find(String flag, Jdk running, String javaHome, List<Path> folders) {
    var home = Stream.ofNullable(javaHome).flatMap(h -> at(Path.of(h)).stream());
    var newest =
        folders.stream().flatMap(Jdk::inside).sorted(Comparator.comparing(Jdk::version).reversed());
    var all = Stream.of(Stream.of(running), home, newest);
    var found = flag != null ? at(Path.of(flag)).stream() : all.flatMap(s -> s);
    String where = (javaHome == null ? "unset" : javaHome) + " and there is none in " + folders;
    String why =
        flag != null
            ? "--jdk21=" + flag + " is no JDK 21 or newer"
            : "vthreads need JDK 21 or newer: the bench runs on JDK "
                + running.version().feature()
                + ", JAVA_HOME is "
                + where
                + ": pass --jdk21=PATH";
    return found
        .filter(j -> j.version().feature() >= 21)
        .findFirst()
        .orElseThrow(() -> new Bench.Failure(why));
  }

  private static Stream<Jdk> inside(Path folder) {
    try (Stream<Path> children = Files.list(folder)) {
      return children.flatMap(c -> at(c).stream()).toList().stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }
}
