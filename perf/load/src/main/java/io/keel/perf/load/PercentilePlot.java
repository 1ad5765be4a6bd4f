package io.keel.perf.load;

import org.HdrHistogram.Histogram;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Latency by percentile, every scenario of the run on one chart (x: 0 → 99.999 % on the usual
 * log "nines" scale; y: µs, log scale): {@code percentiles.png} and {@code percentiles.html} (SVG).
 */
final class PercentilePlot
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int MARGIN = 60;
    private static final double MAX_NINES = 5; // 99.999 %
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private PercentilePlot()
    {
    }

    static void write(final File outDir, final Map<String, LoadGenerator.Result> results) throws IOException
    {
        double maxMicros = 1;
        for (final LoadGenerator.Result r : results.values())
        {
            maxMicros = Math.max(maxMicros, r.histogram().getMaxValue() / 1000.0);
        }
        final double yMax = Math.log10(maxMicros * 2);
        final double yMin = Math.log10(1);

        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.LIGHT_GRAY);
        final StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
            "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='12'>" +
            "<rect width='100%%' height='100%%' fill='white'/>", WIDTH, HEIGHT));
        for (int nines = 0; nines <= MAX_NINES; nines++)
        {
            final int x = x(nines);
            final String label = nines == 0 ? "0%" : String.format(Locale.ROOT, "%s%%", percentileLabel(nines));
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(x, MARGIN, x, HEIGHT - MARGIN);
            g.setColor(Color.DARK_GRAY);
            g.drawString(label, x - 12, HEIGHT - MARGIN + 16);
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#ddd'/>" +
                "<text x='%d' y='%d'>%s</text>", x, MARGIN, x, HEIGHT - MARGIN, x - 12, HEIGHT - MARGIN + 16, label));
        }
        for (int decade = 0; decade <= (int)Math.ceil(yMax); decade++)
        {
            final int y = y(decade, yMin, yMax);
            final String label = (long)Math.pow(10, decade) + " µs";
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(MARGIN, y, WIDTH - MARGIN, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(label, 4, y + 4);
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#ddd'/>" +
                "<text x='4' y='%d'>%s</text>", MARGIN, y, WIDTH - MARGIN, y, y + 4, label));
        }
        int index = 0;
        g.setStroke(new BasicStroke(2));
        for (final Map.Entry<String, LoadGenerator.Result> entry : results.entrySet())
        {
            final Color color = COLORS[index % COLORS.length];
            final Histogram h = entry.getValue().histogram();
            final StringBuilder points = new StringBuilder();
            int lastX = -1;
            int lastY = -1;
            for (double nines = 0; nines <= MAX_NINES; nines += 0.05)
            {
                final double percentile = 100.0 * (1 - Math.pow(10, -nines));
                final double micros = Math.max(1, h.getValueAtPercentile(percentile) / 1000.0);
                final int x = x(nines);
                final int y = y(Math.log10(micros), yMin, yMax);
                if (lastX >= 0)
                {
                    g.setColor(color);
                    g.drawLine(lastX, lastY, x, y);
                }
                points.append(x).append(',').append(y).append(' ');
                lastX = x;
                lastY = y;
            }
            final String hex = String.format("#%06x", color.getRGB() & 0xFFFFFF);
            svg.append("<polyline fill='none' stroke-width='2' stroke='").append(hex).append("' points='")
                .append(points).append("'/>");
            final int legendX = WIDTH - MARGIN - 140;
            final int legendY = HEIGHT - MARGIN - 16 * (results.size() - index);
            g.setColor(color);
            g.drawString(entry.getKey(), legendX, legendY);
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='%s'>%s</text>",
                legendX, legendY, hex, entry.getKey()));
            index++;
        }
        g.dispose();
        svg.append("</svg>");
        ImageIO.write(image, "png", new File(outDir, "percentiles.png"));
        Files.writeString(new File(outDir, "percentiles.html").toPath(),
            "<!doctype html><html><head><meta charset='utf-8'><title>keel perf</title></head><body>" +
            "<h1>Latency by percentile</h1>" + svg + "</body></html>", StandardCharsets.UTF_8);
    }

    private static String percentileLabel(final int nines)
    {
        return new String[]{"0", "90", "99", "99.9", "99.99", "99.999"}[nines];
    }

    private static int x(final double nines)
    {
        return MARGIN + (int)((WIDTH - 2 * MARGIN) * nines / MAX_NINES);
    }

    private static int y(final double log10Micros, final double yMin, final double yMax)
    {
        return HEIGHT - MARGIN - (int)((HEIGHT - 2 * MARGIN) * (log10Micros - yMin) / (yMax - yMin));
    }
}
