/* An index of a kbuild tree's objects by the functions they define (objsyms.h). */
#include <config.h>

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objsyms.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/strv.h"

/* Bounds-checked views of a mapped file: an object from a half-written tree must not crash us. */
static bool in_file(size_t len, uint64_t off, uint64_t size)
{
        return off <= len && size <= len - off;
}

int elf_function_symbols(const char *path, char ***ret)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        size_t len = (size_t)st.st_size;
        if (len < sizeof(Elf64_Ehdr))
                return -EBADMSG;
        const unsigned char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED)
                return -errno;
        int r = -EBADMSG;
        char **names = NULL;
        const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m;
        if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
            eh->e_shentsize != sizeof(Elf64_Shdr) || !in_file(len, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
                goto out;
        const Elf64_Shdr *sh = (const Elf64_Shdr *)(m + eh->e_shoff);
        for (size_t i = 0; i < eh->e_shnum; i++) {
                if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_entsize != sizeof(Elf64_Sym) || sh[i].sh_link >= eh->e_shnum)
                        continue;
                const Elf64_Shdr *strs = &sh[sh[i].sh_link];
                if (!in_file(len, sh[i].sh_offset, sh[i].sh_size) || !in_file(len, strs->sh_offset, strs->sh_size))
                        goto out;
                const Elf64_Sym *sym = (const Elf64_Sym *)(m + sh[i].sh_offset);
                const char *str = (const char *)(m + strs->sh_offset);
                for (size_t k = 0; k < sh[i].sh_size / sizeof *sym; k++) {
                        if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || sym[k].st_shndx == SHN_UNDEF ||
                            sym[k].st_name >= strs->sh_size)
                                continue;
                        const char *name = str + sym[k].st_name;
                        if (!memchr(name, '\0', strs->sh_size - sym[k].st_name))
                                continue;
                        if (strv_push(&names, name) < 0) {
                                r = -ENOMEM;
                                goto out;
                        }
                }
        }
        r = 0;
        *ret = TAKE_PTR(names);
out:
        strv_free(names);
        munmap((void *)m, len);
        return r;
}

struct walk {
        const char *objdir, *srcdir;
        struct objsyms *idx;
        size_t cap;
};

/* An object kbuild compiled from a source file (not linked from others). */
static bool compiled_from_source(const struct walk *w, const char *rel)
{
        size_t n = strlen(rel);
        _cleanup_free_ char *c = NULL, *s = NULL;
        if (asprintf(&c, "%s/%.*s.c", w->srcdir, (int)(n - 2), rel) < 0 || asprintf(&s, "%s/%.*s.S", w->srcdir, (int)(n - 2), rel) < 0)
                return false;
        return access(c, R_OK) == 0 || access(s, R_OK) == 0;
}

static int add_object(struct walk *w, const char *rel)
{
        _cleanup_free_ char *path = path_join(w->objdir, rel);
        char **funcs = NULL;
        if (!path)
                return -ENOMEM;
        if (elf_function_symbols(path, &funcs) < 0)
                return 0; /* not an object after all (a stray .o): nothing it defines counts */
        w->idx->objects++;
        int r = 0;
        for (char **f = funcs; f && *f && r == 0; f++) {
                if (w->idx->n == w->cap) {
                        size_t cap = w->cap ? w->cap * 2 : 4096;
                        struct objsym *v = realloc(w->idx->v, cap * sizeof *v);
                        if (!v) {
                                r = -ENOMEM;
                                break;
                        }
                        w->idx->v = v;
                        w->cap = cap;
                }
                char *obj = strdup(rel);
                if (!obj) {
                        r = -ENOMEM;
                        break;
                }
                w->idx->v[w->idx->n++] = (struct objsym){ TAKE_PTR(*f), obj };
        }
        strv_free(funcs);
        return r;
}

static int walk_dir(struct walk *w, const char *rel)
{
        _cleanup_free_ char *path = *rel ? path_join(w->objdir, rel) : strdup(w->objdir);
        DIR *d = path ? opendir(path) : NULL;
        if (!d)
                return path ? 0 : -ENOMEM; /* unreadable: skipped */
        int r = 0;
        for (struct dirent *e; r == 0 && (e = readdir(d));) {
                const char *n = e->d_name;
                if (n[0] == '.' || streq(n, "source"))
                        continue; /* kbuild's .cmd files, and the link back to the source tree */
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "", n) < 0) {
                        r = -ENOMEM;
                        break;
                }
                size_t len = strlen(n);
                if (e->d_type == DT_DIR)
                        r = walk_dir(w, sub);
                else if (len > 2 && streq(n + len - 2, ".o") && !streq(sub, "vmlinux.o") &&
                         !(len > 6 && streq(n + len - 6, ".mod.o")) && compiled_from_source(w, sub))
                        r = add_object(w, sub);
        }
        closedir(d);
        return r;
}

static int by_function(const void *a, const void *b)
{
        const struct objsym *x = a, *y = b;
        int c = strcmp(x->function, y->function);
        return c ? c : strcmp(x->object, y->object);
}

int objsyms_index(const char *objdir, const char *srcdir, struct objsyms *ret)
{
        struct objsyms idx = { 0 };
        struct walk w = { objdir, srcdir, &idx, 0 };
        int r = walk_dir(&w, "");
        if (r < 0) {
                objsyms_free(&idx);
                return r;
        }
        if (idx.n > 1)
                qsort(idx.v, idx.n, sizeof *idx.v, by_function);
        *ret = idx;
        return 0;
}

size_t objsyms_find(const struct objsyms *idx, const char *function, size_t *ret_first)
{
        size_t lo = 0, hi = idx->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(idx->v[mid].function, function) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        size_t n = 0;
        while (lo + n < idx->n && streq(idx->v[lo + n].function, function))
                n++;
        *ret_first = lo;
        return n;
}

void objsyms_free(struct objsyms *idx)
{
        for (size_t i = 0; i < idx->n; i++) {
                free(idx->v[i].function);
                free(idx->v[i].object);
        }
        free(idx->v);
        *idx = (struct objsyms){ 0 };
}
