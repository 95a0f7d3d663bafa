#include <config.h>

#include <limits.h>

#include "wait-left.h"

int wait_left_ms(long long deadline, long long now)
{
        if (now >= deadline)
                return 0;
        return deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
}
