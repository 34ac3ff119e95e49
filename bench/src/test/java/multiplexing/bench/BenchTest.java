package multiplexing.bench;

import static multiplexing.bench.Contender.NETTY;
import static multiplexing.bench.Contender.STEP7;
import static multiplexing.bench.Contender.THREADS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import multiplexing.bench.Bench.Run;
import multiplexing.bench.LoadGenerator.Load;
import multiplexing.bench.Report.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Run TINY =
      new Run(1, 1, 0, 0.2, List.of(Load.sustained(2, 64, 1)), List.of(20), 50, 1 << 20);

  @Test
  void aTinyRunOfStep7NettyAndThreadsWritesEveryTableAndPrintsTheTargets(@TempDir Path out)
      throws Exception {
    Path folder = Files.createDirectories(out.resolve("bench/target/quick"));
    Path stale = Files.writeString(folder.resolve("concurrency.png"), "from an earlier run");
    Files.setLastModifiedTime(stale, FileTime.fromMillis(0));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream console = System.out;
    System.setOut(new PrintStream(printed, true));
    List<Contender> servers = List.of(STEP7, NETTY, THREADS);
    Path page;
    try {
      page = Bench.measure(TINY, servers, servers, Jdk.running(), "smoke", ROOT, folder);
    } finally {
      System.setOut(console);
    }

    assertThat(printed.toString()).contains("Targets, step 7 against Netty (smoke):");
    assertThat(printed.toString()).contains("| CPU per message at 20 x 64 B at 20000/s | ");
    String text = Files.readString(page);
    Matcher link = Pattern.compile("\\]\\(([^)]+)\\)").matcher(text);
    int links = 0;
    for (; link.find(); links++) {
      assertThat(page.resolveSibling(link.group(1))).as(link.group(1)).exists();
    }
    assertThat(links).isEqualTo(9); // the README, five CSV files, three charts
    assertThat(Files.readAllLines(folder.resolve("targets.csv"))).hasSize(5);
    // Every client got its own thread: threads held while 50 connections were idle.
    String threads = Files.readAllLines(folder.resolve("idle.csv")).get(3);
    assertThat(threads).startsWith("50 connections,threads,1,50,50,");
    assertThat(Double.parseDouble(threads.split(",")[10])).isGreaterThan(50);
    assertThat(stale).doesNotExist();
    try (var files = Files.list(folder)) {
      assertThat(files.map(Path::toString)).noneMatch(name -> name.endsWith(".tmp"));
    }
  }

  @Test
  void eachTargetIsTheMedianOfRoundByRoundRatiosAndAServerBehindItsRateIsNotRanked() {
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(Row.of("cost", "x", STEP7, "", Measure.COST, 5 + i, 20_000, 0.1, 100));
      rows.add(Row.of("cost", "x", NETTY, "", Measure.COST, 10, 20_000, 0.2, 100));
      rows.add(Row.of("idle", "y", STEP7, "", "connections,echoed,warm burst ms", 9, 9, 100));
      rows.add(Row.of("idle", "y", NETTY, "", "connections,echoed,warm burst ms", 9, 8, 50));
    }
    assertThat(Report.targets(rows))
        .extracting(r -> r.get(0) + ": " + r.get(3) + " " + r.get(8))
        .containsExactly(
            "CPU per message at x: 0.70 met",
            "every connection echoed at y:  met",
            "warm connect burst at y: 2.00 missed",
            "RSS per connection at y: n/a not measured");
    assertThat(Report.targets(rows.subList(0, 4)).get(2).get(8))
        .isEqualTo("missed (1 round(s): indicative only)");
    rows.set(0, Row.of("cost", "x", STEP7, "fell behind: not ranked", Measure.COST, 1, 1, 1, 1));
    assertThat(Report.targets(rows).get(0).get(8))
        .isEqualTo("not ranked: step7 fell behind the rate");
  }

  @Test
  void aRunThatCannotGoOnSaysWhyInOneLine(@TempDir Path root) throws Exception {
    assertThatThrownBy(
            () -> Bench.checkLimits("Max open files  1024  1024 files", "32768\t60999", 10_200))
        .hasMessage(
            "ulimit -n is 1024, below the 10200 descriptors this run needs on each side:"
                + " raise ulimit -Hn (bench/run raises -n to it)");
    assertThatThrownBy(() -> Bench.checkLimits("", "50000 55000\n", 10_200))
        .hasMessageStartingWith(
            "ephemeral ports exhausted: net.ipv4.ip_local_port_range is 50000-55000");
    Path source = root.resolve("step7-fast-path/src/main/java/multiplexing/EchoServer.java");
    Path compiled = root.resolve("step7-fast-path/target/classes/multiplexing/EchoServer.class");
    Files.createDirectories(source.getParent());
    Files.createDirectories(compiled.getParent());
    Files.writeString(source, "class EchoServer {}");
    Files.setLastModifiedTime(Files.writeString(compiled, ""), FileTime.fromMillis(0));
    assertThatThrownBy(() -> STEP7.command(root, Path.of("java")))
        .hasMessage(
            "step7-fast-path's classes are missing or older than its EchoServer.java:"
                + " bench/run builds them");
    Files.setLastModifiedTime(compiled, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
    assertThat(STEP7.command(root, Path.of("java"))).endsWith("multiplexing.EchoServer");
  }

  @Test
  void theJdkFinderTakesTheFlagThenThisJdkThenJavaHomeThenTheNewestInstalled(@TempDir Path jvms)
      throws Exception {
    Jdk running17 = Jdk.at(fake(jvms, "running-17", "17.0.15")).orElseThrow();
    Path jdk21 = fake(jvms, "jdk-21", "21.0.5");
    Path jdk25 = fake(jvms, "jdk-25", "25.0.3");
    assertThat(Jdk.at(fake(jvms, "old", "1.8.0_292")).orElseThrow().feature()).isEqualTo(8);
    assertThat(Jdk.find("" + jdk21, running17, null, List.of(jvms)).home()).isEqualTo(jdk21);
    assertThat(Jdk.find(null, running17, "" + jdk21, List.of(jvms)).home()).isEqualTo(jdk21);
    assertThat(Jdk.find(null, running17, null, List.of(jvms)).home()).isEqualTo(jdk25);
    assertThatThrownBy(() -> Jdk.find(null, running17, null, List.of()))
        .hasMessage(
            "vthreads need JDK 21 or newer: the bench runs on JDK 17, JAVA_HOME is unset"
                + " and there is none in []: pass --jdk21=PATH");
    assertThatThrownBy(() -> Jdk.find("" + jvms, running17, null, List.of()))
        .hasMessage("--jdk21=" + jvms + " is no JDK 21 or newer");
  }

  private static Path fake(Path jvms, String name, String version) throws Exception {
    Path javac = Files.createDirectories(jvms.resolve(name + "/bin")).resolve("javac");
    Files.setPosixFilePermissions(
        Files.writeString(javac, ""), PosixFilePermissions.fromString("rwx------"));
    Files.writeString(jvms.resolve(name + "/release"), "JAVA_VERSION=\"" + version + "\"\n");
    return jvms.resolve(name);
  }

  @Test
  void theGeneratorCountsAFlippedByteAsCorrupt() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread server =
          new Thread(
              () -> {
                try (Socket client = listener.accept()) {
                  byte[] message = client.getInputStream().readNBytes(64);
                  message[0] ^= 1;
                  client.getOutputStream().write(message);
                  client.getInputStream().read(); // until the generator hangs up
                } catch (Exception ignored) {
                  // The generator has hung up.
                }
              });
      server.start();
      var address = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
      try (LoadGenerator g =
          new LoadGenerator(address, new Load(1, 64, 1, 1, 0), 0, 5_000_000_000L)) {
        g.exchange(0, 0, 5_000_000_000L, () -> {});
        assertThat(g.errors).containsEntry("corrupt bytes", 1);
        assertThat(g.echoed).isZero();
      }
      server.join(5_000);
    }
  }
}
