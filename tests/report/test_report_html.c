/* tests/report/test_report_html.c — render the HTML report in headless
 * Chromium (Debian's `chromium`, fresh --user-data-dir, no network), take a
 * screenshot, and check from the DOM Chromium built (--dump-dom) that the
 * page loaded with its charts: the latency histogram, the per-layer bars,
 * the confusion matrix heatmap and the fidelity histogram, each an <svg>
 * with its bars/cells. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "report/report_html.h"
#include "test_util.h"

static fixture fx;
static char chromium[256];

static const char chromium_flags[] =
    "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync --hide-scrollbars";

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* The text between `<svg ... id="ID"` and the next "</svg>". */
static char *svg_block(const char *dom, const char *id)
{
    char key[96];
    snprintf(key, sizeof key, "id=\"%s\"", id);
    const char *a = strstr(dom, key);
    const char *b = a ? strstr(a, "</svg>") : NULL;
    if (!b)
        return NULL;
    return strndup(a, (size_t)(b - a));
}

/* Appended to a copy of the report: Chromium lays the page out with its
 * real fonts and the script lists every chart text whose box leaves its
 * <svg> (i.e. is clipped), or says ALL-TEXT-INSIDE. */
static const char clip_script[] =
    "<script>var bad=[];document.querySelectorAll('svg.chart').forEach(function(s){"
    "var r=s.getBoundingClientRect();s.querySelectorAll('text').forEach(function(t){"
    "var b=t.getBoundingClientRect();if(b.width>0&&(b.left<r.left||b.right>r.right||"
    "b.top<r.top||b.bottom>r.bottom))bad.push(s.id+': '+t.textContent);});});"
    "var p=document.createElement('pre');p.id='clip-check';p.textContent=bad.length?"
    "'CLIPPED '+bad.join(' | '):'ALL-TEXT-INSIDE';document.body.appendChild(p);</script>";

static void set_op_name(int i, const char *name)
{
    free(fx.model->ops[i].name);
    fx.model->ops[i].name = strdup(name);
}

/* Long layer names (one beyond the label column: shortened with an
 * ellipsis) and a long title: every text of every chart stays inside its
 * SVG, as Chromium measures it. */
