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

/* 0, -EBADMSG (not an x86-64 ELF64 relocatable object, or truncated) or -errno.  Relocation
 * kinds are x86-64's, and the kernels leanboot builds are: another machine's object is not read. */
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
            eh->e_machine != EM_X86_64 || eh->e_type != ET_REL || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff % 8 != 0 ||
            !in_file(len, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr))) {
                elf_close(v);
                return -EBADMSG;
        }
        v->sh = (const Elf64_Shdr *)(m + eh->e_shoff);
        for (size_t i = 0; i < eh->e_shnum; i++) {
                const Elf64_Shdr *sh = &v->sh[i];
                if (sh->sh_type != SHT_SYMTAB || sh->sh_entsize != sizeof(Elf64_Sym) || sh->sh_link >= eh->e_shnum)
                        continue;
                const Elf64_Shdr *strs = &v->sh[sh->sh_link];
                /* (tables are read in place: one at an odd offset would be a misaligned read) */
                if (sh->sh_offset % 8 != 0 || !in_file(len, sh->sh_offset, sh->sh_size) ||
                    !in_file(len, strs->sh_offset, strs->sh_size)) {
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

/* SYM is a function V defines: in one of its sections. */
static bool defined_function(const struct elf_view *v, const Elf64_Sym *sym)
{
        return ELF64_ST_TYPE(sym->st_info) == STT_FUNC && sym->st_shndx != SHN_UNDEF && sym->st_shndx < v->eh->e_shnum;
}

/* SYM's name, or NULL when it has none or it runs off its table. */
static const char *sym_name(const struct elf_view *v, const Elf64_Sym *sym)
{
        if (sym->st_name == 0 || sym->st_name >= v->strsize || !memchr(v->str + sym->st_name, '\0', v->strsize - sym->st_name))
                return NULL;
        return v->str + sym->st_name;
}

int elf_function_symbols(const char *path, char ***ret, bool **ret_global)
{
        struct elf_view v;
        int r = elf_open(path, &v);
        if (r < 0)
                return r;
        char **names = NULL;
        bool *global = NULL;
        size_t n = 0;
        for (size_t k = 0; k < v.nsyms && r == 0; k++) {
                const Elf64_Sym *sym = &v.syms[k];
                const char *name = sym_name(&v, sym);
                if (!defined_function(&v, sym) || !name)
                        continue;
                bool *more = ret_global ? realloc(global, (n + 1) * sizeof *more) : NULL;
                if (ret_global && !more) {
                        r = -ENOMEM;
                        break;
                }
                if (more) {
                        global = more;
                        global[n] = ELF64_ST_BIND(sym->st_info) != STB_LOCAL;
                }
                r = strv_push(&names, name);
                n++;
        }
        elf_close(&v);
        if (r < 0) {
                strv_free(names);
                free(global);
                return r;
        }
        *ret = names;
        if (ret_global)
                *ret_global = global;
        return 0;
}

/* Linux's struct kernel_param on x86-64 (include/linux/moduleparam.h): name, mod and ops
 * pointers, then the u16 perm. */
#define KERNEL_PARAM_SIZE 40
#define KERNEL_PARAM_PERM 24

int elf_module_params(const char *path, unsigned *ret_visible)
{
        struct elf_view v;
        int r = elf_open(path, &v);
        if (r < 0)
                return r;
        const Elf64_Shdr *names = v.eh->e_shstrndx < v.eh->e_shnum ? &v.sh[v.eh->e_shstrndx] : NULL;
        unsigned visible = 0;
        for (size_t i = 0; names && i < v.eh->e_shnum && r == 0; i++) {
                const Elf64_Shdr *sh = &v.sh[i];
                if (sh->sh_name >= names->sh_size || !in_file(v.len, names->sh_offset, names->sh_size))
                        continue;
                const char *name = (const char *)v.m + names->sh_offset + sh->sh_name;
                size_t left = names->sh_size - sh->sh_name;
                if (strnlen(name, left) == left || !streq(name, "__param"))
                        continue;
                if (sh->sh_type != SHT_PROGBITS || sh->sh_size % KERNEL_PARAM_SIZE != 0 || !in_file(v.len, sh->sh_offset, sh->sh_size)) {
                        r = -EBADMSG;
                        break;
                }
                for (uint64_t at = 0; at < sh->sh_size; at += KERNEL_PARAM_SIZE) {
                        uint16_t perm;
                        memcpy(&perm, v.m + sh->sh_offset + at + KERNEL_PARAM_PERM, sizeof perm);
                        visible += perm != 0;
                }
        }
        elf_close(&v);
        if (r < 0)
                return r;
        *ret_visible = visible;
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

/* What the compiler calls on its own, not the function's code: the ftrace hook, return and
 * indirect-branch thunks, sanitizers' and the stack protector's helpers.  Every function reaches
 * them; following them would name FUNCTION_TRACER or RETPOLINE for every initcall. */
static bool compiler_inserted(const char *name)
{
        static const char *const exact[] = { "__fentry__", "mcount", "__x86_return_thunk", "__stack_chk_fail", NULL };
        static const char *const prefix[] = { "__x86_indirect_", "__sanitizer_cov_", "__asan_", "__kasan_", "__kcsan_",
                                              "__tsan_",         "__ubsan_",         "__msan_", "__kmsan_", NULL };
        for (const char *const *e = exact; *e; e++)
                if (streq(name, *e))
                        return true;
        for (const char *const *p = prefix; *p; p++)
                if (!strncmp(name, *p, strlen(*p)))
                        return true;
        return false;
}

/* The relocation kinds that name a function's address: calls and jumps (PC32, PLT32), absolute
 * references (a probe stored into a driver's struct: 32, 32S, 64) and, in position-independent
 * code (not the kernel's, but user space's and this project's tests'), through the GOT. */
static bool names_an_address(unsigned type)
{
        return type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_32 || type == R_X86_64_32S ||
               type == R_X86_64_64 || type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX;
}

struct callees {
        const struct elf_view *v;
        const char *function;
        char **here, **elsewhere;
};

static int add_callee(struct callees *c, const Elf64_Sym *t, const char *name)
{
        if (!name || compiler_inserted(name))
                return 0;
        if (t->st_shndx == SHN_UNDEF)
                return push_new(&c->elsewhere, name, c->function);
        if (ELF64_ST_TYPE(t->st_info) != STT_FUNC)
                return 0;
        int r = push_new(&c->here, name, c->function);
        /* A weak default defined here may be overridden by another object: look that up too. */
        if (r >= 0 && ELF64_ST_BIND(t->st_info) == STB_WEAK)
                r = push_new(&c->elsewhere, name, c->function);
        return r;
}

/* The relocations of RS (one of F's section's relocation tables) inside F's bytes. */
static int relocated_callees(struct callees *c, const Elf64_Shdr *rs, const Elf64_Sym *f)
{
        const struct elf_view *v = c->v;
        const Elf64_Rela *rel = (const Elf64_Rela *)(v->m + rs->sh_offset);
        int r = 0;
        for (size_t j = 0; r >= 0 && j < rs->sh_size / sizeof *rel; j++) {
                size_t si = ELF64_R_SYM(rel[j].r_info);
                unsigned type = ELF64_R_TYPE(rel[j].r_info);
                if (rel[j].r_offset < f->st_value || rel[j].r_offset - f->st_value >= f->st_size || si >= v->nsyms ||
                    !names_an_address(type))
                        continue;
                const Elf64_Sym *t = &v->syms[si];
                if (ELF64_ST_TYPE(t->st_info) == STT_SECTION) {
                        /* A static function of another section, named by its section and an
                         * offset; a PC-relative field's addend counts from the field's end. */
                        uint64_t at = (uint64_t)rel[j].r_addend + (type == R_X86_64_PC32 || type == R_X86_64_PLT32 ? 4 : 0);
                        t = function_at(v, t->st_shndx, at);
                        if (!t || t->st_value != at)
                                continue;
                }
                r = add_callee(c, t, sym_name(v, t));
        }
        return r;
}

/* Calls and jumps to a function of F's own section: the assembler resolves those itself and
 * leaves no relocation (param_sysfs_init calling its static param_sysfs_builtin).  A call
 * (e8) or jmp (e9) opcode whose 32-bit displacement lands exactly on another function's first
 * byte counts; RELOCATED (the offsets of F's relocations) rules out fields the linker fills. */
static int same_section_callees(struct callees *c, const Elf64_Sym *f, const uint64_t *relocated, size_t nrelocated)
{
        const struct elf_view *v = c->v;
        const Elf64_Shdr *sec = &v->sh[f->st_shndx];
        if (sec->sh_type != SHT_PROGBITS || f->st_size < 5 || f->st_value > sec->sh_size || f->st_size > sec->sh_size - f->st_value ||
            !in_file(v->len, sec->sh_offset, sec->sh_size))
                return 0;
        const unsigned char *code = v->m + sec->sh_offset;
        int r = 0;
        for (uint64_t o = f->st_value; r >= 0 && o + 5 <= f->st_value + f->st_size; o++) {
                if (code[o] != 0xe8 && code[o] != 0xe9)
                        continue;
                bool filled = false;
                for (size_t k = 0; k < nrelocated && !filled; k++)
                        filled = relocated[k] == o + 1;
                int32_t disp;
                memcpy(&disp, code + o + 1, sizeof disp);
                uint64_t at = o + 5 + (uint64_t)(int64_t)disp;
                const Elf64_Sym *t = filled ? NULL : function_at(v, f->st_shndx, at);
                if (t && t->st_value == at && t != f)
                        r = add_callee(c, t, sym_name(v, t));
        }
        return r;
}

int elf_function_callees(const char *path, const char *function, char ***ret_here, char ***ret_elsewhere)
{
        struct elf_view v;
        int r = elf_open(path, &v);
        if (r < 0)
                return r;
        const Elf64_Sym *f = NULL;
        for (size_t k = 0; k < v.nsyms && !f; k++)
                if (defined_function(&v, &v.syms[k]) && streq(sym_name(&v, &v.syms[k]) ?: "", function))
                        f = &v.syms[k];
        struct callees c = { &v, function, NULL, NULL };
        uint64_t *relocated = NULL;
        size_t nrelocated = 0;
        r = f ? 0 : -ENOENT;
        /* The relocations inside the function's bytes: its calls and tail calls, and the
         * functions whose address it takes (a driver's probe, passed to a register call). */
        for (size_t i = 0; r >= 0 && i < v.eh->e_shnum; i++) {
                const Elf64_Shdr *rs = &v.sh[i];
                if (rs->sh_type != SHT_RELA || rs->sh_link != v.symtab || rs->sh_info != f->st_shndx ||
                    rs->sh_entsize != sizeof(Elf64_Rela) || rs->sh_offset % 8 != 0 || !in_file(v.len, rs->sh_offset, rs->sh_size))
                        continue;
                r = relocated_callees(&c, rs, f);
                const Elf64_Rela *rel = (const Elf64_Rela *)(v.m + rs->sh_offset);
                for (size_t j = 0; r >= 0 && j < rs->sh_size / sizeof *rel; j++) {
                        if (rel[j].r_offset < f->st_value || rel[j].r_offset - f->st_value >= f->st_size)
                                continue;
                        uint64_t *more = realloc(relocated, (nrelocated + 1) * sizeof *more);
                        if (!more) {
                                r = -ENOMEM;
                                break;
                        }
                        relocated = more;
                        relocated[nrelocated++] = rel[j].r_offset;
                }
        }
        if (r >= 0)
                r = same_section_callees(&c, f, relocated, nrelocated);
        free(relocated);
        elf_close(&v);
        if (r < 0) {
                strv_free(c.here);
                strv_free(c.elsewhere);
                return r;
        }
        *ret_here = c.here;
        *ret_elsewhere = c.elsewhere;
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
        _cleanup_free_ bool *global = NULL;
        if (!path)
                return -ENOMEM;
        if (elf_function_symbols(path, &funcs, &global) < 0)
                return 0; /* not an object after all (a stray .o): nothing it defines counts */
        w->idx->objects++;
        unsigned visible = 0;
        int r = 0;
        if (elf_module_params(path, &visible) == 0 && visible > 0) {
                struct objparams *more = realloc(w->idx->params, (w->idx->nparams + 1) * sizeof *more);
                char *obj = strdup(rel);
                if (more)
                        w->idx->params = more;
                if (!more || !obj) {
                        free(obj);
                        strv_free(funcs);
                        return -ENOMEM;
                }
                w->idx->params[w->idx->nparams++] = (struct objparams){ obj, visible };
        }
        char **f = funcs;
        for (; f && *f && r == 0; f++) {
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
                w->idx->v[w->idx->n++] = (struct objsym){ TAKE_PTR(*f), obj, global[f - funcs] };
        }
        /* the names taken are NULL now: what is left from F on, then the vector */
        for (; f && *f; f++)
                free(*f);
        free(funcs);
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
        for (size_t i = 0; i < idx->nparams; i++)
                free(idx->params[i].object);
        free(idx->params);
        *idx = (struct objsyms){ 0 };
}
