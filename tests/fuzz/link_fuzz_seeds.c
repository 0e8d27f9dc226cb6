/* tests/fuzz/link_fuzz_seeds.c — seeds for the link fuzzers, recorded from
 * the real thing: the host link (libneurio) talks to the real device
 * runtime (tests/link's link_device_host, both fixture models) through a
 * recorder that keeps every byte.  What the device sent is a seed of
 * fuzz_link_host, what the host sent a seed of fuzz_link_device.
 * usage: link_fuzz_seeds link_host|link_dev DIR   (gcc-built helper) */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "neurio/link_host.h"
#include "neurio/transport.h"

typedef struct rec {
    int host_fd, dev_fd;
    unsigned char *buf[2];
    size_t len[2];
} rec;

static void rec_add(rec *r, int k, const unsigned char *p, size_t n)
{
    unsigned char *b = realloc(r->buf[k], r->len[k] + n);
    if (!b)
        return;
    memcpy(b + r->len[k], p, n);
    r->buf[k] = b;
    r->len[k] += n;
}

/* Copy both ways until either side closes; k 0 = host->device. */
static void *rec_run(void *arg)
{
    rec *r = arg;
    unsigned char tmp[4096];
    for (;;) {
        struct pollfd p[2] = { { r->host_fd, POLLIN, 0 }, { r->dev_fd, POLLIN, 0 } };
        if (poll(p, 2, 5000) <= 0)
            return NULL;
        for (int k = 0; k < 2; k++) {
            if (!(p[k].revents & (POLLIN | POLLHUP)))
                continue;
            ssize_t n = read(p[k].fd, tmp, sizeof tmp);
            if (n <= 0)
                return NULL;
            rec_add(r, k, tmp, (size_t)n);
            int to = k == 0 ? r->dev_fd : r->host_fd;
            if (write(to, tmp, (size_t)n) != n)
                return NULL;
        }
    }
}

static int record(const char *model, const char *kind, const char *dir, int idx)
{
    int hs[2], ds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, hs) || socketpair(AF_UNIX, SOCK_STREAM, 0, ds))
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", ds[1]);
        close(ds[0]);
        execl(LINK_DEVICE_EXE, LINK_DEVICE_EXE, "--fd", fd, "--model", model, (char *)NULL);
        _exit(127);
    }
    close(ds[1]);
    rec r = { .host_fd = hs[1], .dev_fd = ds[0] };
    pthread_t th;
    pthread_create(&th, NULL, rec_run, &r);
    neurio_transport *t = NULL;
    neurio_link *l = NULL;
    neurio_errbuf err;
    int rc = neurio_transport_fd_open(hs[0], 1, "seed", &t, &err);
    if (!rc)
        rc = neurio_link_open(t, NULL, &l, &err);
    if (!rc) {
        const neurio_link_hello *h = neurio_link_info(l);
        static unsigned char in[4][2][4096], out[4][2][4096];
        const void *ins[4];
        void *outs[4];
        for (uint32_t i = 0; i < h->n_inputs && i < 4; i++)
            ins[i] = in[i];
        for (uint32_t i = 0; i < h->n_outputs && i < 4; i++)
            outs[i] = out[i];
        neurio_measure m[2];
        uint64_t layers[2 * 64];
        neurio_batch b = { .first = 0, .count = 2, .n_inputs = h->n_inputs,
                           .n_outputs = h->n_outputs, .inputs = ins, .outputs = outs,
                           .measures = m, .layer_cycles = layers,
                           .n_layers = h->n_layers <= 64 ? h->n_layers : 0 };
        rc = neurio_link_run_batch(l, &b, &err);
        (void)neurio_link_ping(l, &err);
        neurio_link_close(l);
    }
    if (rc)
        fprintf(stderr, "link_fuzz_seeds: %s\n", err.msg);
    pthread_join(th, NULL);
    close(hs[1]);
    close(ds[0]);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    int k = !strcmp(kind, "link_host") ? 1 : 0;
    char path[4096];
    /* the device fuzzer picks the fixture by the first byte's low bit */
    snprintf(path, sizeof path, "%s/seed-%s-%d.bin", dir, model, idx);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    if (k == 0) {
        unsigned char sel = !strcmp(model, "wide") ? 1 : 0;
        (void)sel; /* the host's first byte is a frame start; kept as recorded */
    }
    fwrite(r.buf[k], 1, r.len[k], f);
    fclose(f);
    free(r.buf[0]);
    free(r.buf[1]);
    return rc != 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: link_fuzz_seeds link_host|link_dev DIR\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int bad = record("small", argv[1], argv[2], 0);
    bad |= record("wide", argv[1], argv[2], 1);
    return bad;
}
