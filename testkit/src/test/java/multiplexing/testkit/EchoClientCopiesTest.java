package multiplexing.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every step keeps its own copy of the client, and the client's tests run once, on step 1's: so
 * every copy must be step 1's file, byte for byte.
 */
class EchoClientCopiesTest {
  static final Path CLIENT = Path.of("src", "main", "java", "multiplexing", "EchoClient.java");

  /** Step 1's module: Maven runs these tests in the testkit's folder, a sibling of the steps. */
  static Path stepOne() {
    return Path.of("").toAbsolutePath().getParent().resolve("step1-blocking");
  }

  @Test
  void everyStepsEchoClientIsTheSameFileAsStepOnes() throws IOException {
    Path module = stepOne();
    List<Path> steps;
    try (Stream<Path> siblings = Files.list(module.getParent())) {
      steps =
          siblings
              .filter(dir -> dir.getFileName().toString().matches("step[0-9]+-.+"))
              .filter(Files::isDirectory)
              .sorted()
              .toList();
    }
    assertThat(steps).as("step modules beside %s", module).contains(module).hasSizeGreaterThan(1);
    String original = Files.readString(module.resolve(CLIENT));
    for (Path step : steps) {
      Path copy = step.resolve(CLIENT);
      assertThat(copy).as("every step has its client").isRegularFile();
      assertThat(Files.readString(copy))
          .as("%s is a copy of %s", copy, module.resolve(CLIENT))
          .isEqualTo(original);
    }
  }
}
