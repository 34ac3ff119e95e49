package multiplexing.bench;

import static multiplexing.bench.Server.Contender.NETTY;
import static multiplexing.bench.Server.Contender.STEP7;
import static multiplexing.bench.Server.Contender.THREADS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import multiplexing.bench.LoadGenerator.Load;
import multiplexing.bench.Report.Row;
import multiplexing.bench.Server.Jdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTest {
  @Test
  void aSmallRunOfStep7NettyAndThreadsWritesEveryTableAndPrintsTheTargets(@TempDir Path out)
      throws Exception {
    Bench bench = new Bench().small();
    bench.root = Path.of("..").toAbsolutePath().normalize();
    bench.throughput = List.of(new Load(2, 64, 1));
    bench.cost = List.of(Load.paced(20));
    bench.idleConnections = 50;
    bench.floodBytes = 1 << 20;
    Path folder = Files.createDirectories(out.resolve("bench/target/quick"));
    Path stale = Files.writeString(folder.resolve("concurrency.png"), "from an earlier run");
    Files.setLastModifiedTime(stale, FileTime.fromMillis(0));
    PrintStream console = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true));
    try {
      bench.measure(
          List.of(STEP7, NETTY, THREADS), List.of(STEP7, NETTY, THREADS), "small", folder);
    } finally {
      System.setOut(console);
    }

    assertThat("" + printed)
        .contains("Targets, step 7 against Netty (small):", "| CPU per message");
    var links =
        Pattern.compile("\\]\\(([^)]+)\\)")
            .matcher(Files.readString(folder.resolve("results.md")))
            .results()
            .map(m -> m.group(1))
            .toList();
    assertThat(links).hasSize(9).contains("threads-vs-selector.png", "targets.csv"); // README too
    assertThat(links).allSatisfy(link -> assertThat(folder.resolve(link)).exists());
    assertThat(Files.readAllLines(folder.resolve("targets.csv"))).hasSize(5);
    // Every byte came back, and the thread-per-client server held a thread per idle client.
    String threads = Files.readAllLines(folder.resolve("idle.csv")).get(3);
    assertThat(threads).startsWith("50 connections,threads,1,50,50,");
    assertThat(Double.parseDouble(threads.split(",")[10])).isGreaterThan(50);
    try (var files = Files.list(folder)) {
      assertThat(files.map(f -> "" + f.getFileName()))
          .doesNotContain("concurrency.png")
          .noneMatch(f -> f.endsWith(".tmp"));
    }
  }

  @Test
  void eachTargetIsTheMedianOfRoundByRoundRatiosAndAServerBehindItsRateIsNotRanked() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(new Row("cost", "x", STEP7, "", Bench.COST, 5 + i, 20_000, 0.1, 100));
      rows.add(new Row("cost", "x", NETTY, "", Bench.COST, 10, 20_000, 0.2, 100));
      rows.add(new Row("idle", "y", STEP7, "", "connections,echoed,warm burst ms", 9, 9, 100));
      rows.add(new Row("idle", "y", NETTY, "", "connections,echoed,warm burst ms", 9, 8, 50));
    }
    assertThat(Report.targets(rows))
        .extracting(r -> r.get(0) + ": " + r.get(1) + " " + r.get(3) + " " + r.get(8))
        .containsExactly(
            "CPU per message at x: 7.00 us/msg 0.70 met",
            "every connection echoed at y: 5 of 5  met",
            "warm connect burst at y: 100 ms 2.00 missed",
            "RSS per connection at y: n/a KiB/connection n/a not measured");
    assertThat(Report.targets(rows.subList(0, 4)).get(2).get(8))
        .isEqualTo("missed (1 round(s): indicative only)");
    rows.set(0, new Row("cost", "x", STEP7, "fell behind the rate", Bench.COST, 1, 1, 1, 1));
    assertThat(Report.targets(rows).get(0).get(8))
        .isEqualTo("not ranked: step7 fell behind the rate");
  }

  @Test
  void aRunThatCannotGoOnSaysWhyInOneLine(@TempDir Path root) throws Exception {
    assertThatThrownBy(() -> Bench.checkLimits("Max open files  1024  4096 files", "", 10_200))
        .hasMessageStartingWith("ulimit -n is 1024, below the 10200 descriptors this run needs");
    assertThatThrownBy(() -> Bench.checkLimits("", "50000\t55000\n", 10_200))
        .hasMessageStartingWith(
            "ephemeral ports exhausted: net.ipv4.ip_local_port_range is 50000-55000");
    Path source = root.resolve("step7-fast-path/src/main/java/multiplexing/EchoServer.java");
    Files.writeString(Files.createDirectories(source.getParent()).resolve("EchoServer.java"), "");
    assertThatThrownBy(() -> STEP7.command(root, "java"))
        .hasMessage(
            "step7-fast-path's classes are missing or older than its EchoServer.java: bench/run builds them");
    Jdk old = new Jdk(Path.of("old"), Runtime.Version.parse("17"));
    assertThatThrownBy(() -> Jdk.find(null, old, null, root))
        .hasMessageStartingWith(
            "vthreads need JDK 21 or newer: the bench runs on JDK 17, JAVA_HOME is unset");
    assertThatThrownBy(() -> Jdk.find("" + root, old, null, root))
        .hasMessage("--jdk21=" + root + " is no JDK 21 or newer");
    Path javac = Files.createDirectories(root.resolve("jdk-21/bin")).resolve("javac");
    Files.setPosixFilePermissions(
        Files.writeString(javac, ""), PosixFilePermissions.fromString("rwx------"));
    Files.writeString(root.resolve("jdk-21/release"), "JAVA_VERSION=\"21.0.5\"\n");
    assertThat(Jdk.find(null, old, null, root).version()).hasToString("21.0.5");
  }
}
