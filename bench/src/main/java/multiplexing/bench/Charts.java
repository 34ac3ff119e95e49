package multiplexing.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws the results as PNG charts with JFreeChart, one line or bar per server. The charts carry no
 * sentences, only units and server names: both pages show the same files and give each its caption
 * in their own language.
 */
final class Charts {
  static final String THREADS_VS_SELECTOR = "threads-vs-selector.png";
  private static final int WIDTH = 900;
  private static final int HEIGHT = 520;
  // The same colour for a server in every chart; the reference is dashed.
  private static final Map<String, Color> COLOURS =
      Map.of(
          "step1", new Color(0xD62728),
          "step2", new Color(0xFF7F0E),
          "step3", new Color(0x2CA02C),
          "step4", new Color(0x9467BD),
          "step5", new Color(0x1F77B4),
          "netty", Color.BLACK,
          "threads", new Color(0x8C564B),
          "vthreads", new Color(0xE377C2));
  private static final BasicStroke SOLID = new BasicStroke(2f);
  private static final BasicStroke DASHED =
      new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f}, 0f);

  private Charts() {}

  /** A chart that may be drawn, or null when the results hold nothing for it. */
  private interface Chart {
    String draw() throws IOException;
  }

  /** Writes every chart the results allow into {@code folder}; returns their file names. */
  static List<String> write(Results results, Path folder) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Chart> charts = new ArrayList<>();
    charts.add(() -> threadsVsSelector(results, folder));
    for (int size : List.of(64, 16 * 1024)) {
      String label = size >= 1024 ? size / 1024 + "k" : size + "b";
      boolean large = size >= 1024;
      charts.add(
          () ->
              throughputChart(
                  results,
                  folder,
                  size,
                  "throughput-" + label + ".png",
                  large ? "MB/s" : "msgs/s",
                  large
                      ? ThroughputScenario.Cell::megabytesPerSecond
                      : ThroughputScenario.Cell::messagesPerSecond,
                  false));
      charts.add(
          () ->
              throughputChart(
                  results,
                  folder,
                  size,
                  "latency-p99-" + label + ".png",
                  "p99 (us)",
                  c -> c.latencyMicros(99),
                  true));
    }
    charts.add(() -> concurrencyChart(results, folder));
    charts.add(() -> costChart(results, folder));
    List<String> written = new ArrayList<>();
    for (Chart chart : charts) {
      try {
        String file = chart.draw();
        if (file != null) {
          written.add(file);
        }
      } catch (RuntimeException e) {
        // One chart the figures do not fit (a zero on a log axis, say) costs that chart only.
        System.out.println("a chart skipped: " + e);
      }
    }
    return written;
  }

  private static String concurrencyChart(Results results, Path folder) throws IOException {
    if (results.concurrency.isEmpty()) {
      return null;
    }
    Map<String, XYSeries> lines = new LinkedHashMap<>();
    for (ConcurrencyScenario.Point point : results.concurrency) {
      series(lines, point.contender().name()).add(point.clients(), point.totalMillis());
    }
    return save(folder, "concurrency.png", "N", "ms", lines, false, true);
  }

  private static String throughputChart(
      Results results,
      Path folder,
      int size,
      String file,
      String yLabel,
      ToDoubleFunction<ThroughputScenario.Cell> metric,
      boolean logY)
      throws IOException {
    Map<String, XYSeries> lines = new LinkedHashMap<>();
    for (ThroughputScenario.Cell cell : results.throughput) {
      Load load = cell.load();
      if (load.messageSize() == size && load.inFlight() == 1) {
        series(lines, cell.contender().name()).add(load.connections(), metric.applyAsDouble(cell));
      }
    }
    // A line needs two points: one connection count says nothing against connections.
    lines.values().removeIf(s -> s.getItemCount() < 2);
    return lines.isEmpty() ? null : save(folder, file, "N", yLabel, lines, true, logY);
  }

  // CPU microseconds per message at the fixed rate: one group of bars per connection count.
  private static String costChart(Results results, Path folder) throws IOException {
    if (results.cost.isEmpty()) {
      return null;
    }
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Contender c : Contender.ALL) {
      for (Load load : results.settings.costLoads()) {
        results
            .cost(load, c.name())
            .ifPresent(
                cell ->
                    data.addValue(cell.millisPerThousand(), c.name(), "N = " + load.connections()));
      }
    }
    JFreeChart chart =
        ChartFactory.createBarChart(
            null, null, "CPU us / msg", data, PlotOrientation.VERTICAL, true, false, false);
    style(chart.getCategoryPlot(), data);
    String file = "cost-per-message.png";
    ChartUtils.saveChartAsPNG(folder.resolve(file).toFile(), chart, WIDTH, HEIGHT);
    return file;
  }

  // Three panels over the same four servers: memory and threads holding the idle connections,
  // and the throughput of one load, each bar in its server's colour.
  private static String threadsVsSelector(Results results, Path folder) throws IOException {
    DefaultCategoryDataset rss = new DefaultCategoryDataset();
    DefaultCategoryDataset threads = new DefaultCategoryDataset();
    DefaultCategoryDataset rates = new DefaultCategoryDataset();
    String held = String.format(Locale.ROOT, "N = %,d", results.settings.idleConnections());
    List<Load> loads = Report.threadsTableLoads(results);
    Load shown =
        loads.stream()
            .filter(l -> l.messageSize() >= 1024)
            .findFirst()
            .orElse(loads.isEmpty() ? null : loads.get(0));
    for (Contender c : Contender.THREADS_OR_SELECTOR) {
      List<IdleScenario.Outcome> idle = results.idleRounds(c.name());
      if (!idle.isEmpty()) {
        rss.addValue(Median.of(idle, o -> o.rssHeld() / 1048576.0), "", c.name());
        threads.addValue(Median.of(idle, o -> (double) o.threadsHeld()), "", c.name());
      }
      if (shown != null) {
        results
            .cell(shown, c.name())
            .ifPresent(cell -> rates.addValue(cell.messagesPerSecond(), "", c.name()));
      }
    }
    CombinedDomainCategoryPlot combined = new CombinedDomainCategoryPlot(new CategoryAxis());
    if (rss.getColumnCount() > 0) {
      combined.add(panel(rss, "VmRSS MiB, " + held), 1);
      combined.add(panel(threads, "Threads, " + held), 1);
    }
    if (rates.getColumnCount() > 0) {
      combined.add(panel(rates, "msgs/s, " + shortName(shown)), 1);
    }
    if (combined.getSubplots().isEmpty()) {
      return null;
    }
    JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, combined, false);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(folder.resolve(THREADS_VS_SELECTOR).toFile(), chart, WIDTH, 760);
    return THREADS_VS_SELECTOR;
  }

  // "10 x 16 KiB": a load with no words in it.
  private static String shortName(Load load) {
    String size =
        load.messageSize() >= 1024 ? load.messageSize() / 1024 + " KiB" : load.messageSize() + " B";
    return load.connections() + " x " + size + (load.inFlight() > 1 ? " x " + load.inFlight() : "");
  }

  // One panel of bars, one per server, in the server's colour.
  private static CategoryPlot panel(DefaultCategoryDataset data, String axis) {
    BarRenderer renderer =
        new BarRenderer() {
          private static final long serialVersionUID = 1L;

          @Override
          public Paint getItemPaint(int row, int column) {
            return COLOURS.getOrDefault((String) data.getColumnKey(column), Color.GRAY);
          }
        };
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    CategoryPlot plot = new CategoryPlot(data, null, new NumberAxis(axis), renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return plot;
  }

  private static void style(CategoryPlot plot, DefaultCategoryDataset data) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    for (int i = 0; i < data.getRowCount(); i++) {
      String key = (String) data.getRowKey(i);
      renderer.setSeriesPaint(i, COLOURS.getOrDefault(key, PALETTE[i % PALETTE.length]));
    }
  }

  private static final Color[] PALETTE = {
    new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C), new Color(0x9467BD)
  };

  private static XYSeries series(Map<String, XYSeries> lines, String name) {
    return lines.computeIfAbsent(name, XYSeries::new);
  }

  private static String save(
      Path folder,
      String file,
      String xLabel,
      String yLabel,
      Map<String, XYSeries> lines,
      boolean logX,
      boolean logY)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    lines.values().forEach(data::addSeries);
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            null, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    if (logX) {
      LogarithmicAxis axis = new LogarithmicAxis(xLabel);
      axis.setAllowNegativesFlag(false);
      plot.setDomainAxis(axis);
    }
    // Latencies and times span orders of magnitude: a 1 s stall would flatten the rest.
    if (logY) {
      LogarithmicAxis axis = new LogarithmicAxis(yLabel);
      axis.setAllowNegativesFlag(false);
      plot.setRangeAxis(axis);
    }
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      String name = (String) data.getSeriesKey(i);
      renderer.setSeriesPaint(i, COLOURS.getOrDefault(name, Color.GRAY));
      renderer.setSeriesStroke(i, name.equals("netty") ? DASHED : SOLID);
    }
    plot.setRenderer(renderer);
    ChartUtils.saveChartAsPNG(folder.resolve(file).toFile(), chart, WIDTH, HEIGHT);
    return file;
  }
}
