/* core/svg.c — histogram, bar and heatmap charts as inline SVG. */
#include "svg.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void nr_html_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void svg_open(FILE *f, const char *id, const char *title, int w, int h)
{
    fprintf(f, "<svg class=\"chart\" id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n<title>",
            id, w, h, w, h);
    nr_html_escape(f, title);
    fputs("</title>\n", f);
}

int nr_svg_histogram(FILE *f, const char *id, const char *title, const double *v,
                     size_t n, int nbins, const char *xlabel)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t finite = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
            finite++;
        }
    if (!finite)
        return 0;
    if (nbins <= 0)
        nbins = (int)ceil(sqrt((double)finite));
    if (nbins > 40)
        nbins = 40;
    if (nbins < 1 || hi == lo)
        nbins = 1;
    size_t *count = calloc((size_t)nbins, sizeof *count);
    if (!count)
        return 0;
    double width = hi > lo ? (hi - lo) / nbins : 1.0;
    size_t peak = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        int b = hi > lo ? (int)((v[i] - lo) / width) : 0;
        if (b >= nbins)
            b = nbins - 1;
        if (++count[b] > peak)
            peak = count[b];
    }
    const int W = 640, H = 280, L = 50, R = 20, T = 30, B = 50;
    const double pw = W - L - R, ph = H - T - B;
    svg_open(f, id, title, W, H);
    fprintf(f, "<text x=\"%d\" y=\"18\" class=\"ctitle\">", L);
    nr_html_escape(f, title);
    fputs("</text>\n", f);
    for (int b = 0; b < nbins; b++) {
        double bh = peak ? ph * (double)count[b] / (double)peak : 0;
        double x = L + pw * b / nbins;
        fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                   "<title>[%.4g, %.4g): %zu</title></rect>\n",
                x + 1, T + ph - bh, pw / nbins - 2 > 1 ? pw / nbins - 2 : 1, bh,
                lo + width * b, lo + width * (b + 1), count[b]);
    }
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n", L,
            T + ph, L + pw, T + ph);
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.0f\"/>\n", L, T, L,
            T + ph);
    fprintf(f, "<text x=\"%d\" y=\"%.0f\" class=\"tick\">%.4g</text>\n", L, T + ph + 16, lo);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"tick\" text-anchor=\"end\">%.4g</text>\n",
            L + pw, T + ph + 16, hi);
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%zu</text>\n", L - 6,
            T + 10, peak);
    fprintf(f, "<text x=\"%.0f\" y=\"%d\" class=\"label\" text-anchor=\"middle\">", L + pw / 2,
            H - 10);
    nr_html_escape(f, xlabel);
    fputs(" (count per bin)</text>\n</svg>\n", f);
    free(count);
    return nbins;
}

int nr_svg_hbars(FILE *f, const char *id, const char *title,
                 const char *const *labels, const double *v, size_t n, const char *unit)
{
    if (!n)
        return 0;
    double peak = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] > 0) {
            peak = v[i] > peak ? v[i] : peak;
            total += v[i];
        }
    const int W = 760, L = 230, R = 170, T = 30, BH = 18;
    const int H = T + (int)n * (BH + 4) + 10;
    const double pw = W - L - R;
    svg_open(f, id, title, W, H);
    fprintf(f, "<text x=\"4\" y=\"18\" class=\"ctitle\">");
    nr_html_escape(f, title);
    fputs("</text>\n", f);
    for (size_t i = 0; i < n; i++) {
        double val = isfinite(v[i]) && v[i] > 0 ? v[i] : 0;
        double bw = peak > 0 ? pw * val / peak : 0;
        int y = T + (int)i * (BH + 4);
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">", L - 6,
                y + BH - 5);
        nr_html_escape(f, labels[i]);
        fprintf(f, "</text>\n<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\">"
                   "<title>", L, y, bw, BH);
        nr_html_escape(f, labels[i]);
        fprintf(f, ": %.6g ", val);
        nr_html_escape(f, unit);
        fprintf(f, "</title></rect>\n<text x=\"%.1f\" y=\"%d\" class=\"tick\">%.4g ", L + bw + 4,
                y + BH - 5, val);
        nr_html_escape(f, unit);
        fprintf(f, " (%.1f %%)</text>\n", total > 0 ? 100.0 * val / total : 0.0);
    }
    fputs("</svg>\n", f);
    return (int)n;
}

int nr_svg_heatmap(FILE *f, const char *id, const char *title, const uint64_t *m, int n)
{
    if (n <= 0)
        return 0;
    int cell = 480 / n;
    if (cell > 40)
        cell = 40;
    if (cell < 4)
        cell = 4;
    const int L = 60, T = 50;
    const int W = L + cell * n + 20 > 420 ? L + cell * n + 20 : 420, H = T + cell * n + 40;
    svg_open(f, id, title, W, H);
    fprintf(f, "<text x=\"4\" y=\"18\" class=\"ctitle\">");
    nr_html_escape(f, title);
    fputs("</text>\n", f);
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"middle\">predicted"
               "</text>\n", L + cell * n / 2, T - 22);
    fprintf(f, "<text x=\"14\" y=\"%d\" class=\"label\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 14 %d)\">true label</text>\n",
            T + cell * n / 2, T + cell * n / 2);
    int cells = 0;
    for (int r = 0; r < n; r++) {
        uint64_t row = 0;
        for (int c = 0; c < n; c++)
            row += m[(size_t)r * (size_t)n + (size_t)c];
        for (int c = 0; c < n; c++) {
            uint64_t v = m[(size_t)r * (size_t)n + (size_t)c];
            double share = row ? (double)v / (double)row : 0;
            int shade = 255 - (int)(share * 200);
            fprintf(f, "<rect class=\"cell\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                       "fill=\"rgb(%d,%d,255)\"><title>true %d, predicted %d: %" PRIu64
                       " (%.1f %% of row)</title></rect>\n",
                    L + c * cell, T + r * cell, cell, cell, shade, shade, r, c, v, share * 100);
            if (n <= 20 && v)
                fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"cnum\" text-anchor=\"middle\">%"
                           PRIu64 "</text>\n", L + c * cell + cell / 2, T + r * cell + cell / 2 + 4, v);
            cells++;
        }
        if (n <= 40)
            fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%d</text>\n",
                    L - 4, T + r * cell + cell / 2 + 4, r);
    }
    for (int c = 0; c < n && n <= 40; c++)
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%d</text>\n",
                L + c * cell + cell / 2, T - 6, c);
    fputs("</svg>\n", f);
    return cells;
}
