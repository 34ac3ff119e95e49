package docscheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Rewrites docs/diffs and docs/transcripts from the step modules; the tests check they agree. One
 * command, from the repository root, regenerates everything for every step it finds:
 *
 * <pre>./mvnw -q -pl docs-check compile exec:java</pre>
 *
 * <p>Steps are the root pom's modules named {@code stepN-name}, in the order of N: a new step (or a
 * step whose code changed) needs nothing but that command, which writes {@code
 * docs/diffs/stepN-to-stepM-server.diff} and {@code -tests.diff} for each neighbouring pair and
 * {@code docs/transcripts/<step>/} for each step, compiling each step's main sources with javac
 * (not Maven), and deletes the files of a step that is gone. Then {@code ./mvnw -B verify} names
 * whatever a page still says that the code no longer does: an excerpt, a hunk header, a test name,
 * a command, a link.
 */
public final class Regenerate {
  private Regenerate() {}

  public static void main(String[] args) throws Exception {
    Path root = Repo.root();
    write(root, StepDiffs.DIR, StepDiffs.generate(root));
    Map<String, String> transcripts = new TreeMap<>(Transcripts.generate(root));
    // Beside each recorded run, its pictures: NAME.svg and NAME.zh.svg.
    transcripts.putAll(TracePicture.pictures(transcripts));
    write(root, Transcripts.DIR, transcripts);
  }

  // Replaces the whole folder, so a file for a step that no longer exists does not linger.
  private static void write(Path root, String dir, Map<String, String> files) throws IOException {
    Path folder = root.resolve(dir);
    if (Files.isDirectory(folder)) {
      try (Stream<Path> walk = Files.walk(folder)) {
        for (Path p : walk.filter(Files::isRegularFile).toList()) {
          if (!files.containsKey(root.relativize(p).toString().replace('\\', '/'))) {
            Files.delete(p);
            System.out.println("deleted " + root.relativize(p));
          }
        }
      }
    }
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = root.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      boolean same = Files.isRegularFile(path) && Files.readString(path).equals(file.getValue());
      if (!same) {
        Files.writeString(path, file.getValue());
        System.out.println("wrote " + file.getKey());
      }
    }
  }
}
