/* core/report_file.c — atomic report files (temp file + rename). */
#include "report/report_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

int nr_report_file_open(nr_report_file *rf, const char *path, neurio_errbuf *err)
{
    memset(rf, 0, sizeof *rf);
    if (snprintf(rf->path, sizeof rf->path, "%s", path) >= (int)sizeof rf->path)
        return neurio_fail(err, NEURIO_ERR_IO, "cannot write %s: path too long", path);
    snprintf(rf->tmp, sizeof rf->tmp, "%s.tmp.%ld", path, (long)getpid());
    rf->f = fopen(rf->tmp, "w");
    if (!rf->f)
        return neurio_fail(err, NEURIO_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

int nr_report_file_commit(nr_report_file *rf, neurio_errbuf *err)
{
    if (!rf->f)
        return neurio_fail(err, NEURIO_ERR_IO, "cannot write %s: not open", rf->path);
    int bad = ferror(rf->f);
    int e = errno;
    if (!bad && (fflush(rf->f) != 0 || fsync(fileno(rf->f)) != 0)) {
        bad = 1; /* on disk before the rename, or the old file stays */
        e = errno;
    }
    if (fclose(rf->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    rf->f = NULL;
    if (bad) {
        unlink(rf->tmp);
        return neurio_fail(err, NEURIO_ERR_IO, "cannot write %s: %s", rf->path,
                           e ? strerror(e) : "write error");
    }
    if (rename(rf->tmp, rf->path) != 0) {
        e = errno;
        unlink(rf->tmp);
        return neurio_fail(err, NEURIO_ERR_IO, "cannot write %s: %s", rf->path, strerror(e));
    }
    return 0;
}

void nr_report_file_abort(nr_report_file *rf)
{
    if (rf->f) {
        fclose(rf->f);
        rf->f = NULL;
        unlink(rf->tmp);
    }
}

int nr_mkdirs(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *c = buf + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *c = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}
