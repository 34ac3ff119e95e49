package docscheck;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Draws a step's {@code --trace} output as a grid: a column per pass of the loop, a row per channel
 * in the order they came, in each cell what that pass did with that key, and along each row the
 * key's interest set as a band. A long run's alike passes share a column marked ×N, and a chart
 * under its grid draws the bytes queued and lost over the passes. One source file on the JDK alone,
 * so that a student can draw a run of their own: {@code java
 * docs-check/src/main/java/docscheck/TracePicture.java run.txt run.svg}.
 */
public final class TracePicture {
  static final String USAGE =
      """
      usage: java docs-check/src/main/java/docscheck/TracePicture.java [--lang=zh] TRACE [SVG]
      Draws a server's --trace output (record it with `... --trace 9999 | tee run.txt`) as a grid:
      a column per pass, a row per channel. With one file it writes the SVG to standard output;
      with two it writes, or replaces, the second. --lang=zh writes the legend in Chinese.""";

  /** A drawing: the SVG, how many lines held no trace words, and what it left out. */
  record Picture(String svg, int skipped, List<String> notes) {}

  // The clients a picture draws rows for: as many as a pass line names.
  static final int CLIENT_ROWS = 10;
  private static final int READ = 1, WRITE = 2, ACCEPT = 4;
  private static final Pattern PASS =
      Pattern.compile(
          "pass (\\d+): (?:(\\d+) ready of (\\d+) registered \\[.*]|nothing ready \\((.+)\\))");
  private static final Pattern EVENT = Pattern.compile(" {2}(\\S+) \\w+: (.+)");
  private static final Pattern LOOP =
      Pattern.compile(
          "listening on \\S+|stopped( by .+)?|(accept failed) \\(.*\\), pausing \\d+ ms");
  // A log line about one client: its word, then its address.
  private static final Pattern CLIENT =
      Pattern.compile(
          "(accepted|refused|paused|resumed|closing idle|closed by peer|reset by peer"
              + "|dropped on \\w+|dropped idle)(?: reading)?(?: \\(.*\\))? (\\S+)(?: \\(.*\\))?");
  private static final Pattern BYTES = Pattern.compile("(queued|lost) (\\d+) B");
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  private static final String GONE = "closed .*|reset .*|dropped .*";
  // Words a cell puts last: the log prints "paused" before the read that caused it.
  private static final Pattern LAST = Pattern.compile("paused|stopped.*|lost .*|" + GONE);
  private static final String LABEL = "(?=:[^:]*$)"; // a client's host over its port

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> files = new ArrayList<>(List.of(args));
    boolean chinese = files.remove("--lang=zh");
    if (files.contains("--help") || files.contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    String option = files.stream().filter(f -> f.matches("-.+")).findFirst().orElse(null);
    if (option != null || files.isEmpty() || files.size() > 2) {
      String why =
          option != null
              ? "unknown option " + option
              : "give a trace file, and an SVG file to write if not to standard output";
      err.println("TracePicture: " + why + " (--help for usage)");
      return 2;
    }
    Path in = Path.of(files.get(0)), svg = Path.of(files.get(files.size() - 1));
    try {
      if (files.size() == 2 && Files.exists(svg) && Files.isSameFile(in, svg)) {
        err.println("TracePicture: " + svg + " is the trace itself: name another file");
        return 2;
      }
      Picture picture = draw(in.getFileName().toString(), decode(Files.readAllBytes(in)), chinese);
      picture.notes().forEach(note -> err.println("TracePicture: " + note));
      if (files.size() == 1) {
        out.write(picture.svg().getBytes(StandardCharsets.UTF_8));
        out.flush();
      } else {
        Files.writeString(svg, picture.svg());
        out.println("wrote " + svg);
      }
      return 0;
    } catch (NoSuchFileException e) {
      err.println("TracePicture: no such file: " + e.getFile());
    } catch (IOException | IllegalArgumentException e) {
      err.println("TracePicture: " + e.getMessage());
    }
    return 1;
  }

  /** A picture for each recorded run among these files, beside it: NAME.svg and NAME.zh.svg. */
  static Map<String, String> pictures(Map<String, String> files) {
    Map<String, String> pictures = new TreeMap<>();
    files.forEach(
        (file, text) -> {
          if (file.endsWith("/server-trace.txt") || file.endsWith(".trace.txt")) {
            String name = file.substring(file.lastIndexOf('/', file.lastIndexOf('/') - 1) + 1);
            String base = file.replaceFirst("(\\.trace)?\\.txt$", "");
            pictures.put(base + ".svg", draw(name, text, false).svg());
            pictures.put(base + ".zh.svg", draw(name, text, true).svg());
          }
        });
    return pictures;
  }

