/* tests/fuzz/fuzz_link_host.c — libFuzzer target over the host end of the
 * device link (issue 19): the input is everything "the device" sends.  It
 * is written into one end of a socketpair (then shut), the host link reads
 * the other end: hello, then a one-sample batch transfer and inference.
 * Whatever the bytes, the link must refuse them with a message (or time
 * out), never crash or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "neurio/link_host.h"
#include "neurio/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sv[2];
    if (size > 60000 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 0;
    int one = 256 * 1024;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &one, sizeof one);
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(sv[0], data + off, size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    shutdown(sv[0], SHUT_WR);
    neurio_transport *t = NULL;
    neurio_errbuf err;
    if (neurio_transport_fd_open(sv[1], 1, "fuzz", &t, &err) != NEURIO_OK) {
        close(sv[0]);
        close(sv[1]);
        return 0;
    }
    neurio_link_options o;
    neurio_link_options_default(&o);
    o.boot_timeout_ms = 20;
    o.timeout_ms = 5;
    o.run_timeout_ms = 5;
    o.max_retries = 1;
    neurio_link *l = NULL;
    if (neurio_link_open(t, &o, &l, &err) == NEURIO_OK) {
        neurio_device_info info;
        memset(&info, 0, sizeof info);
        info.size = sizeof info;
        neurio_link_device_info(l, &info);
        (void)neurio_link_ping(l, &err);
        const neurio_link_hello *h = neurio_link_info(l);
        static uint8_t in[8][4096], out[8][4096];
        const void *ins[8];
        void *outs[8];
        size_t ib[8], ob[8];
        int ok = h && h->n_inputs >= 1 && h->n_inputs <= 8 && h->n_outputs >= 1 &&
                 h->n_outputs <= 8;
        for (uint32_t i = 0; ok && i < h->n_inputs; i++) {
            ok &= h->in_bytes[i] <= sizeof in[0];
            ib[i] = h->in_bytes[i];
            ins[i] = in[i];
        }
        for (uint32_t i = 0; ok && i < h->n_outputs; i++) {
            ok &= h->out_bytes[i] <= sizeof out[0];
            ob[i] = h->out_bytes[i];
            outs[i] = out[i];
        }
        neurio_measure m[1];
        uint64_t layers[64];
        if (ok && neurio_link_check_tensors(l, h->n_inputs, ib, h->n_outputs, ob, &err) ==
                      NEURIO_OK) {
            neurio_batch b = { .first = 0, .count = 1, .n_inputs = h->n_inputs,
                               .n_outputs = h->n_outputs, .inputs = ins, .outputs = outs,
                               .measures = m, .layer_cycles = layers,
                               .n_layers = h->n_layers <= 64 ? h->n_layers : 0 };
            (void)neurio_link_run_batch(l, &b, &err);
        }
        neurio_link_close(l);
    }
    close(sv[0]);
    return 0;
}
