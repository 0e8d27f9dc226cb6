/* results/kpi/kpi_stats_stream.c — exact statistics of a spilled series. */
#include "kpi/kpi_stats_stream.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "neurio/status.h"

#define SS_BUF 1024           /* append buffer, values      */
#define SS_CHUNK 65536        /* sort chunk, values (512 kB) */
#define SS_RUNBUF 512         /* merge buffer per run       */

struct nr_stats_stream {
    FILE *f;
    double buf[SS_BUF];
    size_t nbuf, n;
    size_t chunk;
    char dir[1024];
    int broken;
};

/* An unlinked temporary file in dir (or $TMPDIR, /tmp). */
static FILE *ss_tmpfile(const char *dir)
{
    char path[1200];
    if (!dir || !*dir)
        dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    if (snprintf(path, sizeof path, "%s/.neurio-series-XXXXXX", dir) >= (int)sizeof path)
        return NULL;
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f)
        close(fd);
    return f;
}

int nr_stats_stream_new(const char *dir, nr_stats_stream **out)
{
    *out = NULL;
    nr_stats_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NEURIO_ERR_NOMEM;
    snprintf(s->dir, sizeof s->dir, "%s", dir ? dir : "");
    if (!(s->f = ss_tmpfile(dir))) {
        free(s);
        return NEURIO_ERR_IO;
    }
    s->chunk = SS_CHUNK;
    *out = s;
    return 0;
}

static int ss_flush(nr_stats_stream *s)
{
    if (s->nbuf && (fseeko(s->f, 0, SEEK_END) != 0 ||
                    fwrite(s->buf, sizeof s->buf[0], s->nbuf, s->f) != s->nbuf))
        s->broken = 1;
    s->nbuf = 0;
    return s->broken ? NEURIO_ERR_IO : 0;
}

int nr_stats_stream_add(nr_stats_stream *s, double v)
{
    if (s->nbuf == SS_BUF && ss_flush(s))
        return NEURIO_ERR_IO;
    s->buf[s->nbuf++] = v;
    s->n++;
    return s->broken ? NEURIO_ERR_IO : 0;
}

size_t nr_stats_stream_count(const nr_stats_stream *s)
{
    return s ? s->n : 0;
}

void nr_stats_stream_set_chunk(nr_stats_stream *s, size_t values)
{
    s->chunk = values ? values : SS_CHUNK;
}