  /**
   * A file's text: UTF-16 after its byte order mark (PowerShell 5.1's `>` writes one), else UTF-8.
   */
  static String decode(byte[] b) {
    int mark = b.length < 2 ? 0 : (b[0] & 0xff) << 8 | (b[1] & 0xff);
    boolean utf16 = mark == 0xfeff || mark == 0xfffe; // the UTF_16 decoder reads and drops it
    String text = new String(b, utf16 ? StandardCharsets.UTF_16 : StandardCharsets.UTF_8);
    return text.startsWith("\uFEFF") ? text.substring(1) : text; // UTF-8's mark, some editors'
  }

  /** Draws the trace, or refuses it (IllegalArgumentException) when it has no pass at all. */
  static Picture draw(String name, String text, boolean chinese) {
    TracePicture p = new TracePicture(name, text, chinese);
    List<String> notes = new ArrayList<>();
    if (p.skipped > 0) {
      String s = p.skipped == 1 ? "" : "s";
      notes.add(
          f("skipped %d line%s it does not know (the first: line %d)", p.skipped, s, p.first));
    }
    if (p.leftOut > 0) {
      notes.add(f("left out %d passes in the middle, from pass %s", p.leftOut, p.leftOutFrom));
    }
    if (p.rows.size() > p.drawn) {
      notes.add(f("drew the first %d clients; left out %d", CLIENT_ROWS, p.rows.size() - p.drawn));
    }
    return new Picture(p.svg(name), p.skipped, notes);
  }

  // ---- reading the trace: its passes, and a row per channel in the order they came ----

  private static final class Row {
    final String name;
    final int index, born; // born: the pass that accepted it, or first named it
    int died = Integer.MAX_VALUE, interest = READ;
    long queued;

    Row(String name, int index, int born) {
      this.name = name;
      this.index = index;
      this.born = born;
    }
  }

  // A pass: its number, "ready/registered", each row's words, and once the pass was done each
  // drawn row's interest set and bytes: the bytes lost so far in all, then each client's queue.
  private record Pass(
      String number, String ready, List<List<String>> cells, int[] interest, long[] bytes) {
    List<String> cell(int row) {
      return row < cells.size() ? cells.get(row) : List.of();
    }
  }

  private final List<Pass> passes = new ArrayList<>();
  private final List<Row> rows = new ArrayList<>(List.of(new Row("listener", 0, 0)));
  private final Map<String, Row> open = new HashMap<>();
  private int skipped, first, writes, drawn; // writes: passes after which a client wants OP_WRITE
  private long lost, mostQueued;

