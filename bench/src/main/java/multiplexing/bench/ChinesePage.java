package multiplexing.bench;

import java.util.Locale;
import java.util.Map;

/**
 * The Chinese results page, docs/zh/bench/results.md: the English page's sections, tables and
 * charts, every word in Chinese. Server names, units and system calls stay as they are, as in code.
 */
final class ChinesePage extends Page {
  private static final Map<String, String> TEXT =
      Map.ofEntries(
          Map.entry("title", "# 基准测试结果"),
          Map.entry("title.quick", "# 基准测试结果（快速运行：仅供参考）"),
          Map.entry(
              "machine",
              "机器：%s，%d 个 CPU，%d GiB 内存；%s。各服务器运行在 %s 上，基准程序和负载生成器运行在 %s 上；Netty %s；%s。"
                  + "本机的线程上限：%s。"),
          Map.entry("pinned", "负载生成器绑定在 CPU 0，服务器绑定在 CPU %d（taskset）"),
          Map.entry("unpinned", "没有绑定 CPU（没有 taskset，或只有一个 CPU）"),
          Map.entry(
              "method",
              "每个服务器都在自己的 JVM 中运行。前三节每个服务器共用一个 JVM，%s；"
                  + "空闲连接和从不读取的两节，每个服务器每一轮都启动一个新的 JVM。服务器逐轮轮流测量，表中是中位数："
                  + "每个服务器 %d 轮，第 5 步和 Netty 在需要相互比较的地方各 %d 轮。延迟是一条消息的往返时间，"
                  + "从负载生成器把它排进发送队列算起（固定速率时从它应当发出的时刻算起）。"
                  + "基准程序怎样测量、怎样运行，见 [bench/README.md](%sbench/README.md)。"),
          Map.entry("warmed", "先加载 %s 秒再开始计数"),
          Map.entry("cold", "没有先预热"),
          Map.entry(
              "servers",
              "参加比较的服务器：`step1` 到 `step5` 是各章的服务器；`netty` 是只有一个事件循环线程的 Netty 回显服务器，"
                  + "和我们单线程的各步一样的预算；`threads` 是[每个客户端一个线程的第 1 步](%sbench/contenders/ThreadPerClientEchoServer.java)，"
                  + "`vthreads` 是[每个客户端一个虚拟线程的同一个服务器](%sbench/contenders/VirtualThreadEchoServer.java)。"),
          Map.entry("skipped", "本次没有运行 `%s`：它的虚拟线程需要 JDK 21 或更新的版本，而这里没有找到；可以用 `--jdk21=PATH` 指定。"),
          Map.entry("concurrency.heading", "## N 个客户端同时到来"),
          Map.entry(
              "concurrency.lead",
              "N 个客户端在同一时刻连接，各发一条消息后挂断：[第 1 步](../step1-blocking.md)一个接一个地服务，"
                  + "最后一个要等前面所有的人；从[第 2 步](../step2-select-echo.md)起，一个 Selector 同时服务所有客户端。"),
          Map.entry("concurrency.cells", "每格：从第一次 connect() 到最后一个回显的毫秒数 / 中位客户端的往返毫秒数。"),
          Map.entry("concurrency.clients", "客户端数"),
          Map.entry("concurrency.errors", "（%d 个错误）"),
          Map.entry(
              "concurrency.backlog",
              "总时间接近 1,000 毫秒，是监听队列溢出了：内核丢掉了放不下的握手，客户端的 TCP 一秒后重试。"
                  + "Java 默认的监听队列长度是 50；[第 5 步](../step5-backpressure.md)和两个线程服务器要求 4,096，"
                  + "Netty 用内核的 somaxconn。"),
          Map.entry("throughput.heading", "## 吞吐量"),
          Map.entry(
              "throughput.lead",
              "每个连接都忙着回显，一次一条（一问一答）或同时 16 条在途：消息为 16 KiB 时，"
                  + "[第 2 到第 4 步](../step2-select-echo.md)每次读 1024 字节，一条消息要读十六次，"
                  + "而[第 5 步](../step5-backpressure.md)一次读 64 KiB 就够了；在两个核上，很多行碰到的是机器的上限，"
                  + "所以下一节改用开销给服务器排名。"),
          Map.entry(
              "throughput.legend",
              "条/秒：每秒回显的消息数；MB/秒：每秒回显的有效数据（单向）；延迟单位为微秒；"
                  + "CPU 以核为单位（1.00 = 一个整核），分别是服务器进程和负载生成器线程在计数窗口内的占用；"
                  + "`饱和`：两者都达到 0.92 个核以上。"),
          Map.entry(
              "throughput.header",
              "| 负载 | 服务器 | 条/秒 | MB/秒 | p50 | p99 | p99.9 | 服务器 CPU | 生成器 CPU |"
                  + " 服务器 RSS MiB | 错误 | 相对 Netty | |"),
          Map.entry("throughput.saturated", "饱和：不排名"),
          Map.entry(
              "throughput.saturation",
              "**饱和的负载**（%s）：服务器和负载生成器各占大约一个整核，上限是两个核，而不是某个服务器的代码；"
                  + "这些行不给服务器排名。这些行逐轮之间的差异：%.0f%%（中位数）。"),
          Map.entry(
              "throughput.headroom",
              "卡住它们的不是负载生成器：同一个生成器线程在同一个核上，本次驱动过每秒 %,.0f 条（%s，%s），"
                  + "是饱和的一问一答最好成绩的 %.1f 倍（每秒 %,.0f 条，%s，%s）。一问一答时它有 %.0f%% 的 CPU"
                  + "花在内核里：每条消息一次 write、一次 read、一次 epoll 唤醒，和服务器一样。"),
          Map.entry("cost.heading", "## 固定速率下每条消息的开销"),
          Map.entry(
              "cost.lead",
              "每秒 %,d 条 64 字节的消息，是每个服务器都跟得上的速率；这时服务器花在每条消息上的 CPU，"
                  + "即使只有两个核也能给服务器排名：[第 3 步](../step3-read-write-split.md)和第 4 步每回显一次"
                  + "都要打开再关闭 OP_WRITE，[第 5 步](../step5-backpressure.md)读到就写，"
                  + "而每个客户端一个线程的服务器每条消息都要唤醒一个线程。"),
          Map.entry(
              "cost.legend",
              "CPU：服务器每回显 1,000 条消息花费的 CPU 时间（用户态 + 内核态，取自 /proc/PID/stat），单位毫秒，"
                  + "也就是每条消息的微秒数；按它排名，最省的在前；没跟上速率的服务器一次读到好几条消息，显得更省，所以不排名。差异：各轮的（最大 - 最小）/ 中位数。"
                  + "服务器 CPU：在这个速率下占用的核数。"),
          Map.entry(
              "cost.header",
              "| 负载 | 名次 | 服务器 | 每 1,000 条的 CPU 毫秒 | 用户态 | 内核态 | 差异 |"
                  + " 回显 条/秒 | 服务器 CPU | p99 微秒 | |"),
          Map.entry("cost.behind", "没有跟上速率：不排名"),
          Map.entry("cost.syscalls.behind", "跟踪时落后了：数字偏少"),
          Map.entry(
              "cost.syscalls",
              "每回显一条消息的系统调用次数，用 `%s` 在同样速率下单独运行一遍统计；跟踪会拖慢服务器，"
                  + "所以上表的数字都不来自这一遍。read 和 write 包括 recvfrom 和 sendto，epoll_wait 包括 epoll_pwait；"
                  + "其他是所有其余的调用，JVM 自己的也在内。"),
          Map.entry("cost.syscalls.quick", "快速运行不统计系统调用；完整运行在 perf 或 strace 可用时会统计。"),
          Map.entry("cost.syscalls.off", "本次没有统计系统调用。"),
          Map.entry("cost.syscalls.unavailable", "本次没有统计系统调用：这台机器上 perf 和 strace 都不能用（`%s`）。"),
          Map.entry(
              "cost.syscalls.header",
              "| 负载 | 服务器 | read | write | epoll_wait | epoll_ctl | futex | 其他 | 合计 | |"),
          Map.entry("idle.heading", "## %,d 个空闲连接"),
          Map.entry(
              "idle.lead",
              "%,d 个连接一下子涌来，然后空闲，最后各回显一次：[第 5 步](../step5-backpressure.md)要求 4,096 的监听队列，"
                  + "一次接下整批连接，而第 2 到第 4 步沿用 Java 的 50，握手要靠内核重试；"
                  + "每个客户端一个线程的服务器则为每个连接占用一个线程和一个栈。"),
          Map.entry(
              "idle.legend",
              "每个新启动的服务器接受两批连接。第一批（冷）称量内存和线程，以及空闲 %s 秒里服务器花的 CPU；"
                  + "第二批（热）计时，从第一次 connect() 到服务器打印最后一行 `accepted`。每一批最多等 %s 秒握手，再最多等同样长的时间回显。每连接 KiB："
                  + "第一批都回显之后 RSS 的增长，除以接受的连接数。第 1 步不参加：它只会服务第一个连接。"),
          Map.entry(
              "idle.header",
              "| 服务器 | 轮数 | 接受 | 回显 | 冷突发毫秒 | 热突发毫秒 | 之前 RSS MiB | 持有时 RSS MiB |"
                  + " 每连接 KiB | 持有时线程数 | 空闲 CPU 毫秒/秒 | 错误 |"),
          Map.entry("idle.trouble", "`%s` 服务了 %,d / %,d 个连接；让它停下的是：`%s`。"),
          Map.entry("flood.heading", "## 从不读取的客户端"),
          Map.entry(
              "flood.lead",
              "一个客户端发送 %d MiB，却从不读取回显：[第 3 步](../step3-read-write-split.md)的队列没有上限，"
                  + "收到多少就留多少；[第 5 步](../step5-backpressure.md)的水位线和 Netty 的一样，会停止读取这个客户端；"
                  + "每个客户端一个线程的服务器阻塞在 write() 里，也就停止了读取，代价是一个线程。"),
          Map.entry(
              "flood.legend",
              "接收：服务器停止读取之前客户端写出去的量（其中几 MiB 在内核的套接字缓冲区里）；"
                  + "增长：服务器 RSS 的峰值减去之前的 RSS。第 2 步不参加：它有意丢掉写不出去的数据。"),
          Map.entry(
              "flood.header", "| 服务器 | 接收 MiB | 停止读取 | 之前 RSS MiB | 峰值 RSS MiB | 增长 MiB | 线程数 |"),
          Map.entry("yes", "是"),
          Map.entry("no", "否"),
          Map.entry("threads.heading", "## 用线程还是用选择器？"),
          Map.entry(
              "threads.lead",
              "我们到底需不需要 Selector？[第 1 步](../step1-blocking.md)加上每个客户端一个线程（`threads`）"
                  + "或一个虚拟线程（`vthreads`），与[第 5 步](../step5-backpressure.md)和 Netty 并排，四个都运行在 %s 上："
                  + "看每条消息、每个连接各要多少开销，要多少线程。"),
          Map.entry("threads.server", "服务器"),
          Map.entry("threads.rate", "条/秒，%s"),
          Map.entry("threads.cpu", "每 1,000 条的 CPU 毫秒，%s"),
          Map.entry(
              "threads.rest",
              "%,d 个连接：回显 | 热突发毫秒 | 持有时 RSS MiB | 每连接 KiB | 持有时线程数 | 从不读取的客户端：增长 MiB |"),
          Map.entry("charts.heading", "## 图表"),
          Map.entry("chart.throughput-64b", "每秒消息数与连接数，64 字节一问一答"),
          Map.entry("chart.latency-p99-64b", "p99 往返时间与连接数，64 字节一问一答"),
          Map.entry("chart.throughput-16k", "MB/秒与连接数，16 KiB 一问一答"),
          Map.entry("chart.latency-p99-16k", "p99 往返时间与连接数，16 KiB 一问一答"),
          Map.entry("chart.concurrency", "同时到来的客户端数与到最后一个回显的毫秒数"),
          Map.entry("chart.cost-per-message", "固定速率下每条消息的 CPU 微秒数与连接数"),
          Map.entry("chart.threads-vs-selector", "线程还是选择器：持有空闲连接时的 RSS 和线程数，以及各服务器的吞吐量"),
          Map.entry("na", "无"));

