package docscheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Rewrites docs/diffs and docs/transcripts from the step modules; the tests check they agree. One
 * command, from the repository root, builds every step with Maven and regenerates everything:
 *
 * <pre>./mvnw -q -pl docs-check -am compile -Pregenerate</pre>
 *
 * <p>Steps are the root pom's modules named {@code stepN-name}, in the order of N. It writes {@code
 * docs/diffs/stepN-to-stepM-server.diff} and {@code -tests.diff} for each neighbouring pair and
 * {@code docs/transcripts/<step>/} for each step, with a picture beside each recorded run, and
 * deletes the files of a step that is gone. Then {@code ./mvnw -B verify} names whatever a page
 * still says that the code no longer does.
 */
public final class Regenerate {
  private Regenerate() {}

  public static void main(String[] args) throws Exception {
    Path root = Repo.root();
    try {
      Map<String, String> transcripts = new TreeMap<>(Transcripts.generate(root));
      transcripts.putAll(TracePicture.pictures(transcripts));
      write(root, StepDiffs.DIR, StepDiffs.generate(root));
      write(root, Transcripts.DIR, transcripts);
    } catch (IllegalStateException e) {
      System.err.println("Regenerate: " + e.getMessage());
      System.exit(1);
    }
  }

  // Replaces the whole folder, so a file for a step that no longer exists does not linger.
  private static void write(Path root, String dir, Map<String, String> files) throws IOException {
    if (Files.isDirectory(root.resolve(dir))) {
      try (Stream<Path> walk = Files.walk(root.resolve(dir))) {
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
      if (!Files.isRegularFile(path) || !Files.readString(path).equals(file.getValue())) {
        Files.writeString(path, file.getValue());
        System.out.println("wrote " + file.getKey());
      }
    }
  }
}
