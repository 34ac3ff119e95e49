package multiplexing.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.stream.Collectors.joining;
import static multiplexing.bench.Server.Contender.NETTY;
import static multiplexing.bench.Server.Contender.STEP7;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import multiplexing.bench.Server.Contender;
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
 * What a run writes into a folder: results.md with the targets and a table per scenario, each also
 * as a CSV file, and the charts beside them; numbers only (bench/README.md says what they mean).
 * Each file is written under a temporary name and renamed: a crash never leaves half a page.
 */
final class Report {
  static final List<String> TARGETS =
      List.of("target,step7,netty,ratio,lowest,highest,rounds,limit,verdict".split(","));
  // A server's colour in every chart, in the order of Contender.
  private static final int[] COLOURS = {
    0xD62728, 0xFF7F0E, 0x2CA02C, 0x9467BD, 0x17BECF, 0xBCBD22, 0x1F77B4, 0, 0x8C564B, 0xE377C2
  };
  // Each table: its name, title and chart, and the figures the chart draws, a panel each (a group
  // of bars per load, a bar per server). The first is also quoted against Netty's.
  private static final List<List<String>> TABLES =
      List.of(
          List.of("throughput", "Throughput: closed loop", "throughput", "msgs/s"),
          List.of(
              "cost", "Cost per message: 64 B at a fixed rate", "cost-per-message", "CPU us/msg"),
          List.of(
              "idle",
              "Idle connections: one burst, then one echo each",
              "threads-vs-selector",
              "KiB/connection",
              "threads"),
          List.of("flood", "A client that sends and never reads", "", "taken MiB"));

  /** One round against one server: its figures, named by {@code columns}, and what went wrong. */
  record Row(
      String table, String load, Contender server, String note, String columns, double... values) {
    Row {
      note = note.replaceFirst("^[; ]+", "");
    }

    List<String> names() {
      return List.of(columns.split(","));
    }

    double get(String figure) {
      int i = names().indexOf(figure);
      return i < 0 ? Double.NaN : values[i];
    }
  }

