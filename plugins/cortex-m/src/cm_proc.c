/* plugins/cortex-m/src/cm_proc.c — see cm_proc.h. */
#include "cm_proc.h"

#include <stdarg.h>
#include <stdio.h>

int cm_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}
