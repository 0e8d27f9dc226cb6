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

/* Sorted order: one in-memory sorted chunk (n <= chunk), or sorted chunks
 * in a run file merged with a heap of run heads. */
struct nr_stats_sorted {
    size_t n, k;        /* values in all, values handed out                 */
    double *mem;        /* the in-memory case: the sorted values            */
    FILE *rf;
    ss_run *runs;
    size_t *heap, hn;
    double *head;
};

void nr_stats_sorted_free(nr_stats_sorted *it)
{
    if (!it)
        return;
    free(it->mem);
    free(it->runs);
    free(it->heap);
    free(it->head);
    if (it->rf)
        fclose(it->rf);
    free(it);
}

static void ss_sift_down(nr_stats_sorted *it)
{
    size_t i = 0, hn = it->hn, *heap = it->heap;
    const double *head = it->head;
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

/* Write the sorted runs of s into it->rf and load the run heads. */
static int ss_runs_begin(nr_stats_stream *s, nr_stats_sorted *it, double *chunk)
{
    size_t n = s->n, cs = s->chunk;
    size_t nruns = (n + cs - 1) / cs;
    it->rf = ss_tmpfile(s->dir);
    it->runs = calloc(nruns, sizeof *it->runs);
    it->heap = calloc(nruns, sizeof *it->heap);
    it->head = calloc(nruns, sizeof *it->head);
    if (!it->rf)
        return NEURIO_ERR_IO;
    if (!it->runs || !it->heap || !it->head)
        return NEURIO_ERR_NOMEM;
    for (size_t r = 0; r < nruns; r++) {
        size_t at = r * cs, cnt = n - at < cs ? n - at : cs;
        if (ss_read(s->f, at, chunk, cnt))
            return NEURIO_ERR_IO;
        qsort(chunk, cnt, sizeof *chunk, cmp_double);
        if (fseeko(it->rf, (off_t)(at * sizeof *chunk), SEEK_SET) != 0 ||
            fwrite(chunk, sizeof *chunk, cnt, it->rf) != cnt || fflush(it->rf) != 0)
            return NEURIO_ERR_IO;
        it->runs[r].pos = at;
        it->runs[r].end = at + cnt;
    }
    for (size_t r = 0; r < nruns; r++) {
        if (ss_run_head(it->rf, &it->runs[r], &it->head[r]) < 0)
            return NEURIO_ERR_IO;
        /* sift up */
        size_t i = it->hn++, *heap = it->heap;
        heap[i] = r;
        while (i && it->head[heap[(i - 1) / 2]] > it->head[heap[i]]) {
            size_t t = heap[i];
            heap[i] = heap[(i - 1) / 2];
            heap[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
    }
    return 0;
}

int nr_stats_stream_sorted(nr_stats_stream *s, nr_stats_sorted **out)
{
    *out = NULL;
    if (ss_flush(s) || fflush(s->f) != 0)
        return NEURIO_ERR_IO;
    nr_stats_sorted *it = calloc(1, sizeof *it);
    if (!it)
        return NEURIO_ERR_NOMEM;
    size_t n = s->n, cs = s->chunk < n ? s->chunk : n;
    it->n = n;
    double *chunk = malloc((cs ? cs : 1) * sizeof *chunk);
    int rc = chunk ? 0 : NEURIO_ERR_NOMEM;
    if (!rc && n <= s->chunk) {
        if (ss_read(s->f, 0, chunk, n))
            rc = NEURIO_ERR_IO;
        else {
            qsort(chunk, n, sizeof *chunk, cmp_double);
            it->mem = chunk;
            chunk = NULL;
        }
    } else if (!rc)
        rc = ss_runs_begin(s, it, chunk);
    free(chunk);
    if (rc) {
        nr_stats_sorted_free(it);
        return rc;
    }
    *out = it;
    return 0;
}

int nr_stats_sorted_next(nr_stats_sorted *it, double *v)
{
    if (it->k >= it->n)
        return 0;
    if (it->mem) {
        *v = it->mem[it->k++];
        return 1;
    }
    if (!it->hn)
        return NEURIO_ERR_IO;
    size_t r = it->heap[0];
    *v = it->head[r];
    it->k++;
    it->runs[r].bpos++;
    int e = ss_run_head(it->rf, &it->runs[r], &it->head[r]);
    if (e < 0)
        return NEURIO_ERR_IO;
    if (e > 0)
        it->heap[0] = it->heap[--it->hn];
    ss_sift_down(it);
    return 1;
}

/* The wanted ranks, captured on a walk in sorted order. */
static int ss_sort_select(nr_stats_stream *s, ss_ranks *want)
{
    nr_stats_sorted *it;
    int rc = nr_stats_stream_sorted(s, &it);
    if (rc)
        return rc;
    double v;
    size_t k = 0;
    while ((rc = nr_stats_sorted_next(it, &v)) == 1)
        ss_capture(want, k++, v);
    nr_stats_sorted_free(it);
    return rc < 0 ? rc : 0;
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
    free(chunk);
    if (!rc)
        rc = ss_sort_select(s, &want);
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
