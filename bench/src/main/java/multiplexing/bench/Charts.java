package multiplexing.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws the results as PNG line charts with JFreeChart: one line per server. */
final class Charts {
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
          "netty", Color.BLACK);
  private static final BasicStroke SOLID = new BasicStroke(2f);
  private static final BasicStroke DASHED =
      new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f}, 0f);

  private Charts() {}

  /** Writes every chart the results allow into {@code folder}; returns their file names. */
  static List<String> write(Results results, Path folder) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> written = new ArrayList<>();
    for (int size : results.settings.messageSizes()) {
      String label = size >= 1024 ? size / 1024 + "k" : size + "b";
      boolean large = size >= 1024;
      written.add(
          throughputChart(
              results,
              folder,
              size,
              "throughput-" + label + ".png",
              large ? "MB/s echoed (one way)" : "messages/s",
              large
                  ? ThroughputScenario.Cell::megabytesPerSecond
                  : ThroughputScenario.Cell::messagesPerSecond,
              false));
      written.add(
          throughputChart(
              results,
              folder,
              size,
              "latency-p99-" + label + ".png",
              "p99 round trip (us)",
              c -> c.latencyMicros(99),
              true));
    }
    if (!results.concurrency.isEmpty()) {
      Map<String, XYSeries> lines = new LinkedHashMap<>();
      for (ConcurrencyScenario.Point point : results.concurrency) {
        series(lines, point.contender().name()).add(point.clients(), point.totalMillis());
      }
      written.add(
          save(
              folder,
              "concurrency.png",
              "N clients, one round trip each, at the same moment",
              "clients",
              "ms to the last echo",
              lines,
              false,
              true));
    }
    written.removeIf(name -> name == null);
    return written;
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
    String sizeText = size >= 1024 ? size / 1024 + " KiB" : size + " B";
    String title = yLabel + " against connections, " + sizeText + " ping-pong";
    return lines.isEmpty()
        ? null
        : save(folder, file, title, "connections", yLabel, lines, true, logY);
  }

  private static XYSeries series(Map<String, XYSeries> lines, String name) {
    return lines.computeIfAbsent(name, XYSeries::new);
  }

  private static String save(
      Path folder,
      String file,
      String title,
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
            title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
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