void nr_stats_stream_free(nr_stats_stream *s)
{
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    free(s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Ranks the statistics read from the sorted series. */
typedef struct ss_ranks {
    size_t rank[8];
    double value[8];
    int n;
} ss_ranks;

static void ss_want(ss_ranks *r, size_t k)
{
    r->rank[r->n++] = k;
}

static double ss_at(const ss_ranks *r, size_t k)
{
    for (int i = 0; i < r->n; i++)
        if (r->rank[i] == k)
            return r->value[i];
    return NAN;
}

/* nr_stats_percentile_sorted over the captured ranks. */
static double ss_pct(const ss_ranks *r, size_t n, double p)
{
    if (n == 1)
        return ss_at(r, 0);
    double pos = p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo >= n - 1)
        return ss_at(r, n - 1);
    double frac = pos - (double)lo;
    double a = ss_at(r, lo), b = ss_at(r, lo + 1);
    return a + (b - a) * frac;
}

static void ss_pct_ranks(ss_ranks *r, size_t n, double p)
{
    double pos = p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    ss_want(r, lo < n ? lo : n - 1);
    if (lo + 1 < n)
        ss_want(r, lo + 1);
}

static void ss_capture(ss_ranks *r, size_t k, double v)
{
    for (int i = 0; i < r->n; i++)
        if (r->rank[i] == k)
            r->value[i] = v;
}

/* Read values [at, at + cnt) of the file into v. */
static int ss_read(FILE *f, size_t at, double *v, size_t cnt)
{
    if (fseeko(f, (off_t)(at * sizeof *v), SEEK_SET) != 0 ||
        fread(v, sizeof *v, cnt, f) != cnt)
        return NEURIO_ERR_IO;
    return 0;
}

typedef struct ss_run {
    size_t pos, end;    /* values in the run file                           */
    size_t bpos, blen;  /* buffered                                         */
    double b[SS_RUNBUF];
} ss_run;

static int ss_run_head(FILE *f, ss_run *r, double *v)
{
    if (r->bpos == r->blen) {
        size_t cnt = r->end - r->pos < SS_RUNBUF ? r->end - r->pos : SS_RUNBUF;
        if (!cnt)
            return 1;
        if (ss_read(f, r->pos, r->b, cnt))
            return -1;
        r->pos += cnt;
        r->bpos = 0;
        r->blen = cnt;
    }
    *v = r->b[r->bpos];
    return 0;
}

/* Sorted chunks into a run file, merged with a heap of run heads; the
 * wanted ranks are captured on the way. */
static int ss_sort_select(nr_stats_stream *s, double *chunk, ss_ranks *want)
{
    size_t n = s->n, cs = s->chunk;
    if (n <= cs) {
        if (ss_read(s->f, 0, chunk, n))
            return NEURIO_ERR_IO;
        qsort(chunk, n, sizeof *chunk, cmp_double);
        for (int i = 0; i < want->n; i++)
            want->value[i] = chunk[want->rank[i]];
        return 0;
    }
    FILE *rf = ss_tmpfile(s->dir);
    size_t nruns = (n + cs - 1) / cs;
    ss_run *runs = calloc(nruns, sizeof *runs);
    size_t *heap = calloc(nruns, sizeof *heap);
    double *head = calloc(nruns, sizeof *head);
    int rc = rf && runs && heap && head ? 0 : NEURIO_ERR_NOMEM;
    for (size_t r = 0; !rc && r < nruns; r++) {
        size_t at = r * cs, cnt = n - at < cs ? n - at : cs;
        if (ss_read(s->f, at, chunk, cnt)) {
            rc = NEURIO_ERR_IO;
            break;
        }
        qsort(chunk, cnt, sizeof *chunk, cmp_double);
        if (fseeko(rf, (off_t)(at * sizeof *chunk), SEEK_SET) != 0 ||
            fwrite(chunk, sizeof *chunk, cnt, rf) != cnt || fflush(rf) != 0)
            rc = NEURIO_ERR_IO;
        runs[r].pos = at;
        runs[r].end = at + cnt;
    }
    size_t hn = 0;
    for (size_t r = 0; !rc && r < nruns; r++) {
        if (ss_run_head(rf, &runs[r], &head[r]) < 0) {
            rc = NEURIO_ERR_IO;
            break;
        }
        /* sift up */
        size_t i = hn++;
        heap[i] = r;
        while (i && head[heap[(i - 1) / 2]] > head[heap[i]]) {
            size_t t = heap[i];
            heap[i] = heap[(i - 1) / 2];
            heap[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
    }
    for (size_t k = 0; !rc && k < n && hn; k++) {
        size_t r = heap[0];
        ss_capture(want, k, head[r]);
        runs[r].bpos++;
        int e = ss_run_head(rf, &runs[r], &head[r]);
        if (e < 0) {
            rc = NEURIO_ERR_IO;
            break;
        }
        if (e > 0)
            heap[0] = heap[--hn];
        /* sift down */
        size_t i = 0;
        for (;;) {
            size_t l = 2 * i + 1, m = i;
            if (l < hn && head[heap[l]] < head[heap[m]])
                m = l;
            if (l + 1 < hn && head[heap[l + 1]] < head[heap[m]])
                m = l + 1;
            if (m == i)
                break;
            size_t t = heap[i];
            heap[i] = heap[m];
            heap[m] = t;
            i = m;
        }
    }
    free(runs);
    free(heap);
    free(head);
    if (rf)
        fclose(rf);
    return rc;
}

int nr_stats_stream_compute(nr_stats_stream *s, double div, double mul, nr_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!s || s->n == 0)
        return NEURIO_ERR_INVALID;
    if (ss_flush(s) || fflush(s->f) != 0)
        return NEURIO_ERR_IO;
    size_t n = s->n, cs = s->chunk < n ? s->chunk : n;
    double *chunk = malloc(cs * sizeof *chunk);
    if (!chunk)
        return NEURIO_ERR_NOMEM;
    int rc = 0;
    double sum = 0;
    /* pass 1: the sum in arrival order, as nr_stats_compute adds */
    for (size_t at = 0; !rc && at < n; at += cs) {
        size_t cnt = n - at < cs ? n - at : cs;
        if (ss_read(s->f, at, chunk, cnt)) {
            rc = NEURIO_ERR_IO;
            break;
        }
        for (size_t i = 0; i < cnt; i++) {
            double x = chunk[i] / div * mul;
            if (!isfinite(x))
                rc = NEURIO_ERR_INVALID;
            sum += x;
        }
    }
    out->n = n;
    out->mean = sum / (double)n;
    double ss = 0;
    for (size_t at = 0; !rc && at < n; at += cs) {
        size_t cnt = n - at < cs ? n - at : cs;
        if (ss_read(s->f, at, chunk, cnt)) {
            rc = NEURIO_ERR_IO;
            break;
        }
        for (size_t i = 0; i < cnt; i++) {
            double x = chunk[i] / div * mul;
            ss += (x - out->mean) * (x - out->mean);
        }
    }
    ss_ranks want = { .n = 0 };
    ss_want(&want, 0);
    ss_want(&want, n - 1);
    ss_pct_ranks(&want, n, 50);
    ss_pct_ranks(&want, n, 90);
    ss_pct_ranks(&want, n, 99);
    if (!rc)
        rc = ss_sort_select(s, chunk, &want);
    free(chunk);
    if (rc) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    for (int i = 0; i < want.n; i++)
        want.value[i] = want.value[i] / div * mul;
    out->std = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    out->min = ss_at(&want, 0);
    out->max = ss_at(&want, n - 1);
    out->p50 = ss_pct(&want, n, 50);
    out->p90 = ss_pct(&want, n, 90);
    out->p99 = ss_pct(&want, n, 99);
    if (n > 1) {
        double h = nr_stats_t975(n - 1) * out->std / sqrt((double)n);
        out->ci95_lo = out->mean - h;
        out->ci95_hi = out->mean + h;
    } else {
        out->ci95_lo = out->ci95_hi = NAN;
    }
    return 0;
}
