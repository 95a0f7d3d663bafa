#include <config.h>

#include <limits.h>

#include "wait-left.h"

int wait_left_ms(long long deadline, long long now)
{
        if (now >= deadline)
                return 0;
        /* deadline > now, so the difference fits in 64 unsigned bits even where it does not fit
         * in 64 signed ones (a deadline far ahead of a negative clock: found by fuzzing). */
        unsigned long long left = (unsigned long long)deadline - (unsigned long long)now;
        return left > INT_MAX ? INT_MAX : (int)left;
}