  private TracePicture(String name, String text, boolean chinese) {
    this.chinese = chinese;
    rows.get(0).interest = ACCEPT;
    List<String> lines = text.lines().map(String::stripTrailing).toList();
    int start =
        IntStream.range(0, lines.size())
            .filter(i -> !lines.get(i).isEmpty())
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(name + " is empty: nothing to draw"));
    for (int i = start; i < lines.size(); i++) {
      if (!lines.get(i).isEmpty() && !read(lines.get(i))) {
        first = skipped++ == 0 ? i + 1 : first;
      }
    }
    if (passes.isEmpty()) {
      String quoted = lines.get(start).strip();
      quoted = quoted.length() > 60 ? quoted.substring(0, 59) + "…" : quoted;
      throw new IllegalArgumentException(
          f("%s has no pass line (its first line, line %d, is \"%s\"):", name, start + 1, quoted)
              + " was the server started with --trace?");
    }
    snapshot();
    layOut();
  }

  // One line of the server's output; false when it holds none of the steps' words.
  private boolean read(String line) {
    Matcher m;
    Row listener = rows.get(0);
    if ((m = PASS.matcher(line)).matches()) {
      snapshot();
      String why = m.group(4);
      String ready = why != null ? "0" : m.group(2) + "/" + m.group(3);
      long[] bytes = new long[1 + CLIENT_ROWS];
      passes.add(new Pass(m.group(1), ready, new ArrayList<>(2), new int[bytes.length], bytes));
      if (why != null) {
        say(listener, why);
        listener.interest |= why.contains("accept pause is over") ? ACCEPT : 0;
      }
    } else if ((m = LOOP.matcher(line)).matches()) {
      if (!passes.isEmpty() && !line.startsWith("listening")) {
        say(listener, m.group(2) != null ? "accept failed" : line);
        listener.interest = m.group(2) != null ? 0 : listener.interest;
      }
    } else if (passes.isEmpty()) {
      return false;
    } else if ((m = EVENT.matcher(line)).matches()) {
      Row row = row(m.group(1));
      for (String part : m.group(2).split(", ")) {
        Matcher bytes = BYTES.matcher(part);
        if (part.startsWith("interest ") && part.contains(" -> ")) {
          String ops = part.substring(part.indexOf(" -> "));
          row.interest = (ops.contains("read") ? READ : 0) | (ops.contains("write") ? WRITE : 0);
        } else if (!part.matches("reading again|shut down our output")) { // the log line said it
          say(row, part);
          if (bytes.matches() && bytes.group(1).equals("queued")) {
            row.queued = Long.parseLong(bytes.group(2));
            mostQueued = Math.max(mostQueued, row.queued);
          } else if (bytes.matches()) {
            lost += Long.parseLong(bytes.group(2));
          }
        }
      }
    } else if ((m = CLIENT.matcher(line)).matches()) {
      String word = m.group(1), name = m.group(2);
      Row row = word.matches("accepted|refused") ? listener : row(name);
      say(row, word);
      if (word.equals("accepted")) {
        open.put(name, addRow(name));
      } else if (word.matches(GONE)) {
        if (row.queued > 0) {
          // What was still queued goes with the key: bytes the client sent and never gets back.
          say(row, "lost " + row.queued + " B");
          lost += row.queued;
        }
        row.died = passes.size() - 1;
        open.remove(name);
      }
    } else {
      return false;
    }
    return true;
  }

  // The open row of that name, or a new one: a port can come back, and a trace can start late.
  private Row row(String name) {
    return open.computeIfAbsent(name, this::addRow);
  }

  private Row addRow(String name) {
    rows.add(new Row(name, rows.size(), passes.size() - 1));
    return rows.get(rows.size() - 1);
  }

  // A word in a cell: the listener counts its repeats ("accepted ×3"), a client says each once.
  private void say(Row row, String word) {
    if (row.index > CLIENT_ROWS) {
      return;
    }
    List<List<String>> cells = passes.get(passes.size() - 1).cells();
    while (cells.size() <= row.index) {
      cells.add(new ArrayList<>(2));
    }
    List<String> cell = cells.get(row.index);
    String last = cell.isEmpty() ? "" : cell.get(cell.size() - 1);
    if (row.index == 0 && (last.equals(word) || last.startsWith(word + " ×"))) {
      int count = last.equals(word) ? 1 : Integer.parseInt(last.substring(word.length() + 2));
      cell.set(cell.size() - 1, word + " ×" + (count + 1));
    } else if (row.index == 0 || !cell.contains(word)) {
      cell.add(word);
    }
  }

  // What each drawn key waits for once the pass is done; its words in the order they read best.
  private void snapshot() {
    drawn = Math.min(rows.size(), 1 + CLIENT_ROWS);
    int last = passes.size() - 1;
    if (last < 0) {
      return;
    }
    Pass pass = passes.get(last);
    for (int r = 0; r < drawn; r++) {
      pass.interest()[r] = rows.get(r).interest;
      pass.bytes()[r] = r == 0 ? lost : rows.get(r).queued;
    }
    pass.cells().forEach(c -> c.sort(Comparator.comparing(LAST.asMatchPredicate()::test)));
    writes +=
        open.values().stream().anyMatch(r -> r.born <= last && (r.interest & WRITE) != 0) ? 1 : 0;
  }

  private boolean alive(int row, int pass) {
    return rows.get(row).born <= pass && pass <= rows.get(row).died;
  }

  // Passes alike but for their counts have one shape, and may share a column.
  private String shape(int pass) {
    StringBuilder shape = new StringBuilder(passes.get(pass).ready());
    for (int r = 0; r < drawn; r++) {
      shape.append('|').append(alive(r, pass) ? passes.get(pass).interest()[r] : -1);
      shape.append(passes.get(pass).cell(r));
    }
    return NUMBER.matcher(shape).replaceAll("#");
  }

  // ---- the grid's columns: one per pass, or one per run of alike passes when they do not fit ----

  /**
   * A column: the passes it stands for (each repeat of one pass of a run); at a run's first, the
   * run's length in columns, else 0.
   */
  private record Column(List<Integer> passes, int run) {}

  // A run repeats a group of one to four passes: a slow reader's read, then read and write, ...
  private List<Column> columns(boolean collapse) {
    int n = passes.size();
    String[] shapes = new String[n];
    Arrays.setAll(shapes, this::shape);
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < n; ) {
      int length = 1, repeats = 1;
      for (int l = 1; collapse && l <= 4; l++) {
        int r = 1;
        while (i + (r + 1) * l <= n
            && Arrays.equals(shapes, i, i + l, shapes, i + r * l, i + (r + 1) * l)) {
          r++;
        }
        if (r > 1 && l * r > length * repeats) {
          length = l;
          repeats = r;
        }
      }
      for (int k = 0, from = i, step = length; k < length; k++) {
        int at = from + k;
        List<Integer> alike = IntStream.range(0, repeats).mapToObj(r -> at + r * step).toList();
        columns.add(new Column(alike, k == 0 ? length : 0));
      }
      i += length * repeats;
    }
    return columns;
  }

  // Alike words, with each count as the range it took: "queued 3072…332288 B".
  private static String merge(Stream<String> words) {
    List<String> alike = words.toList();
    List<Matcher> counts = alike.stream().map(NUMBER::matcher).toList();
    Matcher m = NUMBER.matcher(alike.get(0));
    StringBuilder merged = new StringBuilder();
    while (m.find()) { // each word's next count
      LongSummaryStatistics range =
          counts.stream()
              .filter(Matcher::find)
              .mapToLong(c -> Long.parseLong(c.group()))
              .summaryStatistics();
      long least = range.getMin(), most = range.getMax();
      m.appendReplacement(merged, least + (least == most ? "" : "…" + most));
    }
    return m.appendTail(merged).toString();
  }

  private String ready(Column column) {
    return column == null ? "" : merge(column.passes().stream().map(p -> passes.get(p).ready()));
  }

  private String number(Column column) {
    return column == null ? "…" : passes.get(column.passes().get(0)).number();
  }

  // A cell's lines of at most `chars`, breaking at spaces but never before a unit; each starts
  // with "!" if it tells of lost bytes (drawn red), else with a space.
  private List<String> lines(Column column, int row) {
    List<String> lines = new ArrayList<>();
    int words = column == null ? 0 : passes.get(column.passes().get(0)).cell(row).size();
    for (int w = 0; w < words; w++) {
      int at = w;
      String word = merge(column.passes().stream().map(p -> passes.get(p).cell(row).get(at)));
      String mark = word.startsWith("lost ") ? "!" : " ";
      lines.add(mark);
      for (String piece : word.split(" (?!B\\b)")) {
        String line = lines.get(lines.size() - 1);
        if (line.length() > 1 && line.length() + piece.length() > chars) {
          lines.add(mark + piece);
        } else {
          lines.set(lines.size() - 1, line.length() == 1 ? mark + piece : line + " " + piece);
        }
      }
    }
    return lines;
  }

  // The columns' edges from x0, each column as wide as its widest line.
  private double[] edges(List<Column> columns) {
    double[] x = new double[columns.size() + 1];
    x[0] = x0;
    for (int c = 0; c < columns.size(); c++) {
      Column column = columns.get(c);
      int widest = Math.max(3, Math.max(number(column).length(), ready(column).length()));
      for (int r = 0; r < drawn; r++) {
        for (String line : lines(column, r)) {
          widest = Math.max(widest, line.length() - 1);
        }
      }
      x[c + 1] = x[c] + (column == null ? GAP : Math.ceil(CHAR * widest) + PAD);
    }
    return x;
  }

  // ---- drawing ----

  private static final int WIDEST = 880, LINE = 15, PAD = 6, BAND = 14, MARGIN = 10, CHART = 150;
  private static final double CHAR = 7.25; // a 12 px monospace character: 0.6 em in the fonts named
  private static final double GAP = 8 * CHAR + PAD;
  private static final String MONO =
      "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono',"
          + " 'Noto Sans Mono CJK SC', monospace";
  private static final String SANS =
      "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans',"
          + " 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";
  private static final String TEXT = "#1f2328", RED = "#cf222e", TRACK = "#e4e8ec";
  // The lanes' colours (accept, read, write), then the legend's grey lane and lost bytes.
  private static final String[] SWATCH = {"#1a7f37", "#0969da", "#e36209", TRACK, RED};
  private static final String[] SERIES = {"#e36209", "#8250df", "#0a7ea4", "#bf3989", "#57606a"};
  private static final String MIDDLE = " text-anchor=\"middle\"", BOLD = " font-weight=\"600\"";
  private static final String GREY = " fill=\"#59636e\"",
      RULE = " fill=\"none\" stroke=\"#d0d7de\"";
  private static final String BOX = " fill=\"#f6f8fa\" stroke=\"#d0d7de\" rx=\"3\"";

  private final boolean chinese;
  private final StringBuilder svg = new StringBuilder();
  private double x0;
  private List<Column> columns;
  private double[] x;
  private int chars, leftOut;
  private String leftOutFrom;

  // Each pass its own column, with the words wrapped as wide as fits; else a column per run of
  // alike passes; else a long run's first columns and its last, where its lesson lands, with a
  // gap between that says how many passes it leaves out. Neither side cuts a run in two.
  private void layOut() {
    int widest = "listener ".length();
    for (Row row : rows.subList(0, drawn)) {
      for (String label : row.name.split(LABEL)) {
        widest = Math.max(widest, label.length());
      }
    }
    x0 = MARGIN + Math.ceil(CHAR * widest) + PAD;
    double room = WIDEST - MARGIN - x0, narrowest = Math.ceil(3 * CHAR) + PAD;
    for (boolean collapse = passes.size() * narrowest > room; ; collapse = true) {
      columns = columns(collapse);
      for (chars = 16; chars >= 8 && columns.size() * narrowest <= room; chars -= 2) {
        x = edges(columns);
        if (x[columns.size()] - x0 <= room) {
          return;
        }
      }
      if (collapse) {
        break;
      }
    }
    List<Column> all = columns;
    chars = 10;
    double[] e = edges(all);
    int n = all.size(), tail = n, head = 0;
    while (tail > 1 && e[n] - e[tail - 1] <= room / 2) {
      tail--;
    }
    while (tail < n && all.get(tail).run() == 0) {
      tail++;
    }
    while (head < tail && e[head + 1] - x0 <= room - GAP - (e[n] - e[tail])) {
      head++;
    }
    while (head > 1 && all.get(head).run() == 0) {
      head--;
    }
    columns = new ArrayList<>(all.subList(0, head));
    columns.add(null);
    columns.addAll(all.subList(tail, all.size()));
    x = edges(columns);
    int from = all.get(head).passes().get(0);
    leftOutFrom = passes.get(from).number();
    leftOut = (tail < n ? all.get(tail).passes().get(0) : passes.size()) - from;
  }

  private String t(String english, String chinese) {
    return this.chinese ? chinese : english;
  }

  private String svg(String name) {
    int n = passes.size(), clients = rows.size() - 1;
    int width = (int) Math.ceil(Math.max(640, x[columns.size()] + MARGIN));
    String counts = t("%s: %d passes, %d client%s", "%s：%d 轮，%d 个客户端");
    String s = clients == 1 ? "" : "s";
    text(MARGIN, MARGIN + 14, f(counts, name, n, clients, s), " font-size=\"14\"" + BOLD);
    double y = grid(MARGIN + 26);
    double height = Math.ceil(legend(chart() ? chart(y + 10, width) : y + 12, width) + MARGIN);
    String desc =
        t(
            "A column per pass (%d columns for %d passes), a row per channel: the listener"
                + " and %d client%7$s. OP_WRITE was on after %d passes; at most %d B were queued"
                + " for a client; %d B were lost.",
            "每一轮一列（%2$d 轮画成 %1$d 列），每个通道一行：监听 socket 和 %3$d 个客户端。有 %4$d 轮"
                + "结束时关注着 OP_WRITE；给一个客户端排队最多 %5$d B；丢了 %6$d B。");
    desc = f(desc, columns.size(), n, clients, writes, mostQueued, lost, s);
    String title = name + t(": the selector loop, pass by pass", "：选择器循环，一轮一轮");
    return f(
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %1$d %2$d" \
        role="img" aria-labelledby="title desc">
        <title id="title">%s</title>
        <desc id="desc">%s</desc>
        <rect width="100%%" height="100%%" fill="#ffffff"/>
        <g font-family="%s" font-size="12" fill="%s">
        %s</g>
        </svg>
        """,
        width, (int) height, escape(title), escape(desc), SANS, TEXT, svg);
  }

  // The grid: a bracket over each run, the pass numbers and ready counts, then a row per channel.
  private double grid(double top) {
    double y = top, right = x[columns.size()];
    svg.append("<g font-family=\"").append(MONO).append("\">\n");
    if (runs()) {
      for (int c = 0; c < columns.size(); c++) {
        Column run = columns.get(c);
        if (run != null && run.run() > 0 && run.passes().size() > 1) {
          double end = x[c + run.run()] - 3;
          path(
              "M" + at(x[c] + 3, y + 16) + "v-4H" + fmt(end) + "v4",
              " fill=\"none\" stroke=\"#59636e\"");
          text((x[c] + end) / 2, y + 9, "×" + run.passes().size(), MIDDLE + BOLD);
        }
      }
      y += 18;
    }
    text(MARGIN, y + 12, "pass", GREY);
    text(MARGIN, y + 12 + LINE, "ready", GREY);
    for (int c = 0; c < columns.size(); c++) {
      text((x[c] + x[c + 1]) / 2, y + 12, number(columns.get(c)), MIDDLE + BOLD);
      text((x[c] + x[c + 1]) / 2, y + 12 + LINE, ready(columns.get(c)), MIDDLE + GREY);
    }
    y += 2 * LINE + 4;
    int gap = columns.indexOf(null);
    String[] note = t("%d\npasses\nleft out", "%d 轮\n没有画出").formatted(leftOut).split("\n");
    for (int k = 0; gap >= 0 && k < note.length; k++) {
      text((x[gap] + x[gap + 1]) / 2, y + LINE * (k + 1), note[k], MIDDLE + GREY);
    }
    for (int r = 0; r < drawn; r++) {
      rule(y, right);
      String[] label = rows.get(r).name.split(LABEL);
      for (int k = 0; k < label.length; k++) {
        text(MARGIN, y + LINE * (k + 1) - 1, label[k], "");
      }
      int lines = label.length;
      for (int c = 0; c < columns.size(); c++) {
        List<String> cell = lines(columns.get(c), r);
        if (!cell.isEmpty()) {
          rect(x[c] + 1, y + 3, x[c + 1] - x[c] - 2, cell.size() * LINE + 3, BOX);
        }
        for (int k = 0; k < cell.size(); k++) {
          String style = cell.get(k).startsWith("!") ? " fill=\"" + RED + "\"" + BOLD : "";
          text(x[c] + 3.5, y + LINE * (k + 1), cell.get(k).substring(1), style);
        }
        lines = Math.max(lines, cell.size());
      }
      y += lines * LINE + 6 + BAND;
      lanes(r, y - BAND + 3);
    }
    if (rows.size() > drawn) {
      rule(y, right);
      text(MARGIN, y + LINE, "and " + (rows.size() - drawn) + " more", GREY);
      y += LINE + 4;
    }
    rule(y, right);
    svg.append("</g>\n");
    return y;
  }

  private boolean runs() {
    return columns.stream().anyMatch(c -> c != null && c.passes().size() > 1);
  }

  // A row's band: a lane for each interest (the listener has only OP_ACCEPT), coloured while on,
  // grey while off, and none while the channel is not registered.
  private void lanes(int row, double y) {
    int[] bits = row == 0 ? new int[] {ACCEPT} : new int[] {READ, WRITE};
    for (int b = 0; b < bits.length; b++) {
      for (int c = 0, end = 1; c < columns.size(); c = end++) {
        String fill = fill(row, columns.get(c), bits[b]);
        while (end < columns.size() && Objects.equals(fill, fill(row, columns.get(end), bits[b]))) {
          end++;
        }
        if (fill != null) {
          rect(x[c], y + 6 * b, x[end] - x[c], 5, " fill=\"" + fill + "\"");
        }
      }
    }
  }

  private String fill(int row, Column column, int bit) {
    if (column == null || !alive(row, column.passes().get(0))) {
      return null;
    }
    boolean on = (passes.get(column.passes().get(0)).interest()[row] & bit) != 0;
    return on ? SWATCH[bit == ACCEPT ? 0 : bit] : TRACK;
  }

  // A long run's counts, which its collapsed columns give only as ranges, get their shape too.
  private boolean chart() {
    return passes.size() >= 40 && (mostQueued > 0 || lost > 0);
  }

  // Under the grid, the bytes queued for each client after each pass, and the bytes lost in all
  // (dashed red); a dot where a client was paused. The trace has no clock: passes are its time.
  private double chart(double top, int width) {
    int n = passes.size();
    List<Integer> series = // the clients that queued, 0: lost, -1: paused
        IntStream.rangeClosed(1, drawn)
            .mapToObj(r -> r % drawn)
            .filter(row -> passes.stream().anyMatch(p -> p.bytes()[row] > 0))
            .collect(Collectors.toCollection(ArrayList::new));
    if (passes.stream().anyMatch(p -> p.cells().stream().anyMatch(c -> c.contains("paused")))) {
      series.add(-1);
    }
    double x = x0, y = top + 8;
    text(MARGIN, y + 4, t("bytes", "字节数"), GREY);
    for (int s = 0; s < series.size(); s++) {
      int row = series.get(s);
      String key =
          row < 0
              ? t("paused", "暂停读取")
              : row == 0 ? t("lost in all", "一共丢掉") : rows.get(row).name + t(" queued", " 排队");
      if (x + 36 + width(key) > width - MARGIN) {
        x = x0;
        y += LINE + 2;
      }
      if (row < 0) {
        dot(x + 11, y);
      } else {
        path("M" + at(x, y) + "h22", stroke(s, row) + " stroke-width=\"2.5\"");
      }
      text(x + 28, y + 4, key, "");
      x += 48 + width(key);
    }
    long most = Math.max(mostQueued, lost), step = 1;
    while (step * 4 < most) {
      step *= 2;
    }
    long ceiling = step * ((most + step - 1) / step);
    double left = x0, right = width - MARGIN - 20, bottom = y + 16 + CHART;
    DoubleUnaryOperator px = p -> left + Math.floor((right - left) * p / Math.max(1, n - 1));
    DoubleUnaryOperator py = v -> bottom - CHART * v / (double) ceiling;
    for (long tick = 0; tick <= ceiling; tick += step) {
      String stroke = " fill=\"none\" stroke=\"" + (tick == 0 ? "#59636e" : TRACK) + "\"";
      path("M" + at(left, py.applyAsDouble(tick)) + "H" + fmt(right), stroke);
      text(left - 6, py.applyAsDouble(tick) + 4, bytes(tick), " text-anchor=\"end\"" + GREY);
    }
    int every = 1;
    for (int k = 0; every * 6 < n; k++) {
      every = new int[] {2, 5, 10}[k % 3] * (int) Math.pow(10, k / 3);
    }
    for (int p = every - 1; p < n; p += every) {
      text(px.applyAsDouble(p), bottom + 17, passes.get(p).number(), MIDDLE + GREY);
    }
    text(MARGIN, bottom + 17, t("pass", "轮"), GREY);
    for (int s = 0; s < series.size() && series.get(s) >= 0; s++) {
      // A point a pass while the key lived (the listener's, which holds the bytes lost, all
      // along), in order, so no peak and no drain is lost; of a level stretch only its ends.
      int row = series.get(s), end = Math.min(rows.get(row).died, n - 1);
      List<String> points = new ArrayList<>();
      for (int p = rows.get(row).born, k = 0; p <= end; p++, k = points.size()) {
        String v = "," + fmt(py.applyAsDouble(passes.get(p).bytes()[row]));
        if (k >= 2 && points.get(k - 1).endsWith(v) && points.get(k - 2).endsWith(v)) {
          points.remove(k - 1);
        }
        points.add(fmt(px.applyAsDouble(p)) + v);
      }
      svg.append(f("<polyline points=\"%s\"%s", String.join(" ", points), stroke(s, row)));
      svg.append(" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n");
      for (int p = 0; row > 0 && p < n; p++) {
        if (passes.get(p).cell(row).contains("paused")) {
          dot(px.applyAsDouble(p), py.applyAsDouble(passes.get(p).bytes()[row]));
        }
      }
    }
    return bottom + 34;
  }

  private static String stroke(int series, int row) {
    return row == 0
        ? " fill=\"none\" stroke=\"" + RED + "\" stroke-dasharray=\"6 3\""
        : " fill=\"none\" stroke=\"" + SERIES[series % SERIES.length] + "\"";
  }

  private void dot(double x, double y) {
    svg.append(f("<circle cx=\"%s\" cy=\"%s\" r=\"3.5\" fill=\"%s\"/>\n", fmt(x), fmt(y), TEXT));
  }

  // What the picture's marks mean, in the page's language: only the marks it has.
  private double legend(double y, int width) {
    Map<String, Boolean> shown =
        Map.of("write", writes > 0, "runs", runs(), "lost", lost > 0, "chart", chart());
    rule(y - 6, width - MARGIN);
    for (String item : (chinese ? LEGEND_ZH : LEGEND).split("\n")) {
      String mark = item.substring(0, item.indexOf(' '));
      int swatch = List.of("accept", "read", "write", "grey", "lost").indexOf(mark);
      if (!shown.getOrDefault(mark, true)) {
        continue;
      } else if (swatch >= 0) {
        rect(MARGIN, y + 2, 26, 5, " fill=\"" + SWATCH[swatch] + "\"");
      } else if (mark.equals("box")) {
        rect(MARGIN, y - 6, 26, 14, BOX);
      }
      double tx = swatch >= 0 || mark.equals("box") ? MARGIN + 34 : MARGIN;
      // Lines that fit: English breaks at spaces, Chinese between any two characters.
      String line = "";
      for (String unit : item.substring(item.indexOf(' ')).strip().split(BREAK)) {
        if (!line.isEmpty() && width(line + unit.stripTrailing()) > width - MARGIN - tx) {
          text(tx, y + 7, line.stripTrailing(), "");
          y += 17;
          line = "";
        }
        line += unit;
      }
      text(tx, y + 7, line, "");
      y += 17;
    }
    return y;
  }

  // A 12 px sans-serif line's width, generously: a Chinese character is a full em.
  private static double width(String line) {
    return line.codePoints().mapToDouble(c -> c >= 0x2E80 ? 12 : 6.8).sum();
  }

  private void text(double x, double y, String text, String style) {
    svg.append(f("<text x=\"%s\" y=\"%s\"%s>%s</text>\n", fmt(x), fmt(y), style, escape(text)));
  }

  private void rect(double x, double y, double w, double h, String style) {
    svg.append(
        f(
            "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"%s/>\n",
            fmt(x), fmt(y), fmt(w), fmt(h), style));
  }

  private void path(String d, String style) {
    svg.append("<path d=\"").append(d).append('"').append(style).append("/>\n");
  }

  private void rule(double y, double right) {
    path("M" + at(MARGIN, y) + "H" + fmt(right), RULE);
  }

  private static final String BREAK = "(?<=[ \\p{IsHan}，；：（）、。])|(?=[\\p{IsHan}（])";

  // The legend: a mark (how the picture draws it), then what it means.
  private static final String LEGEND =
      """
      accept accept: the listener's interest set has OP_ACCEPT (grey: accepting is paused)
      read   read: once the pass is done, the key's interest set has OP_READ
      write  write: OP_WRITE is on, for bytes are queued for that client
      grey   grey lane: that interest is off; no lane: the channel is not registered
      box    a box: the trace has a line for that key under that pass; its words are the trace's
      ready  ready 1/3: one key ready of the three registered
      runs   ×N over a bracket: those passes came N times in a row, drawn once; a…b: the least \
      and the most a count was
      lost   lost N B: bytes the client sent that never come back (write() took less, or they \
      were still queued at close)
      chart  the chart: bytes after each pass, for each line named above it; the trace has no \
      clock, so passes are its time""";
  private static final String LEGEND_ZH =
      """
      accept accept：监听 socket 关注着 OP_ACCEPT（灰色：暂停接受连接）
      read   read：这一轮结束时，key 关注着 OP_READ
      write  write：关注着 OP_WRITE，因为有字节排队等着发给这个客户端
      grey   灰色：没有关注这一项；没有色带：这个通道不在选择器里
      box    方框：trace 在这一轮里有一行写到这个 key；框里是 trace 的原话
      ready  ready 1/3：注册的 3 个 key 里有 1 个就绪
      runs   括号上的 ×N：括号下的几轮连续出现了 N 次，只画一次；a…b：其中这个数最小和最大的值
      lost   lost N B：客户端发来、却永远回不去的字节（write() 没有全部收下，或者关闭时还在队列里）
      chart  折线：每一轮结束时的字节数，每条线是什么见图的上方；trace 没有时钟，轮次就是时间""";

  // Formats as every machine does: no locale's digits in a picture.
  private static String f(String template, Object... values) {
    return String.format(Locale.ROOT, template, values);
  }

  private static String at(double x, double y) {
    return fmt(x) + " " + fmt(y);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : f("%.1f", v);
  }

  // A tick's count: a multiple of its step, a power of two, so at most one decimal is exact.
  private static String bytes(long n) {
    int unit = n < 1024 ? 0 : n < 1 << 20 ? 1 : 2;
    return fmt(n / Math.pow(1024, unit)) + List.of(" B", " KiB", " MiB").get(unit);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
