/* results/report/sweep_html.c — a sweep's self-contained HTML page: the
 * table of every point and three Pareto plots (accuracy or fidelity
 * against latency, RAM and flash) as inline SVG, front points marked and
 * joined.  No script, no network. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_file.h"
#include "report/svg.h"
#include "report/sweep_report.h"

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}"
    "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;text-align:left;"
    "border-bottom:1px solid #eee}th{background:#f4f4f8}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}.bad{color:#b00020;font-weight:600}"
    "tr.front td{background:#fff4e0}"
    "svg.chart{display:inline-block;margin:8px 8px 8px 0;background:#fcfcff;"
    "border:1px solid #e4e4ee}svg .axis{stroke:#444}svg .tick{font-size:11px;fill:#333}"
    "svg .label{font-size:12px;fill:#333}svg .ctitle{font-size:13px;font-weight:600}"
    "svg .pt{fill:#9aa3b8}svg .pt.front{fill:#d8572a}svg .frontline{fill:none;"
    "stroke:#d8572a;stroke-width:1.5}";

static const char *const cost_name[NR_SW_N_COST] = { "latency", "RAM", "flash" };
static const char *const cost_unit[NR_SW_N_COST] = { "ms", "bytes", "bytes" };
static const char *const cost_id[NR_SW_N_COST] = { "pareto-latency", "pareto-ram",
                                                   "pareto-flash" };

static int by_cost(const void *x, const void *y, int k)
{
    const nr_sweep_row *a = *(const nr_sweep_row *const *)x, *b = *(const nr_sweep_row *const *)y;
    return a->cost[k] < b->cost[k] ? -1 : a->cost[k] > b->cost[k] ? 1 : 0;
}
static int by_lat(const void *x, const void *y) { return by_cost(x, y, NR_SW_LAT); }
static int by_ram(const void *x, const void *y) { return by_cost(x, y, NR_SW_RAM); }
static int by_flash(const void *x, const void *y) { return by_cost(x, y, NR_SW_FLASH); }

/* One scatter plot: x = cost k, y = accuracy.  Returns points drawn. */
static int scatter(FILE *f, const nr_sweep_row *rows, size_t n, int k, const char *acc_name)
{
    enum { W = 380, H = 280, L = 56, R = 34, T = 30, B = 44 };
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(rows[i].acc) || isnan(rows[i].cost[k]))
            continue;
        m++;
        x0 = fmin(x0, rows[i].cost[k]);
        x1 = fmax(x1, rows[i].cost[k]);
        y0 = fmin(y0, rows[i].acc);
        y1 = fmax(y1, rows[i].acc);
    }
    if (!m)
        return 0;
    double xs = x1 - x0, ys = y1 - y0;
    if (xs <= 0)
        xs = fabs(x0) > 0 ? fabs(x0) * 0.1 : 1;
    if (ys <= 0)
        ys = fabs(y0) > 0 ? fabs(y0) * 0.02 : 1;
    x0 = x0 >= 0 && x0 - xs * 0.08 < 0 ? 0 : x0 - xs * 0.08; /* costs are never negative */
    x1 += xs * 0.08;
    y0 -= ys * 0.08;
    y1 += ys * 0.08;
#define PX(v) (L + ((v) - x0) / (x1 - x0) * (W - L - R))
#define PY(v) (H - B - ((v) - y0) / (y1 - y0) * (H - T - B))
    fprintf(f, "<svg class=\"chart\" id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
               "<title>%s against %s</title>\n",
            cost_id[k], W, H, W, H, acc_name, cost_name[k]);
    fprintf(f, "<text class=\"ctitle\" x=\"%d\" y=\"18\">%s against %s</text>\n", L, acc_name,
            cost_name[k]);
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
               "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            L, H - B, W - R, H - B, L, T, L, H - B);
    for (int t = 0; t <= 4; t++) {
        double xv = x0 + (x1 - x0) * t / 4, yv = y0 + (y1 - y0) * t / 4;
        fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.4g</text>"
                   "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n",
                PX(xv), H - B + 14, xv, L - 4, PY(yv) + 4, yv);
    }
    fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s (%s)</text>\n",
            (L + W - R) / 2, H - 8, cost_name[k], cost_unit[k]);
    /* The front as a step line, by increasing cost. */
    const nr_sweep_row **fr = malloc(n * sizeof *fr);
    size_t nf = 0;
    for (size_t i = 0; fr && i < n; i++)
        if (rows[i].front[k])
            fr[nf++] = &rows[i];
    if (nf > 1) {
        qsort(fr, nf, sizeof *fr, k == NR_SW_LAT ? by_lat : k == NR_SW_RAM ? by_ram : by_flash);
        fputs("<polyline class=\"frontline\" points=\"", f);
        for (size_t i = 0; i < nf; i++) {
            if (i)
                fprintf(f, "%.1f,%.1f ", PX(fr[i]->cost[k]), PY(fr[i - 1]->acc));
            fprintf(f, "%.1f,%.1f ", PX(fr[i]->cost[k]), PY(fr[i]->acc));
        }
        fputs("\"/>\n", f);
    }
    free(fr);
    for (size_t i = 0; i < n; i++) {
        const nr_sweep_row *r = &rows[i];
        if (isnan(r->acc) || isnan(r->cost[k]))
            continue;
        fprintf(f, "<circle class=\"pt%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%d\"><title>point %d: ",
                r->front[k] ? " front" : "", PX(r->cost[k]), PY(r->acc), r->front[k] ? 5 : 4,
                r->point);
        nr_html_escape(f, r->label);
        fprintf(f, " — %s %.4g, %s %.6g %s%s</title></circle>\n", r->acc_name, r->acc,
                cost_name[k], r->cost[k], cost_unit[k], r->front[k] ? " (Pareto front)" : "");
    }
    fputs("</svg>\n", f);
