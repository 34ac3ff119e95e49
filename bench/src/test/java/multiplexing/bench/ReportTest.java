package multiplexing.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import multiplexing.bench.ProcStats.CpuTime;
import multiplexing.bench.Results.Burst;
import multiplexing.bench.Results.Idle;
import multiplexing.bench.Results.Round;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results page, its CSV files and the targets, from made-up figures; and the machine checks.
 */
class ReportTest {
  private static final Load COST = Load.paced(100, Bench.COST_RATE);

  // A cost round: `messages` echoed in 1 s with `cpu` seconds of server CPU.
  private static Round round(Contender server, long messages, double cpu) {
    Histogram latency = new Histogram(3);
    latency.recordValue(100_000);
    LoadGenerator.Result result =
        new LoadGenerator.Result(0, messages, messages, 1, latency, Map.of());
    return new Round(
        COST, server, result, new CpuTime(cpu / 2, cpu / 2, 1), new CpuTime(0.5, 0.5, 1));
  }

  private static Idle idle(Contender server, double warmMillis, long rssAfter) {
    ProcStats held = new ProcStats(0, 0, rssAfter, 20, 0, -1);
    Burst burst = new Burst(100, 100, warmMillis, held, rssAfter, Map.of());
    return new Idle(server, 100, 0, burst, burst, null);
  }

  private static Results results(int rounds, long step7Messages) {
    Bench.Run run = new Bench.Run(1, rounds, 0, 0, 1, 1, List.of(), List.of(100), 100, 1, 0, 1, 1);
    Results results = new Results(run, "servers on JDK 25");
    for (int i = 0; i < rounds; i++) {
      results.cost.add(round(Contender.STEP7, step7Messages, 0.1));
      results.cost.add(round(Contender.NETTY, 20_000, 0.2));
      results.idle.add(idle(Contender.STEP7, 100, 1_000 * 1024));
      results.idle.add(idle(Contender.NETTY, 50, 2_000 * 1024));
    }
    return results;
  }

  @Test
  void eachTargetIsTheMedianOfRoundByRoundRatiosAndAFallenBehindServerIsNotRanked() {
    List<List<String>> rows = Targets.rows(results(5, 20_000));
    assertThat(rows)
        .extracting(r -> r.get(0) + ": " + r.get(3) + " " + r.get(8))
        .containsExactly(
            "CPU per message at 100 x 64 B at 20000/s: 0.50 met",
            "every connection echoed at 100 connections:  met",
            "warm connect burst at 100 connections: 2.00 missed",
            "RSS per connection at 100 connections: 0.50 met");
    assertThat(Targets.rows(results(1, 20_000)).get(0).get(8))
        .isEqualTo("met (1 round(s): indicative only)");
    assertThat(Targets.rows(results(5, 15_000)).get(0).get(8))
        .isEqualTo("not ranked: step7 fell behind the rate");
  }

  @Test
  void thePageAndItsCsvFilesHoldTheSameRowsAndEveryLinkWorksWhereThePageLands(@TempDir Path root)
      throws Exception {
    Files.createDirectories(root.resolve("bench"));
    Files.writeString(root.resolve("bench/README.md"), "# Bench\n");
    Path stale =
        Files.createDirectories(root.resolve("bench/target/quick")).resolve("concurrency.png");
    Files.writeString(stale, "from an earlier run");
    Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(0));
    Path page =
        Report.write(results(5, 20_000), "full run", root.resolve("bench/target/quick"), root);
    assertThat(stale).doesNotExist();

    String text = Files.readString(page);
    Matcher link = Pattern.compile("\\]\\(([^)]+)\\)").matcher(text);
    int links = 0;
    while (link.find()) {
      assertThat(page.resolveSibling(link.group(1))).as(link.group(1)).exists();
      links++;
    }
    assertThat(links).isGreaterThan(6);
    assertThat(text)
        .contains("| step7 | 5 | 100 | 100 |", "![threads-vs-selector](threads-vs-selector.png)");
    assertThat(Files.readAllLines(page.resolveSibling("cost.csv"))).hasSize(3);
    assertThat(Files.readAllLines(page.resolveSibling("targets.csv")))
        .contains(
            "CPU per message at 100 x 64 B at 20000/s,5.00 us,10.00 us,0.50,0.50,0.50,5,<= 1.05,met");
    try (var files = Files.list(page.getParent())) {
      assertThat(files.map(Path::toString)).noneMatch(name -> name.endsWith(".tmp"));
    }
  }

  @Test
  void aRunThatCannotFinishSaysWhyInOneLine() {
    assertThatThrownBy(() -> new Machine(1024, "32768-60999").require(10_200))
        .hasMessage(
            "ulimit -n is 1024, below the 10200 descriptors this run needs on each side: raise"
                + " ulimit -Hn (bench/run raises -n to it)");
    assertThatThrownBy(() -> new Machine(1 << 20, "50000-55000").require(10_200))
        .hasMessageStartingWith(
            "ephemeral ports exhausted: net.ipv4.ip_local_port_range is 50000-55000");
    assertThatThrownBy(
            () ->
                new Machine(1 << 20, "")
                    .checkPorts(Map.of("connect failed: Cannot assign requested address", 7)))
        .hasMessageStartingWith("ephemeral ports exhausted: 7 connects");
  }

  @Test
  void procGivesTicksRssAndThreadsAndSchedstatTheNanoseconds() {
    String stat = "4242 (java server) S 1 4242 4242 0 -1 4194560 9 0 0 0 137 52 0 0 20 0 23";
    ProcStats before = ProcStats.parse(stat, "Threads:\t10023\nVmRSS:\t   51200 kB\n", 0);
    assertThat(before.rssBytes()).isEqualTo(50L << 20);
    assertThat(before.threads()).isEqualTo(10_023);
    ProcStats after = ProcStats.parse(stat.replace(" 137 52 ", " 237 102 "), "", 2_000_000_000L);
    assertThat(after.since(before).cores()).isCloseTo(0.75, within(1e-9));
    // 70 ms by schedstat, where the ticks say 70 ms give or take 20: split 3 to 4 by the ticks.
    CpuTime precise =
        new ProcStats(103, 54, 0, 0, 1, 1_070_000_000L)
            .since(new ProcStats(100, 50, 0, 0, 0, 1_000_000_000L));
    assertThat(precise.userSeconds()).isCloseTo(0.030, within(1e-9));
    assertThat(precise.systemSeconds()).isCloseTo(0.040, within(1e-9));
  }
}
