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

/* An ELF64 relocatable object mapped read-only, its headers checked against its length. */
struct elf_view {
        const unsigned char *m;
        size_t len;
        const Elf64_Ehdr *eh;
        const Elf64_Shdr *sh;
        /* its symbol table (the first SHT_SYMTAB; none: syms NULL) and that table's strings */
        size_t symtab, nsyms, strsize;
        const Elf64_Sym *syms;
        const char *str;
};

static void elf_close(struct elf_view *v)
{
        if (v->m)
                munmap((void *)v->m, v->len);
        *v = (struct elf_view){ 0 };
}

/* 0, -EBADMSG (not an ELF64 object, or truncated) or -errno. */
static int elf_open(const char *path, struct elf_view *v)
{
        *v = (struct elf_view){ 0 };
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
        *v = (struct elf_view){ .m = m, .len = len, .eh = (const Elf64_Ehdr *)m };
        const Elf64_Ehdr *eh = v->eh;
        if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
            eh->e_shentsize != sizeof(Elf64_Shdr) || !in_file(len, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr))) {
                elf_close(v);
                return -EBADMSG;
        }
        v->sh = (const Elf64_Shdr *)(m + eh->e_shoff);
        for (size_t i = 0; i < eh->e_shnum; i++) {
                const Elf64_Shdr *sh = &v->sh[i];
                if (sh->sh_type != SHT_SYMTAB || sh->sh_entsize != sizeof(Elf64_Sym) || sh->sh_link >= eh->e_shnum)
                        continue;
                const Elf64_Shdr *strs = &v->sh[sh->sh_link];
                if (!in_file(len, sh->sh_offset, sh->sh_size) || !in_file(len, strs->sh_offset, strs->sh_size)) {
                        elf_close(v);
                        return -EBADMSG;
                }
                v->symtab = i;
                v->nsyms = sh->sh_size / sizeof(Elf64_Sym);
                v->syms = (const Elf64_Sym *)(m + sh->sh_offset);
                v->str = (const char *)(m + strs->sh_offset);
                v->strsize = strs->sh_size;
                break;
        }
        return 0;
}

/* SYM's name, or NULL when it has none or it runs off its table. */
static const char *sym_name(const struct elf_view *v, const Elf64_Sym *sym)
{
        if (sym->st_name == 0 || sym->st_name >= v->strsize || !memchr(v->str + sym->st_name, '\0', v->strsize - sym->st_name))
                return NULL;
        return v->str + sym->st_name;
}

int elf_function_symbols(const char *path, char ***ret)
{
        struct elf_view v;
        int r = elf_open(path, &v);
        if (r < 0)
                return r;
        char **names = NULL;
        for (size_t k = 0; k < v.nsyms && r == 0; k++) {
                const Elf64_Sym *sym = &v.syms[k];
                const char *name = sym_name(&v, sym);
                if (ELF64_ST_TYPE(sym->st_info) == STT_FUNC && sym->st_shndx != SHN_UNDEF && name)
                        r = strv_push(&names, name);
        }
        elf_close(&v);
        if (r < 0) {
                strv_free(names);
                return r;
        }
        *ret = names;
        return 0;
}

/* The function of V defined in section SHNDX at offset AT, or NULL. */
static const Elf64_Sym *function_at(const struct elf_view *v, size_t shndx, uint64_t at)
{
        const Elf64_Sym *syms = v->syms;
        for (size_t k = 0; k < v->nsyms; k++)
                if (ELF64_ST_TYPE(syms[k].st_info) == STT_FUNC && syms[k].st_shndx == shndx && syms[k].st_value <= at &&
                    at < syms[k].st_value + (syms[k].st_size ? syms[k].st_size : 1))
                        return &syms[k];
        return NULL;
}

static int push_new(char ***v, const char *name, const char *self)
{
        return streq(name, self) || strv_contains(*v, name) ? 0 : strv_push(v, name);
}

int elf_function_callees(const char *path, const char *function, char ***ret_here, char ***ret_elsewhere)
{
        struct elf_view v;
        int r = elf_open(path, &v);
        if (r < 0)
                return r;
        const Elf64_Sym *syms = v.syms, *f = NULL;
        size_t n = v.nsyms;
        for (size_t k = 0; k < n && !f; k++)
                if (ELF64_ST_TYPE(syms[k].st_info) == STT_FUNC && syms[k].st_shndx != SHN_UNDEF &&
                    streq(sym_name(&v, &syms[k]) ?: "", function))
                        f = &syms[k];
        char **here = NULL, **elsewhere = NULL;
        r = f ? 0 : -ENOENT;
        /* The relocations inside the function's bytes: its calls and tail calls, and the
         * functions whose address it takes (a driver's probe, passed to a register call). */
        for (size_t i = 0; r == 0 && i < v.eh->e_shnum; i++) {
                const Elf64_Shdr *rs = &v.sh[i];
                if (rs->sh_type != SHT_RELA || rs->sh_link != v.symtab || rs->sh_info != f->st_shndx ||
                    rs->sh_entsize != sizeof(Elf64_Rela) || !in_file(v.len, rs->sh_offset, rs->sh_size))
                        continue;
                const Elf64_Rela *rel = (const Elf64_Rela *)(v.m + rs->sh_offset);
                for (size_t j = 0; r == 0 && j < rs->sh_size / sizeof *rel; j++) {
                        size_t si = ELF64_R_SYM(rel[j].r_info);
                        if (rel[j].r_offset < f->st_value || rel[j].r_offset >= f->st_value + f->st_size || si >= n)
                                continue;
                        const Elf64_Sym *t = &syms[si];
                        const char *name = sym_name(&v, t);
                        if (t->st_shndx == SHN_UNDEF) {
                                if (name)
                                        r = push_new(&elsewhere, name, function);
                                continue;
                        }
                        if (ELF64_ST_TYPE(t->st_info) == STT_SECTION) {
                                /* A static function of another section, named by its section and
                                 * an offset: PC-relative ones count from the next instruction. */
                                unsigned type = ELF64_R_TYPE(rel[j].r_info);
                                int64_t at = rel[j].r_addend + (type == R_X86_64_PC32 || type == R_X86_64_PLT32 ? 4 : 0);
                                t = at >= 0 ? function_at(&v, t->st_shndx, (uint64_t)at) : NULL;
                                name = t ? sym_name(&v, t) : NULL;
                        }
                        if (t && name && ELF64_ST_TYPE(t->st_info) == STT_FUNC)
                                r = push_new(&here, name, function);
                }
        }
        elf_close(&v);
        if (r < 0) {
                strv_free(here);
                strv_free(elsewhere);
                return r;
        }
        *ret_here = here;
        *ret_elsewhere = elsewhere;
        return 0;
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