static void test_no_clipped_text(void)
{
    const char *tmp = neurio_test_tmpdir();
    char html[1024], check[1024], dom[1024], cmd[4096];
    snprintf(html, sizeof html, "%s/long.html", tmp);
    snprintf(check, sizeof check, "%s/long-check.html", tmp);
    snprintf(dom, sizeof dom, "%s/long-dom.html", tmp);
    set_op_name(0, "/features/features.9/AveragePool");
    set_op_name(1, "/classifier/classifier.1/Gemm/a_very_long_block_name_that_goes_on_and_on"
                   "/and_on_and_on_beyond_any_sensible_label_column_width/Softmax");
    neurio_errbuf err = { { 0 } };
    int rc = nr_report_html_write(&fx.d, html, &err);
    set_op_name(0, "");
    set_op_name(1, "");
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    char *h = neurio_test_read_file(html, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    char *blk = svg_block(h, "layer-bars");
    CU_ASSERT_PTR_NOT_NULL(blk);
    if (blk) { /* the long name: shortened on the chart, whole in its tooltip */
        CU_ASSERT_PTR_NOT_NULL(strstr(blk, "\xe2\x80\xa6"));
        CU_ASSERT_PTR_NOT_NULL(strstr(blk, "<title>1 SOFTMAX /classifier/classifier.1/Gemm/"
                                           "a_very_long_block_name"));
        CU_ASSERT_PTR_NOT_NULL(strstr(blk, "0 RELU /features/features.9/AveragePool</text>"));
        free(blk);
    }
    char *end = strstr(h, "</body>");
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    FILE *f = fopen(check, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "%.*s%s%s", (int)(end - h), h, clip_script, end);
    fclose(f);
    free(h);
    snprintf(cmd, sizeof cmd, "timeout 120 %s %s --user-data-dir='%s/chromium-clip' --dump-dom "
             "'file://%s' > '%s' 2>/dev/null", chromium, chromium_flags, tmp, check, dom);
    CU_ASSERT_EQUAL_FATAL(neurio_test_run(cmd, NULL), 0);
    char *d = neurio_test_read_file(dom, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    const char *res = strstr(d, "id=\"clip-check\">");
    CU_ASSERT_PTR_NOT_NULL(res);
    if (res && strncmp(res + strlen("id=\"clip-check\">"), "ALL-TEXT-INSIDE", 15)) {
        const char *e = strstr(res, "</pre>");
        fprintf(stderr, "%.*s\n", e ? (int)(e - res) : 400, res);
        CU_FAIL("chart text clipped");
    }
    free(d);
}

static void test_render_in_chromium(void)
{
    const char *tmp = neurio_test_tmpdir();
    char html[1024], png[1024], dom[1024], profile[1024], cmd[4096];
    snprintf(html, sizeof html, "%s/report.html", tmp);
    snprintf(png, sizeof png, "%s/report.png", tmp);
    snprintf(dom, sizeof dom, "%s/dom.html", tmp);
    snprintf(profile, sizeof profile, "%s/chromium-profile", tmp);
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_report_html_write(&fx.d, html, &err), 0);

    snprintf(cmd, sizeof cmd, "timeout 120 %s %s --user-data-dir='%s' --dump-dom 'file://%s' "
             "> '%s' 2>/dev/null", chromium, chromium_flags, profile, html, dom);
    int st = neurio_test_run(cmd, NULL);
    CU_ASSERT_EQUAL_FATAL(st, 0);
    char *d = neurio_test_read_file(dom, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "<h1>neurio report"));
    /* The parsed DOM (not our text) holds every chart with its marks. */
    static const struct { const char *id; size_t min_rects; } charts[] = {
        { "latency-histogram", 2 }, { "host-latency-histogram", 2 },
        { "layer-bars", 2 }, { "confusion-matrix", 16 }, { "fidelity-errors", 1 },
    };
    for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
        char *blk = svg_block(d, charts[i].id);
        CU_ASSERT_PTR_NOT_NULL(blk);
        if (!blk) {
            fprintf(stderr, "chart %s missing from the DOM\n", charts[i].id);
            continue;
        }
        CU_ASSERT(strstr(blk, "<svg") == NULL); /* block starts inside the tag */
        CU_ASSERT(count(blk, "<rect") >= charts[i].min_rects);
        free(blk);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "class=\"kpis\""));
    CU_ASSERT(count(d, "<tr>") > 20);
    free(d);

    /* 2nd profile dir: Chromium locks the first for a while after exit. */
    snprintf(cmd, sizeof cmd, "timeout 120 %s %s --user-data-dir='%s-shot' --window-size=1200,2400 "
             "--screenshot='%s' 'file://%s' >/dev/null 2>&1", chromium, chromium_flags, profile,
             png, html);
    st = neurio_test_run(cmd, NULL);
    CU_ASSERT_EQUAL(st, 0);
    size_t len = 0;
    char *img = neurio_test_read_file(png, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT(len > 10000); /* a real rendering, not an empty page */
    CU_ASSERT_EQUAL(memcmp(img, "\x89PNG\r\n\x1a\n", 8), 0);
    free(img);
    if (getenv("NEURIO_KEEP_TMP"))
        printf("report: %s\nscreenshot: %s\n", html, png);
}

int neurio_register_tests(void)
{
    static const char *const candidates[] = { "/usr/bin/chromium", "/usr/bin/chromium-browser" };
    for (size_t i = 0; i < 2 && !chromium[0]; i++)
        if (access(candidates[i], X_OK) == 0)
            snprintf(chromium, sizeof chromium, "%s", candidates[i]);
    if (!chromium[0])
        neurio_test_skip("headless Chromium not installed (Debian package chromium)");
    if (fixture_make(&fx)) {
        fprintf(stderr, "cannot build the report fixture\n");
        return -1;
    }
    CU_pSuite s = CU_add_suite("html", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "rendered by headless Chromium with its charts", test_render_in_chromium);
    CU_add_test(s, "no chart text clipped, long layer names shortened", test_no_clipped_text);
    return 0;
}
