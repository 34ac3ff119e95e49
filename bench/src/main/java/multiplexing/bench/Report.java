package multiplexing.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import multiplexing.bench.Results.Flood;
import multiplexing.bench.Results.Idle;
import multiplexing.bench.Results.Round;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Writes what a run measured: results.md with one table per scenario, each table also as a CSV
 * file, and the charts beside them; numbers only (bench/README.md says what they mean, the student
 * page what they teach). Each file goes to a temporary name first and is then renamed, so that a
 * crash never leaves a half-written page.
 */
final class Report {
  private static final double MIB = 1024 * 1024;
  // Both sides near a full core: the machine, not the server, is the limit.
  private static final double SATURATED = 0.92;
  // A server's colour in every chart, in the order of Contender.
  private static final int[] COLOURS = {
    0xD62728, 0xFF7F0E, 0x2CA02C, 0x9467BD, 0x17BECF, 0xBCBD22, 0x1F77B4, 0, 0x8C564B, 0xE377C2
  };

  /**
   * A table of the page, also written as {@code name}.csv. Its chart is drawn from its own cells,
   * so that it shows what the table holds: a panel per column in {@code panels}, a group of bars
   * per value of the {@code group} column, a bar per server.
   */
  record Table(
      String name,
      String title,
      String columns,
      List<List<String>> rows,
      String chart,
      String group,
      String... panels) {}

  private Report() {}

