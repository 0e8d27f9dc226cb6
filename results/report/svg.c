/* core/svg.c — histogram, bar and heatmap charts as inline SVG. */
#include "report/svg.h"

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

/* Estimated advance width in px of the UTF-8 text s[0..n) at font size `px`
 * (DejaVu Sans metrics, the font system-ui resolves to on our Debian hosts,
 * rounded up so that other sans fonts fit too).  Used to size label columns
 * and margins so that no text is clipped by the viewBox. */
static double text_wn(const char *s, size_t n, double px, int bold)
{
    double em = 0;
    for (size_t i = 0; s && i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue; /* UTF-8 continuation byte */
        if (c >= 0x80)
            em += 0.9;
        else if (strchr(" .,:;|!'ijl", c))
            em += 0.36;
        else if (strchr("ft()[]{}/\\-r", c))
            em += 0.45;
        else if (strchr("mwMW%@", c))
            em += 1.0;
        else if (strchr("=+<>~#&", c))
            em += 0.86;
        else if (c >= 'A' && c <= 'Z')
            em += 0.74;
        else if (c == '_')
            em += 0.52;
        else
            em += 0.64; /* digits, lower case and the rest */
    }
    return em * px * (bold ? 1.15 : 1.0);
}

static double text_w(const char *s, double px, int bold)
{
    return text_wn(s, s ? strlen(s) : 0, px, bold);
}

static void esc_n(FILE *f, const char *s, size_t n)
{
    char buf[256];
    while (n) {
        size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
        memcpy(buf, s, k);
        buf[k] = 0;
        nr_html_escape(f, buf);
        s += k;
        n -= k;
    }
}

/* Length in bytes of the UTF-8 character starting at s. */
static size_t u8len(const char *s)
{
    size_t k = 1;
    while (s[k] && ((unsigned char)s[k] & 0xC0) == 0x80)
        k++;
    return k;
}

enum { TITLE_PX = 13, TITLE_LINE = 17, TITLE_Y = 18 };

/* Chart title at (x, 18), wrapped at spaces into lines of at most maxw px
 * (a word longer than a line is cut between characters).  With f == NULL
 * only counts.  Returns the number of lines (>= 1). */
static int title_text(FILE *f, int x, double maxw, const char *title)
{
    const char *p = title ? title : "";
    int lines = 0;
    if (f)
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"ctitle\">", x, TITLE_Y);
    do {
        while (*p == ' ')
            p++;
        /* longest run of whole words that fits, at least one character */
        size_t end = 0, fit = 0;
        for (;;) {
            size_t w = end;
            while (p[w] == ' ')
                w++;
            while (p[w] && p[w] != ' ')
                w++;
            if (w == end || (fit && text_wn(p, w, TITLE_PX, 1) > maxw))
                break;
            if (text_wn(p, w, TITLE_PX, 1) > maxw) { /* one word too long */
                size_t k = 0;
                while (p[k] && text_wn(p, k + u8len(p + k), TITLE_PX, 1) <= maxw)
                    k += u8len(p + k);
                fit = k ? k : u8len(p);
                break;
            }
            end = fit = w;
        }
        if (f) {
            fprintf(f, "<tspan x=\"%d\" y=\"%d\">", x, TITLE_Y + lines * TITLE_LINE);
            esc_n(f, p, fit);
            fputs("</tspan>", f);
        }
        p += fit;
        lines++;
        while (*p == ' ')
            p++;
    } while (*p);
    if (f)
        fputs("</text>\n", f);
    return lines;
}

/* Write `label` right-aligned at (x, y), shortened in the middle with an
 * ellipsis when wider than maxw px; the full text is then its <title>. */
static void clipped_label(FILE *f, int x, int y, const char *label, double maxw)
{
    size_t n = strlen(label);
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">", x, y);
    if (text_wn(label, n, 11, 0) <= maxw) {
        nr_html_escape(f, label);
    } else {
        /* keep a head and a tail, each about half of what fits */
        double half = (maxw - text_w("\xe2\x80\xa6", 11, 0)) / 2;
        size_t head = 0, tail = n;
        while (label[head] && text_wn(label, head + u8len(label + head), 11, 0) <= half)
            head += u8len(label + head);
        while (tail > head) {
            size_t t = tail - 1;
            while (t > head && ((unsigned char)label[t] & 0xC0) == 0x80)
                t--;
            if (text_wn(label + t, n - t, 11, 0) > half)
                break;
            tail = t;
        }
        fputs("<title>", f);
        nr_html_escape(f, label);
        fputs("</title>", f);
        esc_n(f, label, head);
        fputs("\xe2\x80\xa6", f);
        esc_n(f, label + tail, n - tail);
    }
    fputs("</text>\n", f);
}

