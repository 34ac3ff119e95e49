package multiplexing.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A server the bench can start: one of the step modules, or the Netty reference.
 *
 * @param name the column a student reads: "step3", "netty"
 * @param module the step's folder, or null for Netty
 * @param oneClientAtATime step 1: any second connection waits for the first to leave
 * @param losesUnsentBytes step 2: a client that does not read loses its echo
 */
record Contender(String name, Path module, boolean oneClientAtATime, boolean losesUnsentBytes) {
  private static final Pattern STEP_FOLDER = Pattern.compile("step(\\d+)-.*");

  static final Contender NETTY = new Contender("netty", null, false, false);

  /** Every step folder under the repository root, in step order, then Netty. */
  static List<Contender> discover(Path root) throws IOException {
    List<Contender> found = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      for (Path folder : children.sorted(Comparator.comparing(Contender::stepNumber)).toList()) {
        Matcher step = STEP_FOLDER.matcher(folder.getFileName().toString());
        if (step.matches() && Files.isRegularFile(StepCompiler.serverSource(folder))) {
          int number = Integer.parseInt(step.group(1));
          found.add(new Contender("step" + number, folder, number == 1, number == 2));
        }
      }
    }
    found.add(NETTY);
    return found;
  }

  private static int stepNumber(Path folder) {
    Matcher step = STEP_FOLDER.matcher(folder.getFileName().toString());
    return step.matches() ? Integer.parseInt(step.group(1)) : Integer.MAX_VALUE;
  }

  boolean isNetty() {
    return module == null;
  }
}
