/* sdk/src/import/tflite/flexbuf.h — libneurio-internal, bounds-checked
 * reader of the FlexBuffers maps TFLite custom operators keep their options
 * in (custom_options).  Written from the FlexBuffers binary format: the
 * last byte is the root's byte width, the one before its packed type
 * (type << 2 | log2 bit width); a map's values are an array of `width`-byte
 * slots preceded by its size, the keys vector's offset and byte width, and
 * followed by one packed type byte per value; offsets point backwards.
 * Only what option maps hold is read: integers, booleans, floats (inline
 * or indirect).  Every byte is checked to lie in the buffer. */
#ifndef NEURIO_SDK_FLEXBUF_H
#define NEURIO_SDK_FLEXBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct nflx_map {
    const uint8_t *p;
    size_t len;
    size_t values;      /* byte offset of value 0                         */
    size_t keys;        /* byte offset of key slot 0                      */
    uint32_t n;         /* entries                                        */
    uint8_t width;      /* value slot bytes                               */
    uint8_t key_width;  /* key slot bytes                                 */
} nflx_map;

/* Opens buf[0..len) as a map.  0 on success; -1 with *why set (a static
 * string naming what is wrong) when it is not a well-formed map. */
int nflx_root_map(const uint8_t *buf, size_t len, nflx_map *m, const char **why);

/* Value of `key` as an integer (ints, uints, bools; floats truncated).
 * 1 found, 0 absent, -1 malformed or not a number (*why set). */
int nflx_map_int(const nflx_map *m, const char *key, int64_t *v, const char **why);

#endif
