/* What a build depends on, as one SHA-256: equal hashes mean a rebuild would change nothing. */
#ifndef LEANBOOT_HASH_H
#define LEANBOOT_HASH_H

struct hasher;

int hasher_new(struct hasher **ret);
void hasher_free(struct hasher *h);
/* A labelled string ("option", "value"); labels keep "a"+"bc" apart from "ab"+"c". */
int hasher_add_str(struct hasher *h, const char *label, const char *value);
/* A file's content; for a directory every entry below it (names, modes, link targets, content). */
int hasher_add_path(struct hasher *h, const char *label, const char *path);
/* A regular file's content only (not its name or mode): for inputs such as kernel config
 * fragments, whose meaning is their text. */
int hasher_add_content(struct hasher *h, const char *label, const char *path);
/* A file's identity without reading it (path, size, mtime): for large inputs such as kernels. */
int hasher_add_stat(struct hasher *h, const char *label, const char *path);
/* 64 hex digits and a NUL. */
int hasher_final(struct hasher *h, char ret_hex[65]);
/* A file's plain SHA-256 (what sha256sum prints), for identities others can check by hand. */
int sha256_file(const char *path, char ret_hex[65]);

#endif
