/* Numbers from the command line (common/parse.h): the whole string, in range, or refused with
 * the output untouched. */
#include <config.h>

#include <errno.h>
#include <math.h>

#include "tap.h"
#include "common/macro.h"
#include "common/parse.h"

static void test_int(void)
{
        static const struct {
                const char *s;
                int r, v;
        } cases[] = {
                { "10", 0, 10 }, { "-3", -ERANGE, 0 }, { "4294967360", -ERANGE, 0 }, { "12x", -EINVAL, 0 },
                { "", -EINVAL, 0 }, { " 7", 0, 7 }, { "0x10", -EINVAL, 0 }, { "1000", 0, 1000 }, { "1001", -ERANGE, 0 },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                int v = -99;
                int r = parse_int_range(cases[i].s, 0, 1000, &v);
                CHECK(r == cases[i].r && v == (r == 0 ? cases[i].v : -99), "int '%s': %d (value %d)", cases[i].s, r, v);
        }
}

static void test_double(void)
{
        static const struct {
                const char *s;
                int r;
                double v;
        } cases[] = {
                { "0.5", 0, 0.5 }, { "1", 0, 1 }, { "0", 0, 0 }, { "1000", 0, 1000 }, { "1e2", 0, 100 },
                { "-1", -ERANGE, 0 }, { "1000.5", -ERANGE, 0 }, { "nan", -EINVAL, 0 }, { "inf", -EINVAL, 0 },
                { "1e999", -ERANGE, 0 }, { "2%", -EINVAL, 0 }, { "", -EINVAL, 0 }, { ".", -EINVAL, 0 },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                double v = -99;
                int r = parse_double_range(cases[i].s, 0, 1000, &v);
                CHECK(r == cases[i].r && v == (r == 0 ? cases[i].v : -99), "double '%s': %d (value %g)", cases[i].s, r, v);
        }
}

int main(void)
{
        test_int();
        test_double();
        return tap_done();
}