#undef PX
#undef PY
    return (int)m;
}

static void cell(FILE *f, double v, const char *fmt, int front)
{
    if (isnan(v)) {
        fputs("<td class=\"num\">—</td>", f);
        return;
    }
    fputs("<td class=\"num\">", f);
    fprintf(f, fmt, v);
    fputs(front ? " ★</td>" : "</td>", f);
}

static void table(FILE *f, const nr_sweep_row *rows, size_t n)
{
    fputs("<section id=\"points\"><h2>Points</h2><table id=\"sweep-table\">\n<tr><th>#</th>"
          "<th>settings</th><th>status</th><th>run</th><th>samples</th><th>accuracy</th>"
          "<th>latency p50 "
          "(ms)</th><th>RAM (bytes)</th><th>flash (bytes)</th></tr>\n", f);
    for (size_t i = 0; i < n; i++) {
        const nr_sweep_row *r = &rows[i];
        int any = r->front[0] || r->front[1] || r->front[2];
        fprintf(f, "<tr class=\"point%s\"><td class=\"num\">%d</td><td>", any ? " front" : "",
                r->point);
        nr_html_escape(f, r->label);
        fprintf(f, "</td><td class=\"%s\">", r->complete ? "" : "bad");
        nr_html_escape(f, r->status);
        fputs("</td><td>", f);
        nr_html_escape(f, r->run_id[0] ? r->run_id : "—");
        if (r->run_id[0])
            fprintf(f, "</td><td class=\"num samples\">%llu / %llu</td>",
                    (unsigned long long)r->n_done, (unsigned long long)r->n_planned);
        else
            fputs("</td><td class=\"num samples\">—</td>", f);
        if (isnan(r->acc)) {
            fputs("<td class=\"num\">—</td>", f);
        } else {
            fprintf(f, "<td class=\"num\">%.4f <span class=\"src\">", r->acc);
            nr_html_escape(f, r->acc_name);
            fputs("</span></td>", f);
        }
        cell(f, r->cost[NR_SW_LAT], "%.4g", r->front[NR_SW_LAT]);
        cell(f, r->cost[NR_SW_RAM], "%.0f", r->front[NR_SW_RAM]);
        cell(f, r->cost[NR_SW_FLASH], "%.0f", r->front[NR_SW_FLASH]);
        fputs("</tr>\n", f);
    }
    fputs("</table><p>★ = on the Pareto front of accuracy against that cost (no other point "
          "is at least as accurate and at most as costly, and better in one).</p></section>\n",
          f);
}

int nr_sweep_html_write(const char *path, const nr_sweep_info *sw, const nr_sweep_row *rows,
                        size_t n, neurio_errbuf *err)
{
    nr_report_file rf;
    int rc = nr_report_file_open(&rf, path, err);
    if (rc)
        return rc;
    FILE *f = rf.f;
    size_t ok = 0;
    const char *acc_name = NULL;
    int mixed = 0; /* no figure common to every point (nr_sweep_pareto) */
    for (size_t i = 0; i < n; i++) {
        ok += rows[i].complete;
        if (!acc_name && rows[i].acc_name[0])
            acc_name = rows[i].acc_name;
        else if (acc_name && rows[i].acc_name[0] && strcmp(acc_name, rows[i].acc_name))
            mixed = 1;
    }
    if (mixed)
        acc_name = "accuracy or fidelity (figures differ by point; fronts per figure)";
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>neurio "
          "sweep ", f);
    nr_html_escape(f, sw->id);
    fprintf(f, "</title>\n<style>%s</style></head><body>\n<h1>neurio sweep ", css);
    nr_html_escape(f, sw->id);
    fprintf(f, "</h1>\n<section id=\"provenance\"><table><tr><th>sweep file</th><td>");
    nr_html_escape(f, sw->cfg_path);
    fputs("</td></tr><tr><th>base rig</th><td>", f);
    nr_html_escape(f, sw->base_rig);
    fputs("</td></tr><tr><th>created</th><td>", f);
    nr_html_escape(f, sw->created_at);
    fprintf(f, "</td></tr><tr><th>points</th><td>%zu of %zu complete</td></tr></table>"
               "</section>\n<section id=\"pareto\"><h2>Pareto fronts</h2>\n", ok, n);
    int drawn = 0;
    for (int k = 0; k < NR_SW_N_COST; k++)
        drawn += scatter(f, rows, n, k, acc_name ? acc_name : "accuracy") > 0;
    if (!drawn)
        fputs("<p>No point has both an accuracy (or fidelity) figure and a cost figure yet: "
              "nothing to plot.</p>\n", f);
    fputs("</section>\n", f);
    table(f, rows, n);
    fputs("</body></html>\n", f);
    return nr_report_file_commit(&rf, err);
}