static void svg_open(FILE *f, const char *id, const char *title, int w, int h)
{
    fprintf(f, "<svg class=\"chart\" id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n<title>",
            id, w, h, w, h);
    nr_html_escape(f, title);
    fputs("</title>\n", f);
}

typedef struct svg_hist {
    double lo, hi, width;
    size_t finite, peak;
    int nbins;
    size_t *count;
} svg_hist;

static void svg_hist_range(void *acc, double v)
{
    svg_hist *h = acc;
    if (!isfinite(v))
        return;
    h->lo = v < h->lo ? v : h->lo;
    h->hi = v > h->hi ? v : h->hi;
    h->finite++;
}

static void svg_hist_bin(void *acc, double v)
{
    svg_hist *h = acc;
    if (!isfinite(v))
        return;
    int b = h->hi > h->lo ? (int)((v - h->lo) / h->width) : 0;
    if (b >= h->nbins)
        b = h->nbins - 1;
    if (++h->count[b] > h->peak)
        h->peak = h->count[b];
}

typedef struct svg_array {
    const double *v;
    size_t n;
} svg_array;

static int svg_array_each(void *ctx, void (*fn)(void *acc, double v), void *acc)
{
    const svg_array *a = ctx;
    for (size_t i = 0; i < a->n; i++)
        fn(acc, a->v[i]);
    return 0;
}

int nr_svg_histogram(FILE *f, const char *id, const char *title, const double *v,
                     size_t n, int nbins, const char *xlabel)
{
    svg_array a = { v, n };
    return nr_svg_histogram_each(f, id, title, svg_array_each, &a, nbins, xlabel);
}