  /** Writes the page, its CSV files and its charts into {@code folder}; returns the page. */
  static Path write(List<Row> rows, String kind, String setup, Path folder, Path root)
      throws IOException {
    long started = System.currentTimeMillis() - 1_000;
    Files.createDirectories(folder);
    String readme = "" + folder.relativize(root.resolve("bench/README.md"));
    String page = "# Bench results (" + kind + ")\n\nWritten by `bench/run`: " + setup;
    page += ". What each column holds, how the bench measures it and the machine: [";
    page += "bench/README.md](" + readme + ").\n";
    page += table(folder, List.of("targets", "Targets", ""), TARGETS, targets(rows));
    for (List<String> table : TABLES) {
      List<String> columns = new ArrayList<>(List.of("load", "server", "rounds"));
      List<List<String>> lines = new ArrayList<>();
      for (Map<Contender, List<Row>> cell : cells(rows, table.get(0)).values()) {
        for (List<Row> rounds : cell.values()) {
          lines.add(line(table.get(3), rounds, cell.get(NETTY)));
          columns.addAll(columns.size() > 3 ? List.of() : rounds.get(0).names());
        }
      }
      columns.addAll(List.of("x netty", "note"));
      page += table(folder, table, columns, lines);
    }
    Path results = save(folder.resolve("results.md"), page.getBytes(UTF_8));
    // The folder is the run's alone: what an earlier run wrote and this one did not goes.
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().matches(".*\\.(md|csv|png)")).toList()) {
        if (Files.getLastModifiedTime(file).toMillis() < started) {
          Files.delete(file);
        }
      }
    }
    return results;
  }

  // The median of each figure over the rounds, the key figure over Netty's, every distinct note.
  private static List<String> line(String key, List<Row> rounds, List<Row> netty) {
    Row first = rounds.get(0);
    List<String> line = new ArrayList<>(List.of(first.load(), "" + first.server()));
    line.add("" + rounds.size());
    first.names().forEach(figure -> line.add(format(median(rounds, figure))));
    line.add(netty == null ? "" : format(median(rounds, key) / median(netty, key)));
    var notes = rounds.stream().map(Row::note).filter(n -> !n.isEmpty()).distinct();
    line.add(notes.collect(joining("; ")));
    return line;
  }

  // A table on the page, the same rows as NAME.csv beside it, and its chart if it has one.
  private static String table(
      Path folder, List<String> table, List<String> columns, List<List<String>> lines)
      throws IOException {
    if (lines.isEmpty()) {
      return "";
    }
    String name = table.get(0);
    String chart = table.get(2);
    StringBuilder csv = new StringBuilder();
    for (List<String> line : Stream.concat(Stream.of(columns), lines.stream()).toList()) {
      csv.append(line.stream().map(c -> c.contains(",") ? '"' + c + '"' : c).collect(joining(",")));
      csv.append('\n');
    }
    save(folder.resolve(name + ".csv"), ("" + csv).getBytes(UTF_8));
    String page = "\n## " + table.get(1) + " ([" + name + ".csv](" + name + ".csv))\n\n";
    page += markdown(columns) + "|" + "---|".repeat(columns.size()) + "\n";
    page += lines.stream().map(Report::markdown).collect(joining());
    boolean drawn = !chart.isEmpty() && draw(folder, table, columns, lines);
    return page + (drawn ? "\n![" + chart + "](" + chart + ".png)\n" : "");
  }

  static String markdown(List<String> cells) {
    return cells.stream().map(c -> c.replace('|', '/')).collect(joining(" | ", "| ", " |\n"));
  }

  // The rounds of each (load, server) in a table: loads in the order measured, servers in ours.
  static Map<String, Map<Contender, List<Row>>> cells(List<Row> rows, String table) {
    Map<String, Map<Contender, List<Row>>> cells = new LinkedHashMap<>();
    for (Row row : rows.stream().filter(r -> r.table().equals(table)).toList()) {
      var servers = cells.computeIfAbsent(row.load(), k -> new EnumMap<>(Contender.class));
      servers.computeIfAbsent(row.server(), k -> new ArrayList<>()).add(row);
    }
    return cells;
  }

  /**
   * The targets that judge the last step, each against Netty in the same run. Steps 1 to 6 are slow
   * on purpose in places and never judged.
   */
  static List<List<String>> targets(List<Row> rows) {
    List<List<String>> targets = new ArrayList<>();
    for (var cost : cells(rows, "cost").entrySet()) {
      targets.add(ratio("CPU per message at ", cost, "CPU us/msg", 1.05));
    }
    for (var idle : cells(rows, "idle").entrySet()) {
      List<Row> ours = idle.getValue().getOrDefault(STEP7, List.of());
      List<Row> netty = idle.getValue().getOrDefault(NETTY, List.of());
      String n = "" + ours.size();
      String verdict = verdict(allEchoed(ours) == ours.size(), ours.size());
      String what = "every connection echoed at " + idle.getKey();
      String theirs = allEchoed(netty) + " of " + netty.size();
      targets.add(
          List.of(
              what, allEchoed(ours) + " of " + n, theirs, "", "", "", n, "every round", verdict));
      targets.add(ratio("warm connect burst at ", idle, "warm burst ms", 1.10));
      targets.add(ratio("RSS per connection at ", idle, "KiB/connection", 0.5));
    }
    return targets;
  }

  private static long allEchoed(List<Row> rounds) {
    return rounds.stream().filter(r -> r.get("echoed") == r.get("connections")).count();
  }

  // Round i of step 7 over round i of Netty (the two take turns), the median with the lowest and
  // highest beside it. One that fell behind the fixed rate read several messages at once, which
  // makes each look cheaper: it is not ranked.
  private static List<String> ratio(
      String what, Map.Entry<String, Map<Contender, List<Row>>> cell, String figure, double limit) {
    List<Row> ours = cell.getValue().getOrDefault(STEP7, List.of());
    List<Row> netty = cell.getValue().getOrDefault(NETTY, List.of());
    double[] ratios =
        IntStream.range(0, Math.min(ours.size(), netty.size()))
            .mapToDouble(i -> ours.get(i).get(figure) / netty.get(i).get(figure))
            .filter(Double::isFinite)
            .sorted()
            .toArray();
    int n = ratios.length;
    String behind = behind(ours) ? "step7" : behind(netty) ? "netty" : null;
    String verdict = n == 0 ? "not measured" : verdict(median(ratios) <= limit, n);
    verdict = behind == null ? verdict : "not ranked: " + behind + " fell behind the rate";
    String unit = " " + figure.substring(figure.lastIndexOf(' ') + 1);
    return List.of(
        what + cell.getKey(),
        format(median(ours, figure)) + unit,
        format(median(netty, figure)) + unit,
        format(median(ratios)),
        format(n == 0 ? Double.NaN : ratios[0]),
        format(n == 0 ? Double.NaN : ratios[n - 1]),
        "" + n,
        "<= " + format(limit),
        verdict);
  }

  private static boolean behind(List<Row> rounds) {
    return rounds.stream().anyMatch(r -> r.note().contains("fell behind"));
  }

  // Five rounds or more judge; fewer only hint.
  private static String verdict(boolean met, int rounds) {
    String verdict = met ? "met" : "missed";
    return rounds >= 5 ? verdict : verdict + " (" + rounds + " round(s): indicative only)";
  }

  static double median(List<Row> rounds, String figure) {
    return median(rounds.stream().mapToDouble(r -> r.get(figure)).toArray());
  }

  // NaN left out: one slow round (a GC, a neighbour) does not move it.
  static double median(double... values) {
    double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
    int mid = v.length / 2;
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** A figure as every table writes it: whole, or to three digits or so; "n/a" for none. */
  static String format(double value) {
    double size = Math.abs(value);
    boolean whole = size >= 100 || (size >= 10 && value == Math.rint(value));
    String digits = whole ? "%.0f" : size >= 10 ? "%.1f" : "%.2f";
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, digits, value);
  }

  private static Path save(Path file, byte[] bytes) throws IOException {
    Path temporary = Files.write(file.resolveSibling(file.getFileName() + ".tmp"), bytes);
    return Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
  }

  // Draws a table's chart from its lines; false if this JDK cannot (no fonts, no desktop module).
  private static boolean draw(
      Path folder, List<String> table, List<String> columns, List<List<String>> lines)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> panels = table.subList(3, table.size());
    CombinedDomainCategoryPlot combined = new CombinedDomainCategoryPlot(new CategoryAxis());
    try {
      for (String panel : panels) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        BarRenderer bars = new BarRenderer();
        for (List<String> line : lines) {
          String cell = line.get(columns.indexOf(panel));
          Contender server = Contender.valueOf(line.get(1).toUpperCase(Locale.ROOT));
          data.addValue(cell.equals("n/a") ? null : Double.valueOf(cell), server, line.get(0));
          bars.setSeriesPaint(data.getRowIndex(server), new Color(COLOURS[server.ordinal()]));
        }
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        combined.add(new CategoryPlot(data, null, new NumberAxis(panel), bars), 1);
      }
      // One legend entry per server, not one per panel.
      combined.setFixedLegendItems(((CategoryPlot) combined.getSubplots().get(0)).getLegendItems());
      JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, combined, true);
      chart.setBackgroundPaint(Color.WHITE);
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ChartUtils.writeChartAsPNG(png, chart, 1000, 260 + 260 * panels.size());
      save(folder.resolve(table.get(2) + ".png"), png.toByteArray());
      return true;
    } catch (RuntimeException | LinkageError e) {
      System.out.println("chart " + table.get(2) + " skipped: " + e);
      return false;
    }
  }
}
