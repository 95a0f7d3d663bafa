#include <config.h>

#include <stdlib.h>

#include "keep-list.h"

uint64_t virtio_keep_parse(const char *s)
{
        uint64_t set = 0;
        for (char *end;; s = end) {
                long t = strtol(s, &end, 10);
                if (end == s)
                        return set;
                if (t >= 0 && t < 64)
                        set |= UINT64_C(1) << t;
        }
}
