package dev.runnel.bench.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the raw outputs of one scenario's runs (the load tool's {@code RESULT} lines, see
 * {@code LoadTool}) into a Markdown report and a PNG chart: one table row per server and metric with
 * the median, minimum and maximum over the runs, and the median CPU shares of the load tool, the
 * server and everything else on the machine during those measurements.
 *
 * <pre>
 * java -cp benchmarks.jar dev.runnel.bench.report.Report --scenario NAME --date DATE --command 'CMD'
 *      --out PREFIX RAW_FILE...
 * </pre>
 * Writes {@code PREFIX.md} and {@code PREFIX.png} and prints the table. A raw file's lines starting
 * with {@code # } are its header (the load tool's arguments, the time, versions), printed as the
 * commands; everything else but {@code RESULT} lines is left to the raw file.
 */
public final class Report {

    private static final Pattern FIELD = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|(\\S+))");

    /** What each kind of scenario measures, by the load tool's first argument. */
    private static final Map<String, String> ABOUT = Map.of(
            "fanout", "N subscribers on one topic. Single events first, one at a time (median over them of the"
                    + " p50, p99 and last subscriber's publish-to-receive time); then the publish rate is stepped up"
                    + " until an event is lost, a connection drops or p99 passes 1 s (twice in a row). Deliveries/s"
                    + " = events received by all subscribers together, per second; the figure is the best step"
                    + " that kept p99 under 1 s with nothing lost. The first events after the server started are"
                    + " measured apart (\"cold\"); \"publish call\" is the publish request's own time, sending to"
                    + " answer; a \"back to back\" step publishes the next event as soon as a place in flight is free."
                    + " When the floor ran (a bare NIO writer, `FloorServer`), \"x floor\" is each median over the floor's.",
            "idle", "N idle subscribers on one topic: the server's resident memory (the whole process tree)"
                    + " and, for JVMs, heap in use after a full GC, each less the figure at 0 connections, per"
                    + " connection.",
            "stream", "One connection; the server makes N small events itself (`tok0`, `tok1`, ...) as fast as"
                    + " the connection takes them (a producer inside the server, no publish requests). Events/s"
                    + " from the first event to the last; a warm-up stream before it is not counted.",
            "connect", "Rounds of new connections, at most 256 connecting at once: connections per second"
                    + " over all rounds and the time from `connect()` to the response's `200` head.");

    private record Line(String server, Map<String, String> fields) {
        double number(String key) {
            String v = fields.get(key);
            if (v == null || v.equals("n/a")) {
                return Double.NaN;
            }
            return Double.parseDouble(v);
        }
    }

    /** Values of one metric for one server, one per run, with the CPU shares measured with them. */
    private static final class Cell {
        final List<Double> values = new ArrayList<>();
        final List<Double> tool = new ArrayList<>();
        final List<Double> server = new ArrayList<>();
        final List<Double> other = new ArrayList<>();
        boolean chart;
    }

    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<Path> files = new ArrayList<>();
    private final Set<String> servers = new LinkedHashSet<>();
    private final Map<String, Map<String, Cell>> cells = new LinkedHashMap<>(); // metric -> server -> cell
    private final Map<String, Map<String, Integer>> notes = new LinkedHashMap<>(); // server -> note -> runs
    private final Map<String, Map<Double, List<double[]>>> ramp = new LinkedHashMap<>(); // server -> rate -> (x, y)
    private final Map<String, Integer> runs = new LinkedHashMap<>();
    private final Set<String> headers = new LinkedHashSet<>();
    private String kind = "";

    public static void main(String[] args) throws IOException {
        Report report = new Report();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                report.options.put(args[i].substring(2), args[++i]);
            } else {
                report.files.add(Path.of(args[i]));
            }
        }
        for (String required : List.of("scenario", "out")) {
            if (!report.options.containsKey(required)) {
                throw new IllegalArgumentException("--" + required + " is required (see Report's Javadoc)");
            }
        }
        for (Path f : report.files) {
            report.read(f);
        }
        String table = report.table();
        Path out = Path.of(report.options.get("out"));
        Path png = Path.of(out + ".png");
        boolean charted = report.chart(png);
        Files.writeString(Path.of(out + ".md"), report.markdown(table, charted ? png.getFileName().toString() : null),
                StandardCharsets.UTF_8);
        System.out.printf("%n## %s%n%n%s", report.options.get("scenario"), table);
    }

    // ---- reading

    private void read(Path file) throws IOException {
        Set<String> seen = new LinkedHashSet<>();
        for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (text.startsWith("# ")) {
                if (kind.isEmpty()) {
                    kind = text.substring(2).split(" ", 2)[0];
                }
                // a header line without the run's own time, load and pid, so equal commands fold into one
                if (!text.startsWith("# load ") && !text.matches("# \\d{4}-.*")) {
                    headers.add(text.substring(2).replaceAll("--server-pid \\d+", "--server-pid PID"));
                }
                continue;
            }
            if (!text.startsWith("RESULT ")) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher m = FIELD.matcher(text.substring(7));
            while (m.find()) {
                fields.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
            }
            Line line = new Line(fields.getOrDefault("server", "?"), fields);
            servers.add(line.server());
            seen.add(line.server());
            if (fields.containsKey("note")) {
                notes.computeIfAbsent(line.server(), k -> new LinkedHashMap<>()).merge(fields.get("note"), 1, Integer::sum);
            } else if ("ramp".equals(fields.get("point"))) {
                ramp.computeIfAbsent(line.server(), k -> new TreeMap<>())
                        .computeIfAbsent(line.number("rate"), k -> new ArrayList<>())
                        .add(new double[] {line.number("x"), line.number("y")});
            } else if (fields.containsKey("metric")) {
                Cell cell = cells.computeIfAbsent(fields.get("metric"), k -> new LinkedHashMap<>())
                        .computeIfAbsent(line.server(), k -> new Cell());
                cell.values.add(line.number("value"));
                addIfKnown(cell.tool, line.number("tool_cpu"));
                addIfKnown(cell.server, line.number("server_cpu"));
                addIfKnown(cell.other, line.number("other_cpu"));
                cell.chart |= "yes".equals(fields.get("chart"));
            }
        }
        for (String server : seen) {
            runs.merge(server, 1, Integer::sum);
        }
    }

    private static void addIfKnown(List<Double> list, double v) {
        if (!Double.isNaN(v)) {
            list.add(v);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 1 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, pattern, v);
    }

    private static String percent(List<Double> shares) {
        return shares.isEmpty() ? "" : String.format(Locale.ROOT, "%.0f%%", median(shares));
    }

    // ---- writing

    /** The server every other is compared with when it ran: the bare NIO writer ({@code FloorServer}). */
    static final String FLOOR = "floor";

    private String table() {
        boolean floor = servers.contains(FLOOR);
        StringBuilder b = new StringBuilder();
        b.append("| server | metric | median | min | max | runs |").append(floor ? " x floor |" : "")
                .append(" load tool CPU | server CPU | other CPU |\n");
        b.append("|---|---|---:|---:|---:|---:|").append(floor ? "---:|" : "").append("---:|---:|---:|\n");
        for (var metric : cells.entrySet()) {
            Cell floorCell = metric.getValue().get(FLOOR);
            double floorMedian = floorCell == null ? Double.NaN : median(floorCell.values);
            for (String server : servers) {
                Cell c = metric.getValue().get(server);
                if (c == null) {
                    continue;
                }
                // the ratio of the medians: 1.25 = a quarter more than the floor (slower, or more for throughput)
                String ratio = floor ? (Double.isNaN(floorMedian) || floorMedian == 0 ? " - |"
                        : String.format(Locale.ROOT, " %.2f |", median(c.values) / floorMedian)) : "";
                b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d/%d |%s %s | %s | %s |%n", server,
                        metric.getKey(), format(median(c.values)),
                        format(c.values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN)),
                        format(c.values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)),
                        c.values.size(), runs.getOrDefault(server, 0), ratio, percent(c.tool), percent(c.server), percent(c.other)));
            }
        }
        if (cells.isEmpty()) {
            b.append("| (no results) | | | | | | | | |\n");
        }
        StringBuilder n = new StringBuilder();
        for (var server : notes.entrySet()) {
            for (var note : server.getValue().entrySet()) {
                n.append(String.format(Locale.ROOT, "- %s: %s (%d of %d runs)%n", server.getKey(), note.getKey(),
                        note.getValue(), runs.getOrDefault(server.getKey(), 0)));
            }
        }
        // the tool reads on one selector thread: near a whole core, it may be what limits the figure
        double oneCore = 100.0 / Runtime.getRuntime().availableProcessors();
        for (var metric : cells.entrySet()) {
            for (var cell : metric.getValue().entrySet()) {
                double tool = median(cell.getValue().tool);
                if (tool >= 0.9 * oneCore) {
                    n.append(String.format(Locale.ROOT, "- %s: %s: the load tool used %.0f%% of the machine (one core"
                            + " is %.0f%%): this figure may be the tool's limit%n", cell.getKey(), metric.getKey(), tool, oneCore));
                }
            }
        }
        return n.isEmpty() ? b.toString() : b + "\n" + n;
    }

    private String markdown(String table, String png) throws IOException {
        String scenario = options.get("scenario");
        StringBuilder b = new StringBuilder();
        b.append("# ").append(scenario).append(": ").append(String.join(", ", servers)).append("\n\n");
        b.append(ABOUT.getOrDefault(kind, "")).append("\n\n");
        b.append("- Date: ").append(options.getOrDefault("date", "?")).append('\n');
        b.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(memory()).append(", Linux ").append(read("/proc/sys/kernel/osrelease")).append('\n');
        b.append("- JDK (servers, load tool, this report): ").append(System.getProperty("java.vm.vendor")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        b.append("- Command: `").append(options.getOrDefault("command", "?")).append("`; raw outputs: ")
                .append(files.isEmpty() ? "none" : "`" + files.get(0).getParent() + "/`").append('\n');
        b.append("\nThe figures are medians over the runs; the CPU columns are the median shares of both cores used")
                .append(" during those measurements by the load tool, the server and everything else on the machine.")
                .append(" A high `other CPU` means a noisy measurement; a load tool near 50% (one core) may be the limit.\n\n");
        b.append(table).append('\n');
        if (png != null) {
            b.append("![").append(scenario).append("](").append(png).append(")\n\n");
        }
        b.append("Load tool arguments and versions, from the raw files' headers:\n\n```\n");
        headers.forEach(h -> b.append(h).append('\n'));
        b.append("```\n");
        return b.toString();
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memory() {
        for (String line : read("/proc/meminfo").split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return String.format(Locale.ROOT, "%.0f GiB", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
            }
        }
        return "? GiB";
    }

    // ---- chart

    private static final Color[] PALETTE = {new Color(0x3b6fd8), new Color(0xe8a33d), new Color(0x8e5cc4),
        new Color(0x3fae5a), new Color(0xd0504a), new Color(0x5a5a5a)};

    /** The same colour for a server in every chart of every scenario (servers keep the order they are given in). */
    private Color color(String server) {
        return PALETTE[List.copyOf(servers).indexOf(server) % PALETTE.length];
    }

    /**
     * One bar per server for a metric, the median of its runs, with markers at the runs' min and max
     * (each bar is its own series, overlapped, so a server keeps its colour; missing ones are 0).
     */
    private CategoryChart bars(String metric) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(450)
                .title(options.get("scenario") + ": median of the runs; markers: min and max")
                .yAxisTitle(metric).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setMarkerSize(9);
        Map<String, Cell> byServer = cells.get(metric);
        List<String> shown = servers.stream().filter(byServer::containsKey).toList();
        for (String server : shown) {
            List<Double> y = shown.stream().map(s -> s.equals(server) ? median(byServer.get(s).values) : 0.0).toList();
            chart.addSeries(server, shown, y).setFillColor(color(server));
        }
        List<Double> min = shown.stream().map(s -> byServer.get(s).values.stream().mapToDouble(Double::doubleValue).min().orElse(0)).toList();
        List<Double> max = shown.stream().map(s -> byServer.get(s).values.stream().mapToDouble(Double::doubleValue).max().orElse(0)).toList();
        for (var range : List.of(Map.entry("min of the runs", min), Map.entry("max of the runs", max))) {
            CategorySeries markers = chart.addSeries(range.getKey(), shown, range.getValue());
            markers.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            markers.setMarkerColor(Color.BLACK);
            markers.setMarker(range.getKey().startsWith("min") ? SeriesMarkers.TRIANGLE_UP : SeriesMarkers.TRIANGLE_DOWN);
        }
        return chart;
    }

    /** A bar chart per charted metric, and for a ramp a line chart of p99 against deliveries/s. */
    private boolean chart(Path png) throws IOException {
        List<Chart<?, ?>> charts = new ArrayList<>();
        List<String> charted = cells.entrySet().stream()
                .filter(e -> e.getValue().values().stream().anyMatch(c -> c.chart)).map(Map.Entry::getKey).toList();
        for (String metric : charted) {
            charts.add(bars(metric));
        }
        if (!ramp.isEmpty()) {
            XYChart lines = new XYChartBuilder().width(900).height(450)
                    .title(options.get("scenario") + ": p99 against deliveries/s, each ramp step (median of runs)")
                    .xAxisTitle("deliveries/s").yAxisTitle("p99 (ms)").build();
            lines.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            lines.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
            lines.getStyler().setXAxisDecimalPattern("#,##0");
            for (String server : servers) {
                Map<Double, List<double[]>> steps = ramp.get(server);
                if (steps == null) {
                    continue;
                }
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (List<double[]> points : steps.values()) {
                    x.add(median(points.stream().map(p -> p[0]).toList()));
                    y.add(median(points.stream().map(p -> p[1]).toList()));
                }
                var series = lines.addSeries(server, x, y);
                series.setLineColor(color(server));
                series.setMarkerColor(color(server));
            }
            charts.add(lines);
        }
        if (charts.isEmpty()) {
            return false;
        }
        BitmapEncoder.saveBitmap(charts, charts.size(), 1, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }
}
