package multiplexing.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench finds a JDK 21 or newer for virtual threads, or says in one line why there is none. */
class JdkTest {
  @TempDir Path jvms;

  private Path fakeJdk(String name, String version) throws IOException {
    Path home = jvms.resolve(name);
    Files.createDirectories(home.resolve("bin"));
    for (String tool : List.of("java", "javac")) {
      Path file = Files.writeString(home.resolve("bin").resolve(tool), "#!/bin/sh\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.writeString(
        home.resolve("release"),
        "IMPLEMENTOR=\"Test\"\nJAVA_RUNTIME_VERSION=\""
            + version
            + "+1\"\nJAVA_VERSION=\""
            + version
            + "\"\n");
    return home;
  }

  @Test
  void readsTheFeatureVersionFromTheReleaseFile() throws IOException {
    assertThat(Jdk.at(fakeJdk("a", "25.0.3")).orElseThrow().feature()).isEqualTo(25);
    assertThat(Jdk.at(fakeJdk("b", "1.8.0_292")).orElseThrow().feature()).isEqualTo(8);
    assertThat(Jdk.at(fakeJdk("c", "21")).orElseThrow().version()).isEqualTo("21+1");
    assertThat(Jdk.at(jvms.resolve("nothing-here"))).isEmpty();
  }

  @Test
  void theFlagComesFirstThenTheRunningJdkThenJavaHomeThenTheNewestInTheFolders()
      throws IOException {
    Jdk running17 = Jdk.at(fakeJdk("running-17", "17.0.15")).orElseThrow();
    Path jdk21 = fakeJdk("jdk-21", "21.0.5");
    Path jdk25 = fakeJdk("jdk-25", "25.0.3");
    List<Path> folders = List.of(jvms);

    assertThat(Jdk.find(jdk21.toString(), running17, null, folders).jdk().orElseThrow().home())
        .isEqualTo(jdk21);
    assertThat(Jdk.find(null, running17, jdk21.toString(), folders).how()).isEqualTo("JAVA_HOME");
    Jdk.Search scanned = Jdk.find(null, running17, running17.home().toString(), folders);
    assertThat(scanned.jdk().orElseThrow().home()).isEqualTo(jdk25);
    Jdk running25 = Jdk.at(jdk25).orElseThrow();
    assertThat(Jdk.find(null, running25, null, folders).how())
        .isEqualTo("the JDK running the bench");
  }

  @Test
  void withoutAJdk21TheReasonIsOneLineThatSaysWhereWeLooked() throws IOException {
    Jdk running17 = Jdk.at(fakeJdk("running-17", "17.0.15")).orElseThrow();

    Jdk.Search none = Jdk.find(null, running17, null, List.of(jvms));
    assertThat(none.jdk()).isEmpty();
    assertThat(none.how())
        .doesNotContain("\n")
        .contains("no JDK 21 or newer", "JDK 17", "JAVA_HOME is unset", jvms.toString(), "--jdk21");
    assertThat(Jdk.find(running17.home().toString(), running17, null, List.of()).how())
        .contains("is JDK 17");
    assertThat(Jdk.find("none", running17, null, List.of(jvms)).jdk()).isEmpty();
  }
}
