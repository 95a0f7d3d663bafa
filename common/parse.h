/* Numbers from the command line and from files, one way everywhere. */
#ifndef LEANBOOT_PARSE_H
#define LEANBOOT_PARSE_H

/* A decimal integer, the whole string, in [min, max]: 0 with *ret set, else -EINVAL (not a
 * number, or trailing text) or -ERANGE (outside the range); *ret is then untouched. */
int parse_int_range(const char *s, long min, long max, int *ret);

/* A decimal number (strtod, no "nan" or "inf"), the whole string, in [min, max]; as above. */
int parse_double_range(const char *s, double min, double max, double *ret);

#endif
