package docscheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Rewrites docs/diffs and docs/transcripts (and their pictures): {@link Repo#REGENERATE}. */
public final class Regenerate {
  private Regenerate() {}

  public static void main(String[] args) throws Exception {
    Path root = Repo.root();
    try {
      Map<String, String> transcripts = new TreeMap<>(Transcripts.generate(root));
      transcripts.putAll(TracePicture.pictures(transcripts));
      write(root, StepDiffs.DIR, StepDiffs.generate(root));
      write(root, Transcripts.DIR, transcripts);
    } catch (RuntimeException e) {
      System.err.println("Regenerate: " + e.getMessage());
      System.exit(1);
    }
  }

  // Replaces the whole folder, so a file for a step that no longer exists does not linger.
  private static void write(Path root, String dir, Map<String, String> files) throws IOException {
    for (Path p : Repo.files(root.resolve(dir))) {
      if (!files.containsKey(Repo.name(root, p))) {
        Files.delete(p);
        System.out.println("deleted " + root.relativize(p));
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
