#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "hash.h"
#include "fileio.h"
#include "macro.h"

struct hasher {
        EVP_MD_CTX *ctx;
};

int hasher_new(struct hasher **ret)
{
        struct hasher *h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
                hasher_free(h);
                return -ENOMEM;
        }
        *ret = h;
        return 0;
}

void hasher_free(struct hasher *h)
{
        if (!h)
                return;
        EVP_MD_CTX_free(h->ctx);
        free(h);
}

static void add_bytes(struct hasher *h, const void *p, size_t n)
{
        /* Length-prefixed, so that no two different sequences of fields hash alike. */
        unsigned long long len = n;
        EVP_DigestUpdate(h->ctx, &len, sizeof len);
        EVP_DigestUpdate(h->ctx, p, n);
}

int hasher_add_str(struct hasher *h, const char *label, const char *value)
{
        add_bytes(h, label, strlen(label));
        add_bytes(h, value ? value : "", value ? strlen(value) : 0);
        return 0;
}

static int add_file_content(struct hasher *h, const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        char buf[65536];
        for (;;) {
                ssize_t k = read(fd, buf, sizeof buf);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return 0;
                EVP_DigestUpdate(h->ctx, buf, (size_t)k);
        }
}

static int add_tree(struct hasher *h, const char *path, const char *rel, int depth)
{
        struct stat st;
        if (lstat(path, &st) < 0)
                return -errno;
        if (depth > 64)
                return -ELOOP;
        char meta[64];
        snprintf(meta, sizeof meta, "%o", (unsigned)st.st_mode);
        hasher_add_str(h, rel, meta);
        if (S_ISREG(st.st_mode))
                return add_file_content(h, path);
        if (S_ISLNK(st.st_mode)) {
                char target[4096];
                ssize_t n = readlink(path, target, sizeof target - 1);
                if (n < 0)
                        return -errno;
                target[n] = '\0';
                return hasher_add_str(h, "link", target);
        }
        if (!S_ISDIR(st.st_mode))
                return 0;
        struct dirent **list = NULL;
        int n = scandir(path, &list, NULL, alphasort);
        if (n < 0)
                return -errno;
        int r = 0;
        for (int i = 0; i < n; i++) {
                const char *name = list[i]->d_name;
                if (r == 0 && !streq(name, ".") && !streq(name, "..")) {
                        _cleanup_free_ char *child = path_join(path, name);
                        _cleanup_free_ char *crel = path_join(rel, name);
                        r = child && crel ? add_tree(h, child, crel, depth + 1) : -ENOMEM;
                }
                free(list[i]);
        }
        free(list);
        return r;
}

int hasher_add_path(struct hasher *h, const char *label, const char *path)
{
        hasher_add_str(h, "path", label);
        return add_tree(h, path, "", 0);
}

int hasher_add_content(struct hasher *h, const char *label, const char *path)
{
        hasher_add_str(h, "content", label);
        return add_file_content(h, path);
}

int hasher_add_stat(struct hasher *h, const char *label, const char *path)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        char id[128];
        snprintf(id, sizeof id, "%lld:%lld.%09ld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                 st.st_mtim.tv_nsec);
        hasher_add_str(h, label, path);
        return hasher_add_str(h, "stat", id);
}

int sha256_file(const char *path, char ret_hex[65])
{
        struct hasher *h;
        int r = hasher_new(&h);
        if (r < 0)
                return r;
        r = add_file_content(h, path);
        r = r ?: hasher_final(h, ret_hex);
        hasher_free(h);
        return r;
}

int hasher_final(struct hasher *h, char ret_hex[65])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1 || len != 32)
                return -EIO;
        for (unsigned i = 0; i < len; i++)
                sprintf(ret_hex + 2 * i, "%02x", md[i]);
        ret_hex[64] = '\0';
        return 0;
}
