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
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.IntToDoubleFunction;
import java.util.function.LongToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws a step's {@code --trace} output as a grid: a column per pass of the loop, a row per channel
 * in the order they came, in each cell what that pass did with that key, and along each row the
 * key's interest set as a band. One source file on the JDK alone, so that a student can draw a run
 * of their own: {@code java docs-check/src/main/java/docscheck/TracePicture.java run.txt run.svg}.
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
  private static final Pattern CLOSED =
      Pattern.compile(
          "(closed by peer|reset by peer|dropped on \\w+|dropped idle)( \\(.*\\))? (\\S+)");
  private static final Pattern CLIENT =
      Pattern.compile(
          "(accepted|refused|paused|resumed|closing idle)( reading)? (\\S+)( \\(.*\\))?");
  private static final Pattern LOOP =
      Pattern.compile(
          "listening on \\S+|stopped( by .+)?|(accept failed) \\(.*\\), pausing \\d+ ms");
  private static final Pattern QUEUED = Pattern.compile("queued (\\d+) B");
  private static final Pattern LOST = Pattern.compile("lost (\\d+) B");
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  // Words a cell puts last: the log prints "paused" before the read that caused it.
  private static final Pattern LAST =
      Pattern.compile("paused|closed .*|reset .*|dropped .*|stopped.*|lost .*");

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> files = new ArrayList<>(List.of(args));
    boolean chinese = files.remove("--lang=zh");
    files.remove("--lang=en");
    if (files.contains("--help") || files.contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    String option =
        files.stream().filter(f -> f.startsWith("-") && f.length() > 1).findFirst().orElse(null);
    if (option != null || files.isEmpty() || files.size() > 2) {
      err.println(
          "TracePicture: "
              + (option != null
                  ? "unknown option " + option
                  : "give a trace file, and an SVG file to write if not to standard output")
              + " (--help for usage)");
      return 2;
    }
    Path in = Path.of(files.get(0));
    try {
      if (files.size() == 2
          && Files.exists(Path.of(files.get(1)))
          && Files.isSameFile(in, Path.of(files.get(1)))) {
        err.println("TracePicture: " + files.get(1) + " is the trace itself: name another file");
        return 2;
      }
      Picture picture = draw(in.getFileName().toString(), decode(Files.readAllBytes(in)), chinese);
      picture.notes().forEach(note -> err.println("TracePicture: " + note));
      byte[] svg = picture.svg().getBytes(StandardCharsets.UTF_8);
      if (files.size() == 1) {
        out.write(svg);
        out.flush();
      } else {
        Files.write(Path.of(files.get(1)), svg);
        out.println("wrote " + files.get(1));
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
            Path path = Path.of(file);
            String name = path.getParent().getFileName() + "/" + path.getFileName();
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
    if (mark == 0xfffe || mark == 0xfeff) {
      return new String(
          b,
          2,
          b.length - 2,
          mark == 0xfffe ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
    }
    int skip = mark == 0xefbb ? 3 : 0; // UTF-8's own mark, which some editors write
    return new String(b, skip, b.length - skip, StandardCharsets.UTF_8);
  }

  // ---- reading the trace: its passes, and a row per channel in the order they came ----

  private static final class Row {
    final String name;
    final int index, born; // born: the pass that accepted it, or first named it
    int died = Integer.MAX_VALUE;
    int interest;
    long queued;

    Row(String name, int index, int born, int interest) {
      this.name = name;
      this.index = index;
      this.born = born;
      this.interest = interest;
    }
  }

  private static final class Pass {
    final String number, ready;
    final List<List<String>> cells = new ArrayList<>(2); // by row, as far as a row said a word
    final int[] interest = new int[1 + CLIENT_ROWS];
    final long[] queued = new long[1 + CLIENT_ROWS];
    long lost;

    Pass(String number, String ready) {
      this.number = number;
      this.ready = ready;
    }

    List<String> cell(int row) {
      return row < cells.size() ? cells.get(row) : List.of();
    }
  }

  private static final class Trace {
    final List<Pass> passes = new ArrayList<>();
    final List<Row> rows = new ArrayList<>(List.of(new Row("listener", 0, 0, ACCEPT)));
    final Map<String, Row> open = new HashMap<>();
    int skipped, firstSkipped, writes; // writes: passes after which a client wants OP_WRITE
    long lost, mostQueued;

    Trace(String name, String text) {
      String[] lines = text.split("\r\n|\r|\n", -1);
      int first = 0;
      while (first < lines.length && lines[first].isBlank()) {
        first++;
      }
      if (first == lines.length) {
        throw new IllegalArgumentException(name + " is empty: nothing to draw");
      }
      for (int i = first; i < lines.length; i++) {
        String line = lines[i].stripTrailing();
        if (!line.isEmpty() && !read(line)) {
          firstSkipped = skipped++ == 0 ? i + 1 : firstSkipped;
        }
      }
      if (passes.isEmpty()) {
        String quoted = lines[first].strip();
        throw new IllegalArgumentException(
            name
                + " has no pass line (its first line, line "
                + (first + 1)
                + ", is \""
                + (quoted.length() > 60 ? quoted.substring(0, 59) + "…" : quoted)
                + "\"): was the server started with --trace?");
      }
      snapshot();
    }

    // One line of the server's output; false when it holds none of the steps' words.
    boolean read(String line) {
      Matcher m;
      if ((m = PASS.matcher(line)).matches()) {
        snapshot();
        passes.add(new Pass(m.group(1), m.group(4) != null ? "0" : m.group(2) + "/" + m.group(3)));
        if (m.group(4) != null) {
          say(rows.get(0), m.group(4));
          rows.get(0).interest |= m.group(4).contains("accept pause is over") ? ACCEPT : 0;
        }
      } else if ((m = LOOP.matcher(line)).matches()) {
        if (!passes.isEmpty() && !line.startsWith("listening")) {
          say(rows.get(0), m.group(2) != null ? "accept failed" : line);
          rows.get(0).interest = m.group(2) != null ? 0 : rows.get(0).interest;
        }
      } else if (passes.isEmpty()) {
        return false;
      } else if ((m = EVENT.matcher(line)).matches()) {
        Row row = row(m.group(1));
        for (String part : m.group(2).split(", ")) {
          Matcher queued = QUEUED.matcher(part), gone = LOST.matcher(part);
          if (part.startsWith("interest ") && part.contains(" -> ")) {
            row.interest = interest(part.substring(part.indexOf(" -> ") + 4));
          } else if (!part.equals("reading again") && !part.equals("shut down our output")) {
            // (Those two the log line before said already: "resumed", "closing idle".)
            if (queued.matches()) {
              row.queued = Long.parseLong(queued.group(1));
              mostQueued = Math.max(mostQueued, row.queued);
            }
            lost += gone.matches() ? Long.parseLong(gone.group(1)) : 0;
            say(row, part);
          }
        }
      } else if ((m = CLOSED.matcher(line)).matches()) {
        Row row = row(m.group(3));
        say(row, m.group(1));
        if (row.queued > 0) {
          // What was still queued goes with the key: bytes the client sent and never gets back.
          say(row, "lost " + row.queued + " B");
          lost += row.queued;
        }
        row.died = passes.size() - 1;
        open.remove(row.name);
      } else if ((m = CLIENT.matcher(line)).matches()) {
        boolean listener = m.group(1).equals("accepted") || m.group(1).equals("refused");
        say(listener ? rows.get(0) : row(m.group(3)), m.group(1));
        if (m.group(1).equals("accepted")) {
          open.put(m.group(3), addRow(m.group(3)));
        }
      } else {
        return false;
      }
      return true;
    }

    // The open row of that name, or a new one: a port can come back, and a trace can start late.
    Row row(String name) {
      return open.computeIfAbsent(name, this::addRow);
    }

    Row addRow(String name) {
      Row row = new Row(name, rows.size(), passes.size() - 1, READ);
      rows.add(row);
      return row;
    }

    // A word in a cell: the listener counts its repeats ("accepted ×3"), a client says each once.
    void say(Row row, String word) {
      if (row.index <= CLIENT_ROWS) {
        List<List<String>> cells = passes.get(passes.size() - 1).cells;
        while (cells.size() <= row.index) {
          cells.add(new ArrayList<>(2));
        }
        List<String> cell = cells.get(row.index);
        String last = cell.isEmpty() ? "" : cell.get(cell.size() - 1);
        if (row.index == 0 && last.replaceFirst(" ×\\d+$", "").equals(word)) {
          String count = last.contains(" ×") ? last.substring(last.indexOf(" ×") + 2) : "1";
          cell.set(cell.size() - 1, word + " ×" + (Integer.parseInt(count) + 1));
        } else if (row.index == 0 || !cell.contains(word)) {
          cell.add(word);
        }
      }
    }

    // What each drawn key waits for once the pass is done, and what its queue holds.
    void snapshot() {
      if (!passes.isEmpty()) {
        Pass pass = passes.get(passes.size() - 1);
        for (int r = 0; r < drawnRows(); r++) {
          pass.interest[r] = rows.get(r).interest;
          pass.queued[r] = rows.get(r).queued;
        }
        pass.lost = lost;
        pass.cells.forEach(cell -> cell.sort(Comparator.comparing(w -> LAST.matcher(w).matches())));
        int last = passes.size() - 1;
        writes +=
            open.values().stream().anyMatch(r -> r.born <= last && (r.interest & WRITE) != 0)
                ? 1
                : 0;
      }
    }

    boolean alive(int row, int pass) {
      return rows.get(row).born <= pass && pass <= rows.get(row).died;
    }

    // Passes alike but for their counts have one shape, and may share a column.
    String shape(int pass) {
      Pass p = passes.get(pass);
      StringBuilder shape = new StringBuilder(p.ready);
      for (int r = 0; r < drawnRows(); r++) {
        shape.append('|').append(alive(r, pass) ? p.interest[r] : -1).append(p.cell(r));
      }
      return NUMBER.matcher(shape).replaceAll("#");
    }

    int drawnRows() {
      return Math.min(rows.size(), 1 + CLIENT_ROWS);
    }
  }

  private static int interest(String ops) {
    return (ops.contains("read") ? READ : 0) | (ops.contains("write") ? WRITE : 0);
  }

  // ---- the grid's columns: one per pass, or one per run of alike passes when they do not fit ----

  /** A column: the passes it stands for (one, or each repeat of one pass of a run). */
  private record Column(
      List<Integer> passes,
      int repeats,
      boolean runStart,
      int runLength,
      List<List<String>> words) {}

  // A run repeats a group of one to four passes: a slow reader's read, then read and write, ...
  private static List<Column> columns(Trace trace, boolean collapse) {
    int n = trace.passes.size();
    String[] shapes = new String[n];
    Arrays.setAll(shapes, trace::shape);
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < n; ) {
      int bestLength = 1, bestRepeats = 1;
      for (int length = 1; collapse && length <= 4; length++) {
        int repeats = 1;
        while (i + (repeats + 1) * length <= n
            && Arrays.equals(
                shapes, i, i + length, shapes, i + repeats * length, i + (repeats + 1) * length)) {
          repeats++;
        }
        if (repeats > 1 && length * repeats > bestLength * bestRepeats) {
          bestLength = length;
          bestRepeats = repeats;
        }
      }
      for (int k = 0; k < bestLength; k++) {
        List<Integer> instances = new ArrayList<>();
        for (int r = 0; r < bestRepeats; r++) {
          instances.add(i + r * bestLength + k);
        }
        columns.add(
            new Column(instances, bestRepeats, k == 0, bestLength, words(trace, instances)));
      }
      i += bestLength * bestRepeats;
    }
    return columns;
  }

  // Alike words, with each count as the range it took: "queued 3072…332288 B".
  private static String merge(List<String> alike) {
    if (alike.stream().allMatch(alike.get(0)::equals)) {
      return alike.get(0);
    }
    String[] pieces = NUMBER.split(alike.get(0), -1);
    long[] least = new long[pieces.length - 1], most = new long[pieces.length - 1];
    Arrays.fill(least, Long.MAX_VALUE);
    for (String word : alike) {
      Matcher m = NUMBER.matcher(word);
      for (int k = 0; m.find(); k++) {
        least[k] = Math.min(least[k], Long.parseLong(m.group()));
        most[k] = Math.max(most[k], Long.parseLong(m.group()));
      }
    }
    StringBuilder merged = new StringBuilder(pieces[0]);
    for (int k = 0; k < least.length; k++) {
      merged
          .append(least[k])
          .append(least[k] == most[k] ? "" : "…" + most[k])
          .append(pieces[k + 1]);
    }
    return merged.toString();
  }

  // A column's words, row by row, each with its counts over the passes the column stands for.
  private static List<List<String>> words(Trace trace, List<Integer> passes) {
    List<List<String>> rows = new ArrayList<>();
    for (int r = 0; r < trace.drawnRows(); r++) {
      List<String> words = new ArrayList<>();
      for (int k = 0, row = r; k < trace.passes.get(passes.get(0)).cell(r).size(); k++) {
        int at = k;
        words.add(merge(passes.stream().map(p -> trace.passes.get(p).cell(row).get(at)).toList()));
      }
      rows.add(words);
    }
    return rows;
  }

  private static List<String> words(Column column, int row) {
    return column == null ? List.of() : column.words().get(row);
  }

  private static String ready(Trace trace, Column column) {
    return column == null
        ? ""
        : merge(column.passes().stream().map(p -> trace.passes.get(p).ready).toList());
  }

  // Lines of at most this many characters, breaking at spaces but never before a unit.
  private static List<String> wrap(String phrase, int chars) {
    List<String> lines = new ArrayList<>(List.of(""));
    for (String word : phrase.split(" (?!B\\b)")) {
      String line = lines.get(lines.size() - 1);
      if (line.isEmpty() || line.length() + 1 + word.length() <= chars) {
        lines.set(lines.size() - 1, line.isEmpty() ? word : line + " " + word);
      } else {
        lines.add(word);
      }
    }
    return lines;
  }

  private static double[] widths(Trace trace, List<Column> columns, int chars) {
    double[] widths = new double[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      Column column = columns.get(c);
      int widest =
          Math.max(3, Math.max(number(trace, column).length(), ready(trace, column).length()));
      for (int r = 0; r < trace.drawnRows(); r++) {
        for (String word : words(column, r)) {
          widest =
              Math.max(widest, wrap(word, chars).stream().mapToInt(String::length).max().orElse(0));
        }
      }
      widths[c] = Math.ceil(CHAR * widest) + PAD;
    }
    return widths;
  }

  private static String number(Trace trace, Column column) {
    return column == null ? "…" : trace.passes.get(column.passes().get(0)).number;
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
  private static final String TEXT = "#1f2328",
      RED = "#cf222e",
      TRACK = "#e4e8ec",
      RULE = "#d0d7de";
  private static final String[] LANES = {"#1a7f37", "#0969da", "#e36209"}; // accept, read, write
  private static final String[] SERIES = {"#e36209", "#8250df", "#0a7ea4", "#bf3989", "#57606a"};
  private static final String MIDDLE = " text-anchor=\"middle\"", BOLD = " font-weight=\"600\"";
  private static final String GREY = " fill=\"#59636e\"",
      BOX = " fill=\"#f6f8fa\" stroke=\"" + RULE + "\" rx=\"3\"";

  /** Draws the trace, or refuses it (IllegalArgumentException) when it has no pass at all. */
  static Picture draw(String name, String text, boolean chinese) {
    Trace trace = new Trace(name, text);
    Drawing drawing = new Drawing(trace, chinese);
    List<String> notes = new ArrayList<>();
    if (trace.skipped > 0) {
      String s = trace.skipped == 1 ? "" : "s";
      notes.add(
          format(
              "skipped %d line%s it does not know (the first: line %d)",
              trace.skipped, s, trace.firstSkipped));
    }
    if (drawing.leftOut > 0) {
      String from = trace.passes.get(drawing.leftOutFrom).number;
      notes.add(format("left out %d passes in the middle, from pass %s", drawing.leftOut, from));
    }
    if (trace.rows.size() > trace.drawnRows()) {
      int more = trace.rows.size() - trace.drawnRows();
      notes.add(format("drew the first %d clients; left out %d", CLIENT_ROWS, more));
    }
    return new Picture(drawing.svg(name), trace.skipped, notes);
  }

  /** One picture, element by element. */
  private static final class Drawing {
    final StringBuilder svg = new StringBuilder();
    final Trace trace;
    final boolean chinese;
    final List<List<String>> labels = new ArrayList<>();
    final double x0;
    List<Column> columns;
    double[] widths;
    int chars, leftOutFrom, leftOut;

    Drawing(Trace trace, boolean chinese) {
      this.trace = trace;
      this.chinese = chinese;
      // The listener, then each client: its host over its port, to leave the grid the room.
      int widest = "ready".length();
      for (int r = 0; r < trace.drawnRows(); r++) {
        String name = trace.rows.get(r).name;
        int colon = name.lastIndexOf(':');
        labels.add(
            r == 0 || colon < 1
                ? List.of(name)
                : List.of(name.substring(0, colon), name.substring(colon)));
        widest = Math.max(widest, Math.max(labels.get(r).get(0).length(), name.length() - colon));
      }
      x0 = MARGIN + Math.ceil(CHAR * widest) + PAD;
      layOut(WIDEST - MARGIN - x0);
    }

    // Each pass its own column, with the words wrapped as wide as fits; else a column per run of
    // alike passes; else a long run's first columns and its last, where its lesson lands, with a
    // gap between that says how many passes it leaves out. Neither side cuts a run in two.
    void layOut(double room) {
      double narrowest = Math.ceil(3 * CHAR) + PAD;
      for (boolean collapse = trace.passes.size() * narrowest > room; ; collapse = true) {
        columns = columns(trace, collapse);
        for (int wrapAt = 16; wrapAt >= 8 && columns.size() * narrowest <= room; wrapAt -= 2) {
          widths = widths(trace, columns, chars = wrapAt);
          if (Arrays.stream(widths).sum() <= room) {
            return;
          }
        }
        if (collapse) {
          break;
        }
      }
      List<Column> all = columns;
      double[] w = widths(trace, all, chars = 10);
      int tail = all.size(), head = 0;
      for (double used = 0; tail > 1 && used + w[tail - 1] <= room / 2; ) {
        used += w[--tail];
      }
      while (tail < all.size() && !all.get(tail).runStart()) {
        tail++;
      }
      double left = room - GAP - Arrays.stream(w, tail, all.size()).sum();
      for (double used = 0; head < tail && used + w[head] <= left; ) {
        used += w[head++];
      }
      while (head > 1 && !all.get(head).runStart()) {
        head--;
      }
      columns = new ArrayList<>(all.subList(0, head));
      columns.add(null);
      columns.addAll(all.subList(tail, all.size()));
      widths = new double[columns.size()];
      System.arraycopy(w, 0, widths, 0, head);
      widths[head] = GAP;
      System.arraycopy(w, tail, widths, head + 1, all.size() - tail);
      leftOutFrom = all.get(head).passes().get(0);
      leftOut =
          (tail < all.size() ? all.get(tail).passes().get(0) : trace.passes.size()) - leftOutFrom;
    }

    String t(String english, String chinese) {
      return this.chinese ? chinese : english;
    }

    String svg(String name) {
      int n = trace.passes.size(), clients = trace.rows.size() - 1;
      boolean chart = n >= 40 && (trace.mostQueued > 0 || trace.lost > 0);
      double gridWidth = x0 + Arrays.stream(widths).sum() + MARGIN;
      int width = chart ? WIDEST : (int) Math.ceil(Math.max(640, gridWidth));
      String counts = t("%s: %d passes, %d client%s", "%s：%d 轮，%d 个客户端");
      text(
          MARGIN,
          MARGIN + 14,
          format(counts, name, n, clients, clients == 1 ? "" : "s"),
          " font-size=\"14\"" + BOLD);
      double y = grid(MARGIN + 26);
      y = legend(chart ? chart(y + 10, width) : y + 12, width, chart);
      int height = (int) Math.ceil(y + MARGIN);
      String desc =
          t(
              "A column per pass (%d columns for %d passes), a row per channel: the listener"
                  + " and %d client%7$s. OP_WRITE was on after %d passes; at most %d B were queued for a"
                  + " client; %d B were lost.",
              "每一轮一列（%2$d 轮画成 %1$d 列），每个通道一行：监听 socket 和 %3$d 个客户端。有 %4$d 轮"
                  + "结束时关注着 OP_WRITE；给一个客户端排队最多 %5$d B；丢了 %6$d B。");
      desc =
          format(
              desc,
              columns.size(),
              n,
              clients,
              trace.writes,
              trace.mostQueued,
              trace.lost,
              clients == 1 ? "" : "s");
      String title = name + t(": the selector loop, pass by pass", "：选择器循环，一轮一轮");
      return format(
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
          width, height, escape(title), escape(desc), SANS, TEXT, svg);
    }

    // The grid: a bracket over each run, the pass numbers and ready counts, then a row per channel.
    double grid(double top) {
      double[] x = new double[columns.size() + 1];
      x[0] = x0;
      for (int c = 0; c < columns.size(); c++) {
        x[c + 1] = x[c] + widths[c];
      }
      double y = top, right = x[columns.size()];
      svg.append("<g font-family=\"").append(MONO).append("\">\n");
      if (columns.stream().anyMatch(c -> c != null && c.repeats() > 1)) {
        for (int c = 0; c < columns.size(); c++) {
          Column run = columns.get(c);
          if (run != null && run.runStart() && run.repeats() > 1) {
            double end = x[c + run.runLength()] - 3;
            path("M" + at(x[c] + 3, y + 16) + "v-4H" + fmt(end) + "v4", LANE_GREY);
            text((x[c] + end) / 2, y + 9, "×" + run.repeats(), MIDDLE + BOLD);
          }
        }
        y += 18;
      }
      text(MARGIN, y + 12, "pass", GREY);
      text(MARGIN, y + 12 + LINE, "ready", GREY);
      for (int c = 0; c < columns.size(); c++) {
        double middle = (x[c] + x[c + 1]) / 2;
        text(middle, y + 12, number(trace, columns.get(c)), MIDDLE + BOLD);
        text(middle, y + 12 + LINE, ready(trace, columns.get(c)), MIDDLE + GREY);
      }
      y += 2 * LINE + 4;
      int gap = columns.indexOf(null);
      List<String> note =
          chinese ? List.of(leftOut + " 轮", "没有画出") : List.of("" + leftOut, "passes", "left out");
      for (int k = 0; gap >= 0 && k < note.size(); k++) {
        text((x[gap] + x[gap + 1]) / 2, y + LINE * (k + 1), note.get(k), MIDDLE + GREY);
      }
      for (int r = 0; r < trace.drawnRows(); r++) {
        List<List<String>> cells = new ArrayList<>();
        int lines = labels.get(r).size();
        for (Column column : columns) {
          List<String> cell = new ArrayList<>();
          for (String word : words(column, r)) {
            // Lost bytes in red: a mark before each line, taken off when it is drawn.
            wrap(word, chars)
                .forEach(line -> cell.add((word.startsWith("lost ") ? "!" : " ") + line));
          }
          cells.add(cell);
          lines = Math.max(lines, cell.size());
        }
        path("M" + at(MARGIN, y) + "H" + fmt(right), LANE_RULE);
        for (int k = 0; k < labels.get(r).size(); k++) {
          text(MARGIN, y + LINE * (k + 1) - 1, labels.get(r).get(k), "");
        }
        for (int c = 0; c < columns.size(); c++) {
          List<String> cell = cells.get(c);
          if (!cell.isEmpty()) {
            rect(x[c] + 1, y + 3, x[c + 1] - x[c] - 2, cell.size() * LINE + 3, BOX);
          }
          for (int k = 0; k < cell.size(); k++) {
            String style = cell.get(k).startsWith("!") ? " fill=\"" + RED + "\"" + BOLD : "";
            text(x[c] + 3.5, y + LINE * (k + 1), cell.get(k).substring(1), style);
          }
        }
        y += lines * LINE + 6 + BAND;
        lanes(r, x, y - BAND + 3);
      }
      if (trace.rows.size() > trace.drawnRows()) {
        path("M" + at(MARGIN, y) + "H" + fmt(right), LANE_RULE);
        text(MARGIN, y + LINE, "and " + (trace.rows.size() - trace.drawnRows()) + " more", GREY);
        y += LINE + 4;
      }
      path("M" + at(MARGIN, y) + "H" + fmt(right), LANE_RULE);
      svg.append("</g>\n");
      return y;
    }

    // A row's band: a lane for each interest (the listener has only OP_ACCEPT), coloured while on,
    // grey while off, and none while the channel is not registered.
    void lanes(int row, double[] x, double y) {
      int[] bits = row == 0 ? new int[] {ACCEPT} : new int[] {READ, WRITE};
      for (int b = 0; b < bits.length; b++) {
        for (int c = 0, end = 1; c < columns.size(); c = end++) {
          String fill = fill(row, columns.get(c), bits[b]);
          while (end < columns.size()
              && Objects.equals(fill, fill(row, columns.get(end), bits[b]))) {
            end++;
          }
          if (fill != null) {
            rect(x[c], y + 6 * b, x[end] - x[c], 5, " fill=\"" + fill + "\"");
          }
        }
      }
    }

    String fill(int row, Column column, int bit) {
      if (column == null || !trace.alive(row, column.passes().get(0))) {
        return null;
      }
      boolean on = (trace.passes.get(column.passes().get(0)).interest[row] & bit) != 0;
      return on ? LANES[bit == ACCEPT ? 0 : bit] : TRACK;
    }

    // A long run's shape, which its collapsed columns give only as ranges: the bytes queued for
    // each client after each pass, and the bytes lost in all. The trace has no clock: passes are
    // its time.
    double chart(double top, int width) {
      List<Integer> series = new ArrayList<>(); // client rows, then 0 for the bytes lost in all
      long most = Math.max(1, trace.lost);
      for (int r = 1; r < trace.drawnRows(); r++) {
        int row = r;
        long peak = trace.passes.stream().mapToLong(p -> p.queued[row]).max().orElse(0);
        most = Math.max(most, peak);
        if (peak > 0) {
          series.add(r);
        }
      }
      if (trace.lost > 0) {
        series.add(0);
      }
      boolean pauses =
          trace.passes.stream().anyMatch(p -> p.cells.stream().anyMatch(c -> c.contains("paused")));
      double x = x0, y = top + 8;
      for (int s = 0; s < series.size() + (pauses ? 1 : 0); s++) {
        int row = s < series.size() ? series.get(s) : -1;
        String key = row < 0 ? "paused" : row == 0 ? "lost" : trace.rows.get(row).name + " queued";
        if (x + 36 + CHAR * key.length() > width - MARGIN) {
          x = x0;
          y += LINE + 2;
        }
        if (row < 0) {
          dot(x + 11, y);
        } else {
          path("M" + at(x, y) + "h22", stroke(s, row) + " stroke-width=\"2.5\"");
        }
        text(x + 28, y + 4, key, " font-family=\"" + MONO + "\"");
        x += 48 + CHAR * key.length();
      }
      long step = 1;
      while (step * 4 < most) {
        step *= 2;
      }
      long ceiling = step * ((most + step - 1) / step);
      double left = x0, right = width - MARGIN - 20, bottom = y + 16 + CHART;
      IntToDoubleFunction px = p -> left + Math.floor((right - left) * p / Math.max(1, n() - 1));
      LongToDoubleFunction py = v -> bottom - CHART * v / (double) ceiling;
      for (long tick = 0; tick <= ceiling; tick += step) {
        path(
            "M" + at(left, py.applyAsDouble(tick)) + "H" + fmt(right),
            tick == 0 ? LANE_GREY : LANE_TRACK);
        text(left - 6, py.applyAsDouble(tick) + 4, bytes(tick), " text-anchor=\"end\"" + GREY);
      }
      long every = 1;
      for (int k = 0; every * 6 < n(); k++) {
        every = (long) (new int[] {2, 5, 10}[k % 3] * Math.pow(10, k / 3));
      }
      for (long pass = every; pass <= n(); pass += every) {
        text(px.applyAsDouble((int) pass - 1), bottom + 17, "" + pass, MIDDLE + GREY);
      }
      text(MARGIN, bottom + 17, "pass", GREY + " font-family=\"" + MONO + "\"");
      for (int s = 0; s < series.size(); s++) {
        // Per pixel, the least and the most that the series held there: no peak and no drain lost.
        int row = series.get(s);
        Map<Integer, long[]> pixels = new TreeMap<>(); // first, least, most, last
        for (int p = 0; p < n(); p++) {
          if (row == 0 || trace.alive(row, p)) {
            long v = row == 0 ? trace.passes.get(p).lost : trace.passes.get(p).queued[row];
            long[] seen =
                pixels.computeIfAbsent((int) px.applyAsDouble(p), k -> new long[] {v, v, v, v});
            seen[1] = Math.min(seen[1], v);
            seen[2] = Math.max(seen[2], v);
            seen[3] = v;
          }
        }
        StringJoiner points = new StringJoiner(" ");
        pixels.forEach(
            (at, seen) -> {
              boolean rising = seen[0] <= seen[3];
              for (long v :
                  new long[] {seen[0], seen[rising ? 1 : 2], seen[rising ? 2 : 1], seen[3]}) {
                points.add(at + "," + fmt(py.applyAsDouble(v)));
              }
            });
        svg.append("<polyline points=\"")
            .append(points)
            .append('"')
            .append(stroke(s, row))
            .append(" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n");
        for (int p = 0; row > 0 && p < n(); p++) {
          if (trace.passes.get(p).cell(row).contains("paused")) {
            dot(px.applyAsDouble(p), py.applyAsDouble(trace.passes.get(p).queued[row]));
          }
        }
      }
      return bottom + 34;
    }

    int n() {
      return trace.passes.size();
    }

    String stroke(int s, int row) {
      return row == 0
          ? " fill=\"none\" stroke=\"" + RED + "\" stroke-dasharray=\"6 3\""
          : " fill=\"none\" stroke=\"" + SERIES[s % SERIES.length] + "\"";
    }

    // What the picture's marks mean, in the page's language: only the marks it has.
    double legend(double top, int width, boolean chart) {
      List<String> marks = new ArrayList<>(List.of("accept", "read", "grey", "box", "ready"));
      if (trace.writes > 0) {
        marks.add("write");
      }
      if (columns.stream().anyMatch(c -> c != null && c.repeats() > 1)) {
        marks.add("runs");
      }
      if (trace.lost > 0) {
        marks.add("lost");
      }
      if (chart) {
        marks.add("chart");
      }
      double y = top;
      path("M" + at(MARGIN, y - 6) + "H" + (width - MARGIN), LANE_RULE);
      for (String item : (chinese ? LEGEND_ZH : LEGEND).split("\n")) {
        String mark = item.substring(0, item.indexOf(' '));
        if (marks.contains(mark)) {
          int lane = List.of("accept", "read", "write", "grey", "lost").indexOf(mark);
          if (lane >= 0) {
            rect(
                MARGIN,
                y + 2,
                26,
                5,
                " fill=\"" + (lane < 3 ? LANES[lane] : lane == 3 ? TRACK : RED) + "\"");
          } else if (mark.equals("box")) {
            rect(MARGIN, y - 6, 26, 14, BOX);
          }
          double tx = lane >= 0 || mark.equals("box") ? MARGIN + 34 : MARGIN;
          for (String line :
              wrapLegend(item.substring(item.indexOf(' ')).strip(), width - MARGIN - tx)) {
            text(tx, y + 7, line, "");
            y += 17;
          }
        }
      }
      return y;
    }

    void text(double x, double y, String text, String style) {
      svg.append(
          "<text x=\"%s\" y=\"%s\"%s>%s</text>\n".formatted(fmt(x), fmt(y), style, escape(text)));
    }

    void rect(double x, double y, double w, double h, String style) {
      svg.append(
          "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"%s/>\n"
              .formatted(fmt(x), fmt(y), fmt(w), fmt(h), style));
    }

    void path(String d, String style) {
      svg.append("<path d=\"").append(d).append('"').append(style).append("/>\n");
    }

    void dot(double x, double y) {
      svg.append(
          "<circle cx=\"%s\" cy=\"%s\" r=\"3.5\" fill=\"%s\"/>\n".formatted(fmt(x), fmt(y), TEXT));
    }
  }

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
      chart  the chart: bytes after each pass, for each line named above it; the trace has no clock, \
      so passes are its time""";
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
  private static final String LANE_GREY = " fill=\"none\" stroke=\"#59636e\"";
  private static final String LANE_RULE = " fill=\"none\" stroke=\"" + RULE + "\"";
  private static final String LANE_TRACK = " fill=\"none\" stroke=\"" + TRACK + "\"";

  // Legend lines: English breaks at spaces, Chinese between any two characters.
  private static List<String> wrapLegend(String text, double room) {
    List<String> lines = new ArrayList<>(List.of(""));
    for (String unit : text.split("(?<=[ \\p{IsHan}，；：（）、。])|(?=[\\p{IsHan}（])")) {
      String line = lines.get(lines.size() - 1);
      if (!line.isEmpty() && width(line + unit.stripTrailing()) > room) {
        lines.set(lines.size() - 1, line.stripTrailing());
        lines.add(unit);
      } else {
        lines.set(lines.size() - 1, line + unit);
      }
    }
    return lines;
  }

  // A 12 px sans-serif line's width, generously: a Chinese character is a full em.
  private static double width(String line) {
    return line.codePoints().mapToDouble(c -> c >= 0x2E80 ? 12 : 6.8).sum();
  }

  // Formats as every machine does: no locale's digits in a picture.
  private static String format(String template, Object... values) {
    return String.format(Locale.ROOT, template, values);
  }

  private static String at(double x, double y) {
    return fmt(x) + " " + fmt(y);
  }

  private static String bytes(long n) {
    if (n >= 1 << 20 && n % (1 << 19) == 0) {
      return (n >> 20) + (n % (1 << 20) == 0 ? "" : ".5") + " MiB";
    }
    return n >= 1024 && n % 1024 == 0 ? (n >> 10) + " KiB" : n + " B";
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
