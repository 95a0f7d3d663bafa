/* One clock for durations and deadlines: CLOCK_MONOTONIC, in the unit each caller wants.  Header
 * only (static inline), so that the guestfsd shim, which links nothing of ours, shares it too. */
#ifndef LEANBOOT_CLOCK_H
#define LEANBOOT_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline int64_t now_msec(void)
{
        return (int64_t)(now_usec() / 1000u);
}

static inline double now_sec(void)
{
        return (double)now_usec() / 1e6;
}

#endif
