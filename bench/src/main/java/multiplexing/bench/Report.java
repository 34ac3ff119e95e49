package multiplexing.bench;

import static java.util.stream.Collectors.joining;

import java.awt.Color;
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
import java.util.stream.Stream;
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
 * What a run writes: results.md with the targets and a table per scenario, each table also as a CSV
 * file, and the charts beside them; numbers only (bench/README.md says what they mean, the student
 * page what they teach). Each file goes to a temporary name first and is then renamed, so that a
 * crash never leaves a half-written page.
 */
final class Report {
  static final String NOT_RANKED = "not ranked";
  static final String TARGETS = "target,step7,netty,ratio,lowest,highest,rounds,limit,verdict";
  // A server's colour in every chart, in the order of Contender.
  private static final int[] COLOURS = {
    0xD62728, 0xFF7F0E, 0x2CA02C, 0x9467BD, 0x17BECF, 0xBCBD22, 0x1F77B4, 0, 0x8C564B, 0xE377C2
  };
  // Each table and its chart: a panel per figure named after the chart's name, a group of bars
  // per load, a bar per server. The first panel's figure is also quoted against Netty's.
  private static final String[][] TABLES = {
    {"throughput", "Throughput: closed loop", "throughput", "msgs/s"},
    {"cost", "Cost per message: 64 B at a fixed rate", "cost-per-message", "CPU us/msg"},
    {
      "idle",
      "Idle connections: one burst, then one echo each",
      "threads-vs-selector",
      "KiB/connection",
      "threads"
    },
    {"flood", "A client that sends and never reads", null, "taken MiB"}
  };

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

  private Report() {}

