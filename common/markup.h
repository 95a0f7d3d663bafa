/* Text for the HTML reports and SVG charts (bench, analyze, history, the tailor). */
#ifndef LEANBOOT_MARKUP_H
#define LEANBOOT_MARKUP_H

#include <stdio.h>

/* S written to F with XML's special characters as entities (safe in text and in quoted
 * attributes); NULL writes nothing. */
void xml_escape(FILE *f, const char *s);

#endif