  /** Writes the page, its CSV files and its charts into {@code folder}; returns the page. */
  static Path write(Results results, String kind, Path folder, Path root) throws IOException {
    long started = System.currentTimeMillis() - 1_000;
    Files.createDirectories(folder);
    String readme =
        folder.relativize(root.resolve("bench/README.md")).toString().replace('\\', '/');
    StringBuilder page = new StringBuilder("# Bench results (" + kind + ")\n\n");
    page.append("Written by `bench/run`: " + results.setup + ". What each column holds, how the");
    page.append(" bench measures it and the machine: [bench/README.md](" + readme + ").\n");
    for (Table table :
        List.of(
            new Table("targets", "Targets", Targets.COLUMNS, Targets.rows(results), null, null),
            throughput(results),
            cost(results),
            idle(results),
            flood(results))) {
      String csv = table.name() + ".csv";
      List<String> columns = List.of(table.columns().split(","));
      page.append("\n## " + table.title() + " ([" + csv + "](" + csv + "))\n\n");
      page.append(markdown(columns)).append("|" + "---|".repeat(columns.size()) + "\n");
      table.rows().forEach(row -> page.append(markdown(row)));
      if (table.chart() != null && !table.rows().isEmpty() && draw(table, folder)) {
        page.append("\n![" + table.chart() + "](" + table.chart() + ".png)\n");
      }
      writeText(
          folder.resolve(csv),
          table.columns()
              + "\n"
              + table.rows().stream()
                  .map(row -> row.stream().map(Report::csv).collect(Collectors.joining(",")) + "\n")
                  .collect(Collectors.joining()));
    }
    Path md = folder.resolve("results.md");
    writeText(md, page.toString());
    // The folder is the run's alone: what an earlier run wrote and this one did not goes.
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().matches(".*\\.(md|csv|png)")).toList()) {
        if (Files.getLastModifiedTime(file).toMillis() < started) {
          Files.delete(file);
        }
      }
    }
    return md;
  }

  static String markdown(List<String> cells) {
    return cells.stream()
        .map(c -> c.replace('|', '/'))
        .collect(Collectors.joining(" | ", "| ", " |\n"));
  }

  private static String csv(String value) {
    return value.contains(",") ? '"' + value.replace('"', '\'') + '"' : value;
  }

  private static void writeText(Path file, String text) throws IOException {
    rename(Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), text), file);
  }

  private static void rename(Path temporary, Path file) throws IOException {
    Files.move(
        temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String f(String format, double value) {
    return Targets.format(format, value);
  }

  // The median of the rounds, formatted; "n/a" where no round has the figure.
  private static <T> String m(String format, List<T> rounds, ToDoubleFunction<T> metric) {
    return f(format, Results.median(rounds, metric));
  }

  private static String errors(List<Map<String, Integer>> each) {
    Map<String, Integer> sum = new TreeMap<>();
    each.forEach(errors -> errors.forEach((k, v) -> sum.merge(k, v, Integer::sum)));
    return sum.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining("; "));
  }

  private static Table throughput(Results results) {
    List<List<String>> rows = new ArrayList<>();
    Map<List<Object>, List<Round>> cells = Results.cells(results.throughput);
    cells.forEach(
        (key, rounds) -> {
          Load load = rounds.get(0).load();
          double rate = Results.median(rounds, r -> r.result().messagesPerSecond());
          List<Round> netty = cells.get(List.of(load, Contender.NETTY));
          boolean saturated =
              Results.median(rounds, r -> r.serverCpu().cores()) >= SATURATED
                  && Results.median(rounds, r -> r.generatorCpu().cores()) >= SATURATED;
          rows.add(
              List.of(
                  load.toString(),
                  rounds.get(0).server().toString(),
                  Integer.toString(rounds.size()),
                  f("%.0f", rate),
                  f("%.1f", rate * load.messageSize() / 1e6),
                  m("%.0f", rounds, r -> r.result().latencyMicros(99)),
                  m("%.0f", rounds, r -> r.result().latencyMicros(99.9)),
                  m("%.2f", rounds, r -> r.serverCpu().cores()),
                  m("%.2f", rounds, r -> r.generatorCpu().cores()),
                  errors(rounds.stream().map(r -> r.result().errors()).toList()),
                  netty == null ? "" : m("%.2f", netty, r -> rate / r.result().messagesPerSecond()),
                  saturated ? "saturated: not ranked" : ""));
        });
    return new Table(
        "throughput",
        "Throughput: closed loop",
        "load,server,rounds,msgs/s,MB/s,p99 us,p99.9 us,server cores,generator cores,"
            + "errors,x netty,note",
        rows,
        "throughput",
        "load",
        "msgs/s");
  }

  private static Table cost(Results results) {
    Map<Load, List<List<Round>>> byLoad = new TreeMap<>(Comparator.comparingInt(Load::connections));
    for (List<Round> cell : Results.cells(results.cost).values()) {
      byLoad.computeIfAbsent(cell.get(0).load(), k -> new ArrayList<>()).add(cell);
    }
    List<List<String>> rows = new ArrayList<>();
    byLoad.forEach(
        (load, cells) -> {
          // Ranked by CPU per message; a server that fell behind goes last, not ranked.
          cells.sort(
              Comparator.comparing((List<Round> c) -> !Results.keptUp(c))
                  .thenComparingDouble(c -> Results.median(c, Round::cpuMicros)));
          int rank = 0;
          for (List<Round> c : cells) {
            boolean kept = Results.keptUp(c);
            rows.add(
                List.of(
                    load.toString(),
                    kept ? Integer.toString(++rank) : "-",
                    c.get(0).server().toString(),
                    Integer.toString(c.size()),
                    m("%.2f", c, Round::cpuMicros),
                    m("%.2f", c, Round::userMicros),
                    m("%.2f", c, Round::systemMicros),
                    f("%.2f", c.stream().mapToDouble(Round::cpuMicros).min().orElse(Double.NaN)),
                    f("%.2f", c.stream().mapToDouble(Round::cpuMicros).max().orElse(Double.NaN)),
                    m("%.0f", c, r -> r.result().messagesPerSecond()),
                    m("%.2f", c, r -> r.serverCpu().cores()),
                    m("%.0f", c, r -> r.result().latencyMicros(99)),
                    kept ? "" : "fell behind the rate: not ranked"));
          }
        });
    return new Table(
        "cost",
        "Cost per message: 64 B at a fixed rate",
        "load,rank,server,rounds,CPU us/msg,user us/msg,system us/msg,lowest,highest,msgs/s,"
            + "server cores,p99 us,note",
        rows,
        "cost-per-message",
        "load",
        "CPU us/msg");
  }

  private static Table idle(Results results) {
    List<List<String>> rows = new ArrayList<>();
    for (Contender server : Contender.values()) {
      List<Idle> o = results.idle(server);
      if (!o.isEmpty()) {
        rows.add(
            List.of(
                server.toString(),
                Integer.toString(o.size()),
                Integer.toString(o.get(0).asked()),
                m("%.0f", o, i -> Math.min(i.cold().echoed(), i.warm().echoed())),
                m("%.0f", o, i -> i.cold().millis()),
                m("%.0f", o, i -> i.warm().millis()),
                m("%.0f", o, i -> i.rssBefore() / MIB),
                m("%.0f", o, i -> i.cold().rssAfterEcho() / MIB),
                m("%.1f", o, i -> i.kibPerConnection()),
                m("%.0f", o, i -> i.cold().held().threads()),
                errors(o.stream().map(i -> i.warm().errors()).toList()),
                o.stream().map(Idle::trouble).filter(t -> t != null).findFirst().orElse("")));
      }
    }
    return new Table(
        "idle",
        "Idle connections: one burst, then one echo each",
        "server,rounds,connections,echoed,cold burst ms,warm burst ms,RSS before MiB,RSS after MiB,"
            + "KiB per connection,threads,errors,stopped by",
        rows,
        "threads-vs-selector",
        "connections",
        "KiB per connection",
        "threads");
  }

  private static Table flood(Results results) {
    List<List<String>> rows = new ArrayList<>();
    for (Flood o : results.flood) {
      rows.add(
          List.of(
              o.server().toString(),
              f("%.1f", o.sent() / MIB),
              o.stalled() ? "yes" : "no",
              f("%.0f", o.rssBefore() / MIB),
              f("%.0f", o.rssAfter() / MIB)));
    }
    return new Table(
        "flood",
        "A client that sends and never reads",
        "server,taken MiB,stopped reading,RSS before MiB,RSS after MiB",
        rows,
        null,
        null);
  }

  // Draws the table's chart; false if this JDK cannot (no fonts, no desktop module).
  private static boolean draw(Table table, Path folder) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> columns = List.of(table.columns().split(","));
    CombinedDomainCategoryPlot combined = new CombinedDomainCategoryPlot(new CategoryAxis());
    List<CategoryPlot> plots = new ArrayList<>();
    try {
      for (String panel : table.panels()) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        int value = columns.indexOf(panel);
        int server = columns.indexOf("server");
        int group = columns.indexOf(table.group());
        for (List<String> row : table.rows()) {
          Double figure = row.get(value).equals("n/a") ? null : Double.valueOf(row.get(value));
          data.addValue(
              figure, Contender.valueOf(row.get(server).toUpperCase(Locale.ROOT)), row.get(group));
        }
        plots.add(panel(data, panel));
        combined.add(plots.get(plots.size() - 1), 1);
      }
      // One legend entry per server, not one per panel.
      combined.setFixedLegendItems(plots.get(0).getLegendItems());
      JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, combined, true);
      chart.setBackgroundPaint(Color.WHITE);
      Path temporary = folder.resolve(table.chart() + ".png.tmp");
      ChartUtils.saveChartAsPNG(temporary.toFile(), chart, 1000, 260 + 260 * table.panels().length);
      rename(temporary, folder.resolve(table.chart() + ".png"));
      return true;
    } catch (RuntimeException | LinkageError e) {
      System.out.println("chart " + table.chart() + " skipped: " + e);
      return false;
    }
  }

  private static CategoryPlot panel(DefaultCategoryDataset data, String axis) {
    BarRenderer renderer = new BarRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    for (int i = 0; i < data.getRowCount(); i++) {
      renderer.setSeriesPaint(i, new Color(COLOURS[((Contender) data.getRowKey(i)).ordinal()]));
    }
    CategoryPlot plot = new CategoryPlot(data, null, new NumberAxis(axis), renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return plot;
  }
}
