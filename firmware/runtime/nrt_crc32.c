/* firmware/runtime/nrt_crc32.c — CRC-32 (IEEE 802.3, reflected, poly
 * 0xEDB88320, the one zlib computes) with a 16-entry nibble table: small
 * enough for any device, and tested against zlib's crc32 on the host. */
#include "nrt.h"

static const uint32_t nrt_crc_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu,
    0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
    0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t nrt_crc32(uint32_t crc, const uint8_t *buf, uint32_t len)
{
    uint32_t c = ~crc;
    for (uint32_t i = 0; i < len; i++) {
        c ^= buf[i];
        c = (c >> 4) ^ nrt_crc_nibble[c & 0xFu];
        c = (c >> 4) ^ nrt_crc_nibble[c & 0xFu];
    }
    return ~c;
}
