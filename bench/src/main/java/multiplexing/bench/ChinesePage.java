package multiplexing.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Chinese page beside the report in docs/zh: the same sections and headings, a Chinese line on
 * what each shows, and the same tables and charts (figures need no translation).
 */
final class ChinesePage {
  private static final Map<String, String> HEADINGS =
      Map.of(
          "# Bench results", "# 基准测试结果",
          "## Scenario 1", "## 场景 1：N 个客户端同时各做一次往返",
          "## Scenario 2", "## 场景 2：吞吐量",
          "## Scenario 3", "## 场景 3：一次涌入的大量空闲连接，之后各回显一次",
          "## Scenario 4", "## 场景 4：只发送、从不读取的客户端",
          "## Targets", "## 目标",
          "## Charts", "## 图表");

  private static final Map<String, String> CAPTIONS =
      Map.of(
          "# Bench results",
              "每个服务器在自己的 JVM 中运行，先预热，再轮流测量多轮，表中是中位数。" + "文字说明见[英文版](../../bench/results.md)。",
          "## Scenario 1", "从第一次 connect() 到最后一个回显的毫秒数 / 中位客户端的往返毫秒数。",
          "## Scenario 2",
              "msgs/s：每秒回显的消息数；延迟单位为微秒；CPU 以核为单位（1.00 = 一个整核）；" + "标为 saturated 的行是两个核都已跑满，不做排名。",
          "## Scenario 3", "第一次冷启动突发用于称量内存，第二次（已预热）用于计时和计数。",
          "## Scenario 4", "步骤 3 的队列没有上限，会把收到的全部留在内存里；步骤 4 和 Netty 会停止读取。",
          "## Targets", "issue 5 的目标，逐条对照本次结果（英文原文）：",
          "## Charts", "");

  private ChinesePage() {}

  /** Builds the Chinese page from the English report; charts live in {@code chartPath}. */
  static String from(String english, String chartPath) {
    List<String> out = new ArrayList<>();
    for (String line : english.lines().toList()) {
      String key = sectionKey(line);
      if (key != null) {
        out.add(HEADINGS.get(key));
        out.add("");
        if (!CAPTIONS.get(key).isEmpty()) {
          out.add(CAPTIONS.get(key));
          out.add("");
        }
      } else if (line.startsWith("Machine: ")) {
        out.add("机器：" + line.substring("Machine: ".length()));
        out.add("");
      } else if (line.startsWith("|") || line.startsWith("- ")) {
        out.add(line);
      } else if (line.startsWith("![")) {
        out.add(line.replace("](", "](" + chartPath));
        out.add("");
      } else if (line.isEmpty() && !out.isEmpty() && !out.get(out.size() - 1).isEmpty()) {
        out.add("");
      }
    }
    return String.join("\n", out) + "\n";
  }

  private static String sectionKey(String line) {
    for (String key : HEADINGS.keySet()) {
      if (line.equals(key) || line.startsWith(key + ":") || line.startsWith(key + " (")) {
        return key;
      }
    }
    return null;
  }
}