int nr_svg_histogram_each(FILE *f, const char *id, const char *title,
                          int (*each)(void *ctx, void (*fn)(void *acc, double v), void *acc),
                          void *ctx, int nbins, const char *xlabel)
{
    svg_hist h = { .lo = INFINITY, .hi = -INFINITY };
    if (each(ctx, svg_hist_range, &h) != 0 || !h.finite)
        return 0;
    double lo = h.lo, hi = h.hi;
    if (nbins <= 0)
        nbins = (int)ceil(sqrt((double)h.finite));
    if (nbins > 40)
        nbins = 40;
    if (nbins < 1 || hi == lo)
        nbins = 1;
    size_t *count = calloc((size_t)nbins, sizeof *count);
    if (!count)
        return 0;
    double width = hi > lo ? (hi - lo) / nbins : 1.0;
    h.nbins = nbins;
    h.width = width;
    h.count = count;
    if (each(ctx, svg_hist_bin, &h) != 0) {
        free(count);
        return 0;
    }
    size_t peak = h.peak;
    /* Left margin fits the peak count, width fits the axis label; the
     * title wraps to the width. */
    char peak_s[32], axis_s[256];
    snprintf(peak_s, sizeof peak_s, "%zu", peak);
    snprintf(axis_s, sizeof axis_s, "%s (count per bin)", xlabel ? xlabel : "");
    const int L = 50 > (int)ceil(text_w(peak_s, 11, 0)) + 14 ? 50
                                                              : (int)ceil(text_w(peak_s, 11, 0)) + 14;
    const int axis_w = (int)ceil(text_w(axis_s, 12, 0)) + 16;
    const int R = 20, B = 50;
    const int W = L + 570 + R > axis_w ? L + 570 + R : axis_w;
    const int lines = title_text(NULL, 4, W - 8, title);
    const int T = 30 + (lines - 1) * TITLE_LINE, H = T + 200 + B;
    const double pw = W - L - R, ph = H - T - B;
    svg_open(f, id, title, W, H);
    title_text(f, 4, W - 8, title);
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
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%s</text>\n", L - 6,
            T + 10, peak_s);
    /* centred on the plot when it fits there, else on the chart */
    double cx = L + pw / 2;
    if (cx - axis_w / 2.0 < 0 || cx + axis_w / 2.0 > W)
        cx = W / 2.0;
    fprintf(f, "<text x=\"%.0f\" y=\"%d\" class=\"label\" text-anchor=\"middle\">", cx, H - 10);
    nr_html_escape(f, axis_s);
    fputs("</text>\n</svg>\n", f);
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
    /* Label column as wide as the widest label (longer ones are shortened
     * with an ellipsis, full text in a tooltip), right margin as wide as
     * the widest value label, the title wrapped to the chart width. */
    enum { LABEL_MAX = 340, PW = 360, BH = 18 };
    char (*vlab)[96] = malloc(n * sizeof *vlab);
    if (!vlab)
        return 0;
    double lw = 0, vw = 0;
    for (size_t i = 0; i < n; i++) {
        double val = isfinite(v[i]) && v[i] > 0 ? v[i] : 0;
        snprintf(vlab[i], sizeof vlab[i], "%.4g %.40s (%.1f %%)", val, unit ? unit : "",
                 total > 0 ? 100.0 * val / total : 0.0);
        double w = text_w(labels[i], 11, 0);
        lw = w > lw ? w : lw;
        w = text_w(vlab[i], 11, 0);
        vw = w > vw ? w : vw;
    }
    if (lw > LABEL_MAX)
        lw = LABEL_MAX;
    const int L = 8 + (int)ceil(lw) + 6, R = 4 + (int)ceil(vw) + 8;
    const int W = L + PW + R > 480 ? L + PW + R : 480;
    const int lines = title_text(NULL, 4, W - 8, title);
    const int T = 30 + (lines - 1) * TITLE_LINE;
    const int H = T + (int)n * (BH + 4) + 10;
    const double pw = PW;
    svg_open(f, id, title, W, H);
    title_text(f, 4, W - 8, title);
    for (size_t i = 0; i < n; i++) {
        double val = isfinite(v[i]) && v[i] > 0 ? v[i] : 0;
        double bw = peak > 0 ? pw * val / peak : 0;
        int y = T + (int)i * (BH + 4);
        clipped_label(f, L - 6, y + BH - 5, labels[i], lw);
        fprintf(f, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\">"
                   "<title>", L, y, bw, BH);
        nr_html_escape(f, labels[i]);
        fprintf(f, ": %.6g ", val);
        nr_html_escape(f, unit);
        fprintf(f, "</title></rect>\n<text x=\"%.1f\" y=\"%d\" class=\"tick\">", L + bw + 4,
                y + BH - 5);
        nr_html_escape(f, vlab[i]);
        fputs("</text>\n", f);
    }
    free(vlab);
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
    const int L = 60, W = L + cell * n + 20 > 420 ? L + cell * n + 20 : 420;
    /* title (wrapped to the width), then "predicted", then the column ticks */
    const int lines = title_text(NULL, 4, W - 8, title);
    const int T = 58 + (lines - 1) * TITLE_LINE, H = T + cell * n + 40;
    svg_open(f, id, title, W, H);
    title_text(f, 4, W - 8, title);
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"middle\">predicted"
               "</text>\n", L + cell * n / 2, T - 22);
    fprintf(f, "<text x=\"14\" y=\"%d\" class=\"label\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 14 %d)\">true label</text>\n",
            T + cell * n / 2, T + cell * n / 2);
    /* class numbers shrink to fit their cell (an inline style: the class
     * rule would win over a font-size attribute) */
    char num[24];
    snprintf(num, sizeof num, "%d", n - 1);
    double tick_px = (cell - 1) / text_w(num, 1, 0);
    tick_px = tick_px > 11 ? 11 : tick_px;
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
            if (n <= 20 && v) {
                snprintf(num, sizeof num, "%" PRIu64, v);
                double px = (cell - 3) / text_w(num, 1, 0);
                px = px > 10 ? 10 : px;
                if (px >= 6)
                    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"cnum\" text-anchor=\"middle\" "
                               "style=\"font-size:%.1fpx\">%s</text>\n",
                            L + c * cell + cell / 2, T + r * cell + cell / 2 + (int)(px * 0.4), px,
                            num);
            }
            cells++;
        }
        if (n <= 40)
            fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\" "
                       "style=\"font-size:%.1fpx\">%d</text>\n",
                    L - 4, T + r * cell + cell / 2 + (int)(tick_px * 0.4), tick_px, r);
    }
    for (int c = 0; c < n && n <= 40; c++)
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\" "
                   "style=\"font-size:%.1fpx\">%d</text>\n",
                L + c * cell + cell / 2, T - 6, tick_px, c);
    fputs("</svg>\n", f);
    return cells;
}
