package multiplexing.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Both pages render every section from made-up figures, for students: no targets, no English in the
 * Chinese one.
 */
class ReportTest {
  private static final List<Contender> SERVERS =
      List.of(Contender.STEP3, Contender.STEP5, Contender.NETTY, Contender.THREADS);
  private static final Pattern ENGLISH_RUN =
      Pattern.compile("[A-Za-z]{2,}(?:[ '][A-Za-z]{2,}){2,}");

  private static Results results() {
    Machine machine =
        new Machine(
            "AMD EPYC",
            2,
            24,
            "Linux 6.1",
            "JDK 25.0.3+9-LTS",
            "JDK 17.0.15",
            "4.2.18.Final",
            1,
            "threads-max 192725, pid_max 32768");
    Results results = new Results(Settings.quickRun(), machine);
    results.skipped.put("vthreads", "no JDK 21 or newer: pass --jdk21=PATH");
    results.syscallTool = "perf stat";
    int i = 0;
    for (Contender server : SERVERS) {
      i++;
      for (Load load : List.of(Load.sustained(100, 64, 1), Settings.PIPELINED)) {
        double rate = load.inFlight() == 1 ? 100_000 : 1_000_000;
        results.throughput.add(
            new ThroughputScenario.Cell(
                load, server, List.of(round(load, rate, 0.95), round(load, rate * 1.1, 0.97))));
      }
      results.concurrency.add(new ConcurrencyScenario.Point(50, server, List.of(once(50))));
      Load paced = Load.paced(100, 64, 20_000);
      SyscallCounter.Count calls =
          SyscallCounter.count(
              Map.of("read", 20_000L, "write", 20_000L, "epoll_wait", 19_000L, "*", 60_000L),
              20_000,
              SyscallCounter.Tool.PERF);
      results.cost.add(
          new CostScenario.Cell(
              paced,
              server,
              List.of(
                  new CostScenario.Round(
                      result(paced, server == Contender.THREADS ? 15_000 : 20_000, 0.3),
                      new CpuTime(0.02 * i, 0.03, 0.4))),
              Optional.of(calls),
              true));
      results.idle.add(
          new IdleScenario.Outcome(
              server,
              300,
              300,
              300,
              90,
              40,
              server == Contender.THREADS ? 250 : 300,
              300,
              300,
              40 << 20,
              41 << 20,
              42 << 20,
              20,
              server == Contender.THREADS ? 320 : 20,
              new CpuTime(0, 0.001, 2),
              server == Contender.THREADS
                  ? "refused 127.0.0.1:4000 (unable to create native thread)"
                  : null,
              Map.of("no echo in time", 3)));
      results.flood.add(new FloodScenario.Outcome(server, 8 << 20, true, 40 << 20, 47 << 20, 21));
    }
    return results;
  }

  @Test
  void theEnglishPageHasEveryScenarioWithItsChapterAndNoTargets() {
    String page =
        Report.markdown(
            results(),
            List.of("throughput-64b.png", Charts.THREADS_VS_SELECTOR),
            new EnglishPage());

    assertThat(page)
        .contains(
            "## N clients at the same moment",
            "## Throughput",
            "## Cost per message at a fixed rate")
        .contains(
            "## 300 idle connections", "## A client that never reads", "## Threads or a selector?")
        .contains(
            "(../step1-blocking.md)",
            "(../step3-read-write-split.md)",
            "(../step5-backpressure.md)")
        .contains("| 100 x 64 B, 16 in flight | step5 | 1,050,000 |")
        .contains(
            "| 100 x 64 B, 20,000 msgs/s | 1 | step3 |",
            "| 100 x 64 B, 20,000 msgs/s | 3 | netty |")
        .contains(
            "| 100 x 64 B, 20,000 msgs/s | - | threads |", "did not keep the rate: not ranked")
        .contains("saturated", "The load generator is not what caps them")
        .contains("`threads` served 250 of 300 connections; what stopped it: `refused")
        .contains("Not in this run: `vthreads`")
        .contains("![threads or a selector", "](threads-vs-selector.png)", "](throughput-64b.png)")
        .doesNotContainIgnoringCase("target")
        .doesNotContainIgnoringCase("issue");
  }

  @Test
  void theChinesePageHasTheSameSectionsAndNoEnglishSentence() {
    Results results = results();
    List<String> charts = List.of("throughput-64b.png", Charts.THREADS_VS_SELECTOR);
    String english = Report.markdown(results, charts, new EnglishPage());
    String chinese = Report.markdown(results, charts, new ChinesePage());

    assertThat(headings(chinese)).isEqualTo(headings(english));
    assertThat(chinese)
        .contains(
            "## 固定速率下每条消息的开销", "(../step5-backpressure.md)", "](../../bench/throughput-64b.png)")
        .contains("| 100 × 64 B，每秒 20,000 条 | 1 | step3 |")
        .contains("3 次未按时回显")
        .doesNotContainIgnoringCase("english")
        .doesNotContainIgnoringCase("issue")
        .doesNotContainIgnoringCase("target");
    // Server names, units, system calls and quoted log lines stay as they are; sentences do not.
    assertThat(ENGLISH_RUN.matcher(english).find()).as("the check finds English").isTrue();
    String prose = chinese.replaceAll("`[^`]*`", "").replaceAll("\\]\\([^)]*\\)", "]");
    Matcher english3 = ENGLISH_RUN.matcher(prose);
    assertThat(english3.find())
        .as("English left: %s", english3.find(0) ? english3.group() : "")
        .isFalse();
  }

  @Test
  void bothPagesHaveTheSameWords() {
    assertThat(new ChinesePage().text().keySet()).isEqualTo(new EnglishPage().text().keySet());
  }

  private static long headings(String page) {
    return page.lines().filter(l -> l.startsWith("#")).count();
  }

  private static ThroughputScenario.Round round(Load load, double rate, double cores) {
    return new ThroughputScenario.Round(
        result(load, rate, cores), new CpuTime(0.3, 0.7 * cores, 1.0), 50 << 20);
  }

  private static LoadResult result(Load load, double rate, double cores) {
    Histogram latency = new Histogram(60_000_000_000L, 3);
    latency.recordValue(50_000);
    return new LoadResult(
        load,
        load.connections(),
        0,
        (long) rate,
        1.0,
        latency,
        0,
        Map.of(),
        new CpuTime(0.2 * cores, 0.8 * cores, 1.0),
        (long) rate);
  }

  private static LoadResult once(int clients) {
    Histogram latency = new Histogram(60_000_000_000L, 3);
    latency.recordValue(300_000);
    return new LoadResult(
        Load.once(clients, 64, true),
        clients,
        clients,
        clients,
        0.01,
        latency,
        10_000_000,
        Map.of(),
        CpuTime.NONE,
        clients);
  }
}
