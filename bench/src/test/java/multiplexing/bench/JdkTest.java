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
    Path javac = jvms.resolve(name).resolve("bin/javac");
    Files.createDirectories(javac.getParent());
    Files.writeString(javac, "#!/bin/sh\n");
    Files.setPosixFilePermissions(javac, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(jvms.resolve(name).resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    return jvms.resolve(name);
  }

  @Test
  void theFlagComesFirstThenTheRunningJdkThenJavaHomeThenTheNewestInTheFolders()
      throws IOException {
    Jdk running17 = Jdk.at(fakeJdk("running-17", "17.0.15")).orElseThrow();
    Path jdk21 = fakeJdk("jdk-21", "21.0.5");
    Path jdk25 = fakeJdk("jdk-25", "25.0.3");
    List<Path> folders = List.of(jvms);

    assertThat(Jdk.at(fakeJdk("old", "1.8.0_292")).orElseThrow().feature()).isEqualTo(8);
    assertThat(Jdk.find(jdk21.toString(), running17, null, folders).orElseThrow().home())
        .isEqualTo(jdk21);
    assertThat(Jdk.find(null, running17, jdk21.toString(), folders).orElseThrow().home())
        .isEqualTo(jdk21);
    assertThat(Jdk.find(null, running17, null, folders).orElseThrow().home()).isEqualTo(jdk25);
    Jdk running25 = Jdk.at(jdk25).orElseThrow();
    assertThat(Jdk.find(null, running25, jdk21.toString(), folders)).contains(running25);
  }

  @Test
  void withoutAJdk21TheReasonIsOneLineThatSaysWhereWeLooked() throws IOException {
    Jdk running17 = Jdk.at(fakeJdk("running-17", "17.0.15")).orElseThrow();

    assertThat(Jdk.find(null, running17, null, List.of(jvms))).isEmpty();
    assertThat(Jdk.find("none", running17, null, List.of(jvms))).isEmpty();
    assertThat(Jdk.none(null, running17, null, List.of(jvms)))
        .doesNotContain("\n")
        .contains("JDK 17", "JAVA_HOME is unset", jvms.toString(), "--jdk21=PATH");
    assertThat(Jdk.none(running17.home().toString(), running17, null, List.of()))
        .isEqualTo("--jdk21=" + running17.home() + " is no JDK 21 or newer");
  }
}
