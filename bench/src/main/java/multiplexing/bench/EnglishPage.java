package multiplexing.bench;

import java.util.Map;

/** The English results page, docs/bench/results.md. */
final class EnglishPage extends Page {
  private static final Map<String, String> TEXT =
      Map.ofEntries(
          Map.entry("title", "# Bench results"),
          Map.entry("title.quick", "# Bench results (quick run: indicative only)"),
          Map.entry(
              "machine",
              "Machine: %s, %d CPUs, %d GiB RAM; %s. The servers ran on %s, the bench and its"
                  + " load generator on %s; Netty %s; %s. Limits on threads here: %s."),
          Map.entry("pinned", "load generator pinned to CPU 0, servers to CPU %d (taskset)"),
          Map.entry("unpinned", "no CPU pinning (taskset missing, or a single CPU)"),
          Map.entry(
              "method",
              "Each server runs in a JVM of its own. The first three sections share one JVM per"
                  + " server, %s; the idle and never-reading"
                  + " sections start a fresh JVM per server and round. Servers take turns round by"
                  + " round and the tables quote medians: %d round(s) each, %d for step 5 and Netty"
                  + " where the bench compares them. Latency is a message's round trip from the"
                  + " moment the generator queued it (at a fixed rate, from the moment it was due)."
                  + " [bench/README.md](%sbench/README.md) says how the bench measures and how to"
                  + " run it."),
          Map.entry("warmed", "loaded for %s s before anything counts"),
          Map.entry("cold", "not warmed first"),
          Map.entry(
              "servers",
              "The servers: `step1` to `step5` are the chapters' servers; `netty` is Netty's echo"
                  + " server with one event-loop thread, the same budget as our one-thread steps;"
                  + " `threads` is [step 1 with a thread per client](%sbench/contenders/ThreadPerClientEchoServer.java)"
                  + " and `vthreads` [the same with a virtual thread per client](%sbench/contenders/VirtualThreadEchoServer.java)."),
          Map.entry(
              "skipped",
              "Not in this run: `%s`, which needs JDK 21 or newer for its virtual threads (%s)."),
          Map.entry("concurrency.heading", "## N clients at the same moment"),
          Map.entry(
              "concurrency.lead",
              "N clients connect at the same moment, each sends one message and hangs up:"
                  + " [step 1](../step1-blocking.md) serves them one after another, so the last"
                  + " waits for all the others, while from [step 2](../step2-select-echo.md) on one"
                  + " Selector serves them together."),
          Map.entry(
              "concurrency.cells",
              "Each cell: milliseconds from the first connect() to the last echo / the median"
                  + " client's round trip in milliseconds."),
          Map.entry("concurrency.clients", "clients"),
          Map.entry("concurrency.errors", " (%d errors)"),
          Map.entry(
              "concurrency.backlog",
              "A total near 1,000 ms is the listen backlog overflowing: the kernel dropped the"
                  + " handshakes that did not fit and the clients' TCP retried them a second later."
                  + " Java's default backlog is 50; [step 5](../step5-backpressure.md) and the"
                  + " threads servers ask for 4,096, and Netty for the kernel's somaxconn."),
          Map.entry("throughput.heading", "## Throughput"),
          Map.entry(
              "throughput.lead",
              "Echo with every connection busy, one message at a time (ping-pong) or 16 in flight:"
                  + " at 16 KiB the 1024-byte reads of [steps 2 to 4](../step2-select-echo.md) take"
                  + " sixteen reads per message where [step 5](../step5-backpressure.md) takes one"
                  + " 64 KiB read; on two cores many rows reach the machine's limit, which is why the"
                  + " next section ranks servers by cost instead."),
          Map.entry(
              "throughput.legend",
              "msgs/s: echoes per second; MB/s: payload echoed per second, one way; latency in"
                  + " microseconds; CPU in cores (1.00 = one full core), for the server process and"
                  + " for the generator's thread, over the counting window; `saturated`: both at"
                  + " 0.92 of a core or more."),
          Map.entry(
              "throughput.header",
              "| load | server | msgs/s | MB/s | p50 | p99 | p99.9 | server CPU | generator CPU |"
                  + " server RSS MiB | errors | vs Netty | |"),
          Map.entry("throughput.saturated", "saturated: not ranked"),
          Map.entry(
              "throughput.saturation",
              "**Saturated loads** (%s): the server and the load generator each use about a full"
                  + " core, so the two cores are the limit, not one server's code; we do not rank"
                  + " servers there. Round-to-round spread in those rows: %.0f%% (median)."),
          Map.entry(
              "throughput.headroom",
              "The load generator is not what caps them: the same generator thread on the same"
                  + " core drove %,.0f msgs/s in this run (%s, %s), %.1fx the best saturated"
                  + " ping-pong figure (%,.0f msgs/s, %s, %s). At ping-pong it spends %.0f%% of its"
                  + " CPU in the kernel: a write, a read and an epoll wake-up per message, as the"
                  + " server does."),
          Map.entry("cost.heading", "## Cost per message at a fixed rate"),
          Map.entry(
              "cost.lead",
              "At %,d messages of 64 B per second, a rate every server keeps up with, the CPU a"
                  + " server spends per message ranks servers even on two cores:"
                  + " [step 3](../step3-read-write-split.md) and step 4 turn OP_WRITE on and off"
                  + " for every echo, [step 5](../step5-backpressure.md) writes at once, and a"
                  + " thread per client wakes a thread of its own for every message."),
          Map.entry(
              "cost.legend",
              "CPU: the server's CPU time (user + system, from /proc/PID/stat) per 1,000 messages"
                  + " echoed, in milliseconds, which is also microseconds per message; servers are"
                  + " ranked by it, cheapest first; a server that fell behind the rate read several"
                  + " messages at once, which flatters it, and is not ranked. Spread: (max - min) / median over the rounds."
                  + " Server CPU: cores busy at this rate."),
          Map.entry(
              "cost.header",
              "| load | rank | server | CPU ms per 1,000 msgs | user | system | spread |"
                  + " msgs/s echoed | server CPU | p99 us | |"),
          Map.entry("cost.behind", "did not keep the rate: not ranked"),
          Map.entry("cost.syscalls.behind", "fell behind while traced: too few"),
          Map.entry(
              "cost.syscalls",
              "System calls per message echoed, counted with `%s` in a separate pass at the same"
                  + " rate; tracing slows a server, so no figure above comes from it. read and"
                  + " write include recvfrom and sendto, epoll_wait includes epoll_pwait; other is"
                  + " every other call, the JVM's own included."),
          Map.entry(
              "cost.syscalls.quick",
              "The quick run does not count system calls; the full run does, where perf or"
                  + " strace works."),
          Map.entry("cost.syscalls.off", "System calls were not counted in this run."),
          Map.entry(
              "cost.syscalls.unavailable",
              "System calls were not counted: neither perf nor strace works on this machine"
                  + " (`%s`)."),
          Map.entry(
              "cost.syscalls.header",
              "| load | server | read | write | epoll_wait | epoll_ctl | futex | other | all | |"),
          Map.entry("idle.heading", "## %,d idle connections"),
          Map.entry(
              "idle.lead",
              "%,d connections arrive in one burst and sit idle, then each echoes once:"
                  + " [step 5](../step5-backpressure.md) asks for a listen backlog of 4,096 and"
                  + " takes the burst at once, where steps 2 to 4 keep Java's 50 and lose"
                  + " handshakes to the kernel's retries, and a thread per client holds a thread"
                  + " and a stack for every connection."),
          Map.entry(
              "idle.legend",
              "Each fresh server takes the burst twice. The first, cold, weighs memory and"
                  + " threads, and the CPU the server spends in %s s of idleness; the second, warm,"
                  + " is timed, from the first connect() to the server's last `accepted` line. Each"
                  + " burst waits at most %s s for its handshakes, then as long for its echoes. KiB"
                  + " per connection: RSS growth once the first burst has echoed, over the"
                  + " connections accepted. Step 1 is left out: it would serve the first connection"
                  + " and no other."),
          Map.entry(
              "idle.header",
              "| server | rounds | accepted | echoed | burst ms, cold | burst ms, warm |"
                  + " RSS before MiB | RSS held MiB | KiB per connection | threads held |"
                  + " idle CPU ms per s | errors |"),
          Map.entry("idle.trouble", "`%s` served %,d of %,d connections; what stopped it: `%s`."),
          Map.entry("flood.heading", "## A client that never reads"),
          Map.entry(
              "flood.lead",
              "One client sends %d MiB and never reads its echo:"
                  + " [step 3](../step3-read-write-split.md)'s queue has no bound and keeps all it"
                  + " is sent, [step 5](../step5-backpressure.md)'s water marks stop reading that"
                  + " client as Netty's do, and a thread per client blocks in write(), which stops"
                  + " its reading too, at the price of a thread."),
          Map.entry(
              "flood.legend",
              "Taken: what the client could write before the server stopped reading it (the"
                  + " kernel's socket buffers hold a few MiB of it); growth: the server's peak RSS"
                  + " minus its RSS before. Step 2 is left out: it drops what it cannot write, on"
                  + " purpose."),
          Map.entry(
              "flood.header",
              "| server | MiB taken | stopped reading | RSS before MiB | RSS peak MiB |"
                  + " growth MiB | threads |"),
          Map.entry("yes", "yes"),
          Map.entry("no", "no"),
          Map.entry("threads.heading", "## Threads or a selector?"),
          Map.entry(
              "threads.lead",
              "Do we need a Selector at all? [Step 1](../step1-blocking.md) with a thread per"
                  + " client (`threads`) or a virtual thread per client (`vthreads`) beside"
                  + " [step 5](../step5-backpressure.md) and Netty, all four on %s: what each costs"
                  + " per message, per connection and in threads."),
          Map.entry("threads.server", "server"),
          Map.entry("threads.rate", "msgs/s, %s"),
          Map.entry("threads.cpu", "CPU ms per 1,000 msgs, %s"),
          Map.entry(
              "threads.rest",
              "%,d connections: echoed | warm burst ms | RSS held MiB | KiB per connection |"
                  + " threads held | never-reading client: growth MiB |"),
          Map.entry("charts.heading", "## Charts"),
          Map.entry("chart.throughput-64b", "msgs/s against connections, 64 B ping-pong"),
          Map.entry("chart.latency-p99-64b", "p99 round trip against connections, 64 B ping-pong"),
          Map.entry("chart.throughput-16k", "MB/s against connections, 16 KiB ping-pong"),
          Map.entry(
              "chart.latency-p99-16k", "p99 round trip against connections, 16 KiB ping-pong"),
          Map.entry("chart.concurrency", "ms to the last echo against clients arriving at once"),
          Map.entry(
              "chart.cost-per-message",
              "CPU microseconds per message at a fixed rate, against connections"),
          Map.entry(
              "chart.threads-vs-selector",
              "threads or a selector: RSS and threads holding the idle connections, and"
                  + " throughput per server"),
          Map.entry("na", "n/a"));

  @Override
  Map<String, String> text() {
    return TEXT;
  }

  @Override
  String load(Load load) {
    return load.describe();
  }

  @Override
  String error(String kind, int count) {
    return count + " " + kind;
  }

  @Override
  String path() {
    return "docs/bench/results.md";
  }
}
