/* NULL-terminated string vectors (growable), for package lists, argv building and the like. */
#ifndef LEANBOOT_STRV_H
#define LEANBOOT_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *v);
/* Append a copy of s; returns 0 or -ENOMEM.  *v may be NULL (an empty vector). */
int strv_push(char ***v, const char *s);
/* Append without copying: the vector takes ownership of s. */
int strv_consume(char ***v, char *s);
int strv_pushf(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool strv_contains(char *const *v, const char *s);
void strv_free(char **v);
static inline void strv_freep(char ***v) { strv_free(*v); }
#define _cleanup_strv_free_ __attribute__((cleanup(strv_freep)))
/* Join with a separator into a malloc'd string. */
char *strv_join(char *const *v, const char *sep);

#endif