  private static final Map<String, String> ERRORS =
      Map.of(
          "no echo in time", "未按时回显",
          "never connected", "没能连上",
          "closed by server", "被服务器关闭",
          "reset", "连接被重置",
          "refused", "连接被拒绝",
          "corrupt bytes", "回显的字节有误",
          "more bytes than sent", "收到的字节多于发出的");

  @Override
  Map<String, String> text() {
    return TEXT;
  }

  @Override
  String load(Load load) {
    String size =
        load.messageSize() >= 1024 ? load.messageSize() / 1024 + " KiB" : load.messageSize() + " B";
    String how =
        load.isPaced()
            ? String.format(Locale.ROOT, "每秒 %,d 条", load.rate())
            : load.inFlight() == 1 ? "一问一答" : "每个连接 " + load.inFlight() + " 条在途";
    return load.connections() + " × " + size + "，" + how;
  }

  @Override
  String error(String kind, int count) {
    String words = ERRORS.get(kind);
    if (words == null && kind.startsWith("connect failed: ")) {
      words = "连接失败：`" + kind.substring("connect failed: ".length()) + "`";
    } else if (words == null && kind.startsWith("rate not kept")) {
      words = "没有跟上速率";
    } else if (words == null) {
      words = "`" + kind + "`";
    }
    return count + " 次" + words;
  }

  @Override
  String path() {
    return "docs/zh/bench/results.md";
  }
}
