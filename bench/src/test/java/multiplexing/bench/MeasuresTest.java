package multiplexing.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** What the bench reads from /proc, perf and strace, parsed from canned output. */
class MeasuresTest {
  private static final String STAT =
      "4242 (java server) S 1 4242 4242 0 -1 4194560 9 0 0 0 137 52 0 0 20 0 23 0 1 2 3";
  private static final String STATUS =
      "Name:\tjava\nThreads:\t10023\nVmPeak:\t  9000 kB\nVmRSS:\t   51200 kB\n";

  @Test
  void procStatGivesUserAndSystemTicksAndStatusGivesRssAndThreads() {
    ProcStats before = ProcStats.parse(STAT, STATUS, 0);
    ProcStats after =
        ProcStats.parse(STAT.replace(" 137 52 ", " 237 102 "), STATUS, 2_000_000_000L);

    assertThat(before.userTicks()).isEqualTo(137);
    assertThat(before.systemTicks()).isEqualTo(52);
    assertThat(before.rssBytes()).isEqualTo(50L << 20);
    assertThat(before.threads()).isEqualTo(10_023);
    CpuTime cpu = after.since(before);
    assertThat(cpu.userSeconds()).isCloseTo(1.0, within(1e-9));
    assertThat(cpu.systemSeconds()).isCloseTo(0.5, within(1e-9));
    assertThat(cpu.cores()).isCloseTo(0.75, within(1e-9));
  }

  @Test
  void withSchedstatTheTotalIsToTheNanosecondAndTheTicksOnlySplitIt() {
    ProcStats before = new ProcStats(100, 50, 0, 20, 0, 1_000_000_000L);
    ProcStats after = new ProcStats(103, 54, 0, 20, 1_000_000_000L, 1_070_000_000L);

    CpuTime cpu = after.since(before);
    // 70 ms in all, where the ticks alone would say 70 ms give or take 20; split 3 to 4.
    assertThat(cpu.userSeconds()).isCloseTo(0.030, within(1e-9));
    assertThat(cpu.systemSeconds()).isCloseTo(0.040, within(1e-9));
  }

  @Test
  void cpuPerThousandMessagesIsCpuSecondsOverMessagesInMilliseconds() {
    Load load = Load.paced(100, 64, 50_000);
    LoadResult result =
        new LoadResult(
            load, 100, 0, 100_000, 2.0, new Histogram(3), 0, Map.of(), CpuTime.NONE, 100_010);
    CostScenario.Round round = new CostScenario.Round(result, new CpuTime(0.3, 0.2, 2.0));

    // 0.5 s of CPU for 100,000 messages: 5 us per message, 5 ms per 1,000.
    assertThat(round.millisPerThousand()).isCloseTo(5.0, within(1e-9));
    assertThat(round.userMillisPerThousand()).isCloseTo(3.0, within(1e-9));
    assertThat(round.systemMillisPerThousand()).isCloseTo(2.0, within(1e-9));
  }

  @Test
  void perfStatCsvGivesCallsByNameAndTheTotal() {
    String csv =
        """
        # started on Mon Dec  1 19:00:00 2025

        200123,,syscalls:sys_enter_read,2001234567,100.00,,
        200001,,syscalls:sys_enter_write,2001234567,100.00,,
        <not counted>,,syscalls:sys_enter_recvfrom,0,100.00,,
        150000,,syscalls:sys_enter_epoll_wait,2001234567,100.00,,
        0,,syscalls:sys_enter_epoll_ctl,2001234567,100.00,,
        4100,,syscalls:sys_enter_futex,2001234567,100.00,,
        560000,,raw_syscalls:sys_enter,2001234567,100.00,,
        """;
    SyscallCounter.Count count =
        SyscallCounter.count(SyscallCounter.parsePerf(csv), 100_000, SyscallCounter.Tool.PERF);

    assertThat(count.calls()).containsEntry("read", 200_123L).doesNotContainKey("recvfrom");
    assertThat(count.total()).isEqualTo(560_000);
    assertThat(count.perMessage(SyscallCounter.Kind.READ)).isCloseTo(2.00123, within(1e-9));
    assertThat(count.perMessage(SyscallCounter.Kind.EPOLL_CTL)).isZero();
    // Other: every call no column names, 560,000 - 554,224.
    assertThat(count.perMessage(SyscallCounter.Kind.OTHER)).isCloseTo(0.05776, within(1e-9));
    assertThat(count.perMessage(SyscallCounter.Kind.TOTAL)).isCloseTo(5.6, within(1e-9));
  }

  @Test
  void straceSummaryGivesCallsByNameWithOrWithoutErrors() {
    String table =
        """
        % time     seconds  usecs/call     calls    errors syscall
        ------ ----------- ----------- --------- --------- ----------------
         48.10    0.120000           1    100000           read
         40.00    0.100000           1    100000           write
          6.00    0.015000           3      5000      4990 futex
          5.90    0.014000           0     50000           epoll_pwait
        ------ ----------- ----------- --------- --------- ----------------
        100.00    0.249000           0    255000      4990 total
        """;
    SyscallCounter.Count count =
        SyscallCounter.count(SyscallCounter.parseStrace(table), 50_000, SyscallCounter.Tool.STRACE);

    assertThat(count.calls()).containsEntry("futex", 5_000L).containsEntry("epoll_pwait", 50_000L);
    assertThat(count.total()).isEqualTo(255_000);
    assertThat(count.perMessage(SyscallCounter.Kind.EPOLL_WAIT)).isEqualTo(1.0);
    assertThat(count.perMessage(SyscallCounter.Kind.WRITE)).isEqualTo(2.0);
    assertThat(count.perMessage(SyscallCounter.Kind.OTHER)).isZero();
  }
}