  /** Writes the page, its CSV files and its charts into {@code folder}; returns the page. */
  static Path write(List<Row> rows, String kind, String setup, Path folder, Path root)
      throws IOException {
    long started = System.currentTimeMillis() - 1_000;
    Files.createDirectories(folder);
    String readme = "" + folder.relativize(root.resolve("bench/README.md"));
    StringBuilder page = new StringBuilder("# Bench results (" + kind + ")\n\nWritten by ");
    page.append("`bench/run`: " + setup + ". What each column holds, how the bench measures it");
    page.append(" and the machine: [bench/README.md](" + readme + ").\n");
    section(page, folder, "targets", "Targets", List.of(TARGETS.split(",")), targets(rows));
    for (String[] table : TABLES) {
      List<String> columns = new ArrayList<>(List.of("load", "server", "rounds"));
      List<List<String>> lines = new ArrayList<>();
      for (Map<Contender, List<Row>> cell : cells(rows, table[0]).values()) {
        for (List<Row> rounds : cell.values()) {
          lines.add(line(table[3], rounds, cell.get(Contender.NETTY)));
          columns.addAll(columns.size() > 3 ? List.of() : rounds.get(0).names());
        }
      }
      columns.addAll(List.of("x netty", "lowest", "highest", "note"));
      if (!lines.isEmpty()) {
        section(page, folder, table[0], table[1], columns, lines);
        if (table[2] != null && draw(table, columns, lines, folder)) {
          page.append("\n![" + table[2] + "](" + table[2] + ".png)\n");
        }
      }
    }
    writeText(folder.resolve("results.md"), page.toString());
    // The folder is the run's alone: what an earlier run wrote and this one did not goes.
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().matches(".*\\.(md|csv|png)")).toList()) {
        if (Files.getLastModifiedTime(file).toMillis() < started) {
          Files.delete(file);
        }
      }
    }
    return folder.resolve("results.md");
  }

  // One line of a table: the median of each figure over the rounds, the key figure against
  // Netty's, its lowest and highest round, and every distinct note.
  private static List<String> line(String key, List<Row> rounds, List<Row> netty) {
    Row first = rounds.get(0);
    List<String> line = new ArrayList<>(List.of(first.load(), "" + first.server()));
    line.add("" + rounds.size());
    first.names().forEach(figure -> line.add(format(median(rounds, figure))));
    line.add(netty == null ? "" : format(median(rounds, key) / median(netty, key)));
    double[] each = rounds.stream().mapToDouble(r -> r.get(key)).sorted().toArray();
    line.add(format(each[0]));
    line.add(format(each[each.length - 1]));
    line.add(
        String.join(
            "; ", rounds.stream().map(Row::note).filter(n -> !n.isEmpty()).distinct().toList()));
    return line;
  }

  // A table on the page, and the same rows as NAME.csv beside it.
  private static void section(
      StringBuilder page,
      Path folder,
      String name,
      String title,
      List<String> columns,
      List<List<String>> lines)
      throws IOException {
    page.append("\n## " + title + " ([" + name + ".csv](" + name + ".csv))\n\n");
    page.append(markdown(columns) + "|" + "---|".repeat(columns.size()) + "\n");
    StringBuilder csv = new StringBuilder(String.join(",", columns) + "\n");
    for (List<String> line : lines) {
      page.append(markdown(line));
      csv.append(line.stream().map(c -> c.contains(",") ? '"' + c + '"' : c).collect(joining(",")));
      csv.append("\n");
    }
    writeText(folder.resolve(name + ".csv"), csv.toString());
  }

  static String markdown(List<String> cells) {
    return cells.stream().map(c -> c.replace('|', '/')).collect(joining(" | ", "| ", " |\n"));
  }

  static String errors(Map<String, Integer> errors) {
    return String.join(
        "; ", errors.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
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
   * The targets that judge the last step, each a ratio against Netty in the same run: round i of
   * step 7 over round i of Netty (the two take turns), quoted as the median of the rounds with the
   * lowest and highest beside it. Steps 1 to 6 are slow on purpose in places and never judged.
   */
  static List<List<String>> targets(List<Row> rows) {
    List<List<String>> targets = new ArrayList<>();
    for (var cell : cells(rows, "cost").entrySet()) {
      targets.add(
          ratio("CPU per message at " + cell.getKey(), cell.getValue(), "CPU us/msg", 1.05));
    }
    for (var cell : cells(rows, "idle").entrySet()) {
      List<Row> ours = cell.getValue().getOrDefault(Contender.STEP7, List.of());
      List<Row> netty = cell.getValue().getOrDefault(Contender.NETTY, List.of());
      String n = "" + ours.size();
      String echoed = allEchoed(ours) + " of " + n;
      String verdict = verdict(echoed.equals(n + " of " + n), ours.size());
      String what = "every connection echoed at " + cell.getKey();
      targets.add(
          List.of(
              what,
              echoed,
              allEchoed(netty) + " of " + netty.size(),
              "",
              "",
              "",
              n,
              "every round",
              verdict));
      targets.add(
          ratio("warm connect burst at " + cell.getKey(), cell.getValue(), "warm burst ms", 1.10));
      targets.add(
          ratio("RSS per connection at " + cell.getKey(), cell.getValue(), "KiB/connection", 0.5));
    }
    return targets;
  }

  private static long allEchoed(List<Row> rounds) {
    return rounds.stream().filter(r -> r.get("echoed") == r.get("connections")).count();
  }

  // Round i of step 7 over round i of Netty, for each pair that has both figures; a server that
  // fell behind the fixed rate read several messages at once, which makes each look cheaper.
  private static List<String> ratio(
      String what, Map<Contender, List<Row>> cell, String figure, double limit) {
    List<Row> ours = cell.getOrDefault(Contender.STEP7, List.of());
    List<Row> netty = cell.getOrDefault(Contender.NETTY, List.of());
    double[] ratios = new double[Math.min(ours.size(), netty.size())];
    Arrays.setAll(ratios, i -> ours.get(i).get(figure) / netty.get(i).get(figure));
    ratios = Arrays.stream(ratios).filter(Double::isFinite).sorted().toArray();
    int n = ratios.length;
    String verdict = n == 0 ? "not measured" : verdict(median(ratios) <= limit, n);
    String behind = behind(ours) ? "step7" : behind(netty) ? "netty" : null;
    verdict = behind == null ? verdict : NOT_RANKED + ": " + behind + " fell behind the rate";
    String unit = " " + figure.substring(figure.lastIndexOf(' ') + 1);
    String lowest = n == 0 ? "n/a" : format(ratios[0]);
    String highest = n == 0 ? "n/a" : format(ratios[n - 1]);
    String step7 = format(median(ours, figure)) + unit;
    String reference = format(median(netty, figure)) + unit;
    String ratio = format(median(ratios));
    return List.of(what, step7, reference, ratio, lowest, highest, "" + n, "<= " + limit, verdict);
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

  /**
   * The middle of the values, NaN left out: one slow round (a GC, a neighbour) does not move it.
   */
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

  private static void writeText(Path file, String text) throws IOException {
    rename(Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), text), file);
  }

  private static void rename(Path temporary, Path file) throws IOException {
    Files.move(
        temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  // Draws a table's chart from its lines; false if this JDK cannot (no fonts, no desktop module).
  private static boolean draw(
      String[] table, List<String> columns, List<List<String>> lines, Path folder)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    CombinedDomainCategoryPlot combined = new CombinedDomainCategoryPlot(new CategoryAxis());
    try {
      for (String panel : Arrays.copyOfRange(table, 3, table.length)) {
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
        CategoryPlot plot = new CategoryPlot(data, null, new NumberAxis(panel), bars);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        combined.add(plot, 1);
      }
      // One legend entry per server, not one per panel.
      combined.setFixedLegendItems(((CategoryPlot) combined.getSubplots().get(0)).getLegendItems());
      JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, combined, true);
      chart.setBackgroundPaint(Color.WHITE);
      Path temporary = folder.resolve(table[2] + ".png.tmp");
      ChartUtils.saveChartAsPNG(temporary.toFile(), chart, 1000, 260 * table.length - 520);
      rename(temporary, folder.resolve(table[2] + ".png"));
      return true;
    } catch (RuntimeException | LinkageError e) {
      System.out.println("chart " + table[2] + " skipped: " + e);
      return false;
    }
  }
}
