package docscheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Where the repository is, which modules the root pom lists, and each step's built classes. */
final class Repo {
  /** The command that rewrites every generated file under docs/; failure messages quote it. */
  static final String REGENERATE = "./mvnw -q -pl docs-check -am compile -Pregenerate";

  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern STEP = Pattern.compile("step(\\d+)-[a-z0-9-]+");

  private Repo() {}

  /** Walks up from the working directory (the root for exec:java, the module for tests). */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("mvnw")) && Files.isDirectory(d.resolve("docs-check"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root above " + dir);
  }

  static List<String> modules(Path root) {
    return MODULE
        .matcher(read(root.resolve("pom.xml")))
        .results()
        .map(m -> m.group(1).trim())
        .toList();
  }

  static List<String> steps(Path root) {
    return modules(root).stream()
        .filter(name -> STEP.matcher(name).matches())
        .sorted(Comparator.comparingInt(Repo::stepNumber))
        .toList();
  }

  static int stepNumber(String module) {
    return Integer.parseInt(STEP.matcher(module).replaceFirst("$1"));
  }

  /** The step's classes as Maven built them, refused if older than their source: never stale. */
  static URL classes(Path root, String step) throws IOException {
    Path classes = root.resolve(step).resolve("target/classes");
    Path main = root.resolve(step).resolve("src/main/java");
    for (Path source : files(main).stream().filter(p -> p.toString().endsWith(".java")).toList()) {
      Path built = classes.resolve(name(main, source).replace(".java", ".class"));
      if (!Files.exists(built)
          || Files.getLastModifiedTime(built).compareTo(Files.getLastModifiedTime(source)) < 0) {
        throw new IllegalStateException(
            step
                + "/target/classes is missing or older than "
                + source.getFileName()
                + ": run "
                + REGENERATE);
      }
    }
    return classes.toUri().toURL();
  }

  /** The regular files under dir, sorted; none if there is no such folder. */
  static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file's path from base, with / on every system: how the maps of files name it. */
  static String name(Path base, Path file) {
    return base.relativize(file).toString().replace('\\', '/');
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
