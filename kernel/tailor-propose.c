/* The tailor's proposals: the map of the best kernel's boots, the rules that name options worth a
 * cut (the map's own, what keeps an option on, a hidden prompt, a callee's object, a module
 * parameter's share, background work, a moved cost, a driver's shapers), and the kernel's kconfig and the
 * machine's and guest's needs deciding each before a build.  See tailor-ctx.h. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgwork.h"
#include "callees.h"
#include "fragment.h"
#include "kmakefile.h"
#include "kmap.h"
#include "paramcost.h"
#include "tailor-ctx.h"
#include "../common/guest-needs.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/macro.h"
#include "../common/strv.h"

/* Append I to the -1 ended list *V of *N indexes. */
static int push_index(int **v, size_t *n, int i)
{
        int *more = realloc(*v, (*n + 2) * sizeof *more);
        if (!more)
                return -ENOMEM;
        more[(*n)++] = i;
        more[*n] = -1;
        *v = more;
        return 0;
}

bool tailor_is_on(const struct kconfig *c, const char *name)
{
        const char *v = kconfig_value(c, name);
        return streq(v, "y") || streq(v, "m");
}

/* What the kernel's kconfig makes of the start with CHANGES: *ret (loaded). */
int tailor_resolve_changes(struct tailor_ctx *x, char *const *changes, const char *out, struct kconfig *ret)
{
        int r = ktree_resolve(&x->tree, x->start_config, changes, out);
        if (r < 0)
                return r;
        _cleanup_free_ char *err = NULL;
        r = kconfig_load(out, ret, &err);
        return r < 0 ? log_error_status(r, "%s", err ? err : out) : 0;
}

static char *machine_needs(const struct kconfig *c, enum machine m)
{
        _cleanup_free_ char *why = NULL;
        unsigned ok = kconfig_machines(c, false, &why);
        if (ok & (1u << m))
                return NULL;
        /* WHY says "no microvm: ...; no pc: ...": the part about this machine. */
        char key[32];
        snprintf(key, sizeof key, "no %s: ", machine_name(m));
        const char *part = why ? strstr(why, key) : NULL;
        size_t len = part ? strcspn(part + strlen(key), ";") : 0;
        char *s = NULL;
        if (asprintf(&s, "the %s machine needs it (%.*s)", machine_name(m), (int)len,
                     part ? part + strlen(key) : "see kernel check") < 0)
                return NULL;
        return s;
}

/* --keep names OPTION ("CONFIG_X"), with or without its prefix. */
static bool kept_by_hand(const struct tailor_ctx *x, const char *option)
{
        return strv_contains(x->o->keep, option) || (strncmp(option, "CONFIG_", 7) == 0 && strv_contains(x->o->keep, option + 7));
}


/* C stays on because its prompt is hidden (VT: "bool "Virtual terminal" if EXPERT", and
 * x86_64_defconfig has EXPERT off): a hidden prompt leaves an option at its default, whatever a
 * config says.  Each plain symbol of the prompt's condition that START has off is tried on, with
 * the cut, on top of BASE; the first that lets kconfig take C off becomes C->shown_by, and what
 * kconfig made of it *RET (the rules after weigh that). */
static int show_prompt(struct tailor_ctx *x, char *const *base, const struct kconfig *start, struct cut *c, const char *probe,
                       struct kconfig *ret)
{
        _cleanup_free_ char *cond = kconfig_prompt_condition(x->src, c->option);
        _cleanup_strv_free_ char **terms = cond && *cond ? kconfig_conjuncts(cond) : NULL;
        for (char **t = terms; t && *t; t++) {
                _cleanup_free_ char *sym = NULL;
                if (asprintf(&sym, "CONFIG_%s", *t) < 0)
                        return -ENOMEM;
                if (tailor_is_on(start, sym))
                        continue;
                _cleanup_strv_free_ char **changes = NULL;
                _cleanup_(kconfig_free) struct kconfig res = { 0 };
                int r = 0;
                for (char *const *b = base; r >= 0 && b && *b; b++)
                        r = strv_push(&changes, *b);
                r = r ?: strv_pushf(&changes, "%s=y", sym);
                r = r ?: tailor_push_cut(c, &changes);
                r = r ?: tailor_resolve_changes(x, changes, probe, &res);
                if (r < 0)
                        return r;
                if (!tailor_is_on(&res, c->option) && tailor_is_on(&res, sym)) {
                        c->shown_by = TAKE_PTR(sym);
                        kconfig_free(ret);
                        *ret = res;
                        res = (struct kconfig){ 0 };
                        return 0;
                }
        }
        return 0;
}

/* One option of the map, checked against kconfig alone (no build), on top of the best kernel so
 * far (BASE: its changes to the start; START: its config): can it go, and what goes with it?  Its
 * cut gets a status: queued, or kept with the reason. */
static int weigh_cut(struct tailor_ctx *x, char *const *base, const struct kconfig *start, struct cut *c)
{
        _cleanup_free_ char *probe = path_join(x->rundir, "probe.config");
        _cleanup_strv_free_ char **changes = NULL;
        _cleanup_(kconfig_free) struct kconfig res = { 0 };
        int r = 0;
        for (char *const *b = base; r >= 0 && b && *b; b++)
                r = strv_push(&changes, *b);
        r = r ?: tailor_push_cut(c, &changes);
        r = r ?: tailor_resolve_changes(x, changes, probe, &res);
        if (r < 0)
                return r;
        if (tailor_is_on(&res, c->option)) {
                /* A choice member goes when another member comes: try them in Kconfig's order. */
                _cleanup_strv_free_ char **members = kconfig_choice_members(x->src, c->option);
                for (char **m = members; m && *m; m++) {
                        _cleanup_free_ char *alt = NULL;
                        if (asprintf(&alt, "CONFIG_%s", *m) < 0)
                                return -ENOMEM;
                        if (streq(alt, c->option) || tailor_is_on(start, alt))
                                continue;
                        _cleanup_strv_free_ char **with_alt = NULL;
                        kconfig_free(&res);
                        for (char *const *b = base; r >= 0 && b && *b; b++)
                                r = strv_push(&with_alt, *b);
                        r = r ?: tailor_push_cut(c, &with_alt);
                        r = r ?: strv_pushf(&with_alt, "%s=y", alt);
                        r = r ?: tailor_resolve_changes(x, with_alt, probe, &res);
                        if (r < 0)
                                return r;
                        if (!tailor_is_on(&res, c->option) && tailor_is_on(&res, alt)) {
                                c->alt = TAKE_PTR(alt);
                                break;
                        }
                }
                if (!c->alt && !members && (r = show_prompt(x, base, start, c, probe, &res)) < 0)
                        return r;
                if (!c->alt && !c->shown_by) {
                        _cleanup_strv_free_ char **sel = members ? NULL : kconfig_selectors(x->src, c->option);
                        _cleanup_free_ char *on = sel ? kconfig_names_on(sel, start) : NULL;
                        c->status = CUT_KEPT;
                        if (on && *on)
                                r = asprintf(&c->why, "kconfig keeps it on: selected by %s", on);
                        else
                                c->why = strdup(members ? "kconfig keeps it on: no other member of its choice can replace it"
                                                        : "kconfig keeps it on: it has no prompt, or what selects it is on");
                        return r < 0 ? -ENOMEM : 0;
                }
        }
        const char *unpack = x->initrd_known ? initrd_kconfig_lacks(&res, &x->initrd) : NULL;
        if (unpack) {
                c->status = CUT_KEPT;
                if (asprintf(&c->why, "the appliance's initrd (%s) needs it (%s is not set)", x->initrd.name, unpack) < 0)
                        return c->why = NULL, -ENOMEM;
                return 0;
        }
        char *need = machine_needs(&res, x->o->machine);
        if (need) {
                c->status = CUT_KEPT;
                c->why = need;
                return 0;
        }
        const char *guest_why = NULL, *guest = kconfig_guest_lacks(&res, &guest_why);
        if (guest) {
                c->status = CUT_KEPT;
                if (asprintf(&c->why, "leanboot's guest needs it (%s is not set: %s)", guest, guest_why) < 0)
                        return c->why = NULL, -ENOMEM;
                return 0;
        }
        /* Without a driver for the root, no candidate boots: that needs no build to find out. */
        const char *lacks = x->root_known ? extfs_kconfig_lacks(&res, &x->root_fs) : NULL;
        if (lacks) {
                c->status = CUT_KEPT;
                if (asprintf(&c->why, "the appliance's root file system needs it (%s)", lacks) < 0)
                        return c->why = NULL, -ENOMEM;
                return 0;
        }
        /* What goes with it: options set in the start (values too: BLK_DEV_LOOP_MIN_COUNT goes
         * with BLK_DEV_LOOP) that the resolved config lacks.  The fragment says them off, or a
         * fragment the start was made with, still asking for them, fails kernel build's check. */
        for (size_t i = 0; i < start->n; i++) {
                const char *n = start->opts[i].name;
                if (!streq(kconfig_value(start, n), "n") && streq(kconfig_value(&res, n), "n") && !streq(n, c->option) &&
                    strv_push(&c->also_off, n) < 0)
                        return -ENOMEM;
        }
        /* --keep is kept whichever cut would take it. */
        for (char **o = c->also_off; o && *o; o++)
                if (kept_by_hand(x, *o)) {
                        c->status = CUT_KEPT;
                        return asprintf(&c->why, "kconfig takes %s off with it, which --keep keeps", *o + 7) < 0 ? (c->why = NULL, -ENOMEM) : 0;
                }
        c->status = CUT_QUEUED;
        return 0;
}

static int propose_one(struct tailor_ctx *x, char *const *base, const struct kconfig *start, struct cut *c)
{
        int r = weigh_cut(x, base, start, c);
        /* what would have shown its prompt is no part of a cut that stays */
        if (c->status != CUT_QUEUED) {
                free(c->shown_by);
                c->shown_by = NULL;
        }
        return r;
}

/* A new cut of OPTION (queued until propose_one decides); ORIGIN (taken) says why it was
 * proposed when the map did not name it. */
static int add_cut(struct tailor_state *s, const char *option, long long cost_us, int initcalls, char *origin)
{
        struct cut *more = realloc(s->cuts, (s->ncuts + 1) * sizeof *more);
        if (!more) {
                free(origin);
                return -ENOMEM;
        }
        s->cuts = more;
        s->cuts[s->ncuts] = (struct cut){ .option = strdup(option), .cost_us = cost_us, .initcalls = initcalls, .origin = origin };
        if (!s->cuts[s->ncuts].option) {
                free(origin);
                return -ENOMEM;
        }
        s->ncuts++;
        return 0;
}

static ssize_t cut_index(const struct tailor_state *s, const char *option)
{
        for (size_t i = 0; i < s->ncuts; i++)
                if (streq(s->cuts[i].option, option))
                        return (ssize_t)i;
        return -1;
}

/* " (with EXPERT on, which shows its prompt)" for a cut C shown by EXPERT, else "" (for the
 * log; NULL without memory). */
static char *shown_by_note(const struct cut *c)
{
        char *note = NULL;
        if (!c->shown_by)
                return strdup("");
        return asprintf(&note, " (with %s on, which shows its prompt)", c->shown_by + 7) < 0 ? NULL : note;
}

/* --keep, or propose_one: the cut S->cuts[I] gets its status. */
static int propose_or_keep(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, size_t i)
{
        struct cut *c = &x->s.cuts[i];
        int r = 0;
        if (kept_by_hand(x, c->option)) {
                c->status = CUT_KEPT;
                c->why = strdup("kept by --keep");
        } else {
                r = propose_one(x, base, ref, c);
        }
        _cleanup_free_ char *shown = shown_by_note(c);
        log_info("  %-28s %8.3f ms  %s%s%s%s%s%s", c->option, (double)c->cost_us / 1000, c->status == CUT_QUEUED ? "to try" : "kept: ",
                 c->why ? c->why : "", c->alt ? " (its choice's other member instead)" : "", shown ? shown : "",
                 c->origin ? "; proposed as it " : "", c->origin ? c->origin : "");
        return r;
}

/* Forget the last cut (a selector that proved useless: see follow_selectors). */
static void pop_cut(struct tailor_state *s)
{
        tailor_cut_free(&s->cuts[--s->ncuts]);
}

/* How many tries of what keeps an option on one option may resolve, and one map in all: each is
 * a run of olddefconfig, and the crypto API's selectors fan out by the dozen.  Each option has
 * its own allowance, so that one fan-out does not leave the next option none. */
#define MAX_KEEPER_TRIES 24
#define MAX_KEEPER_TRIES_PER_MAP 96

static const char kept_select_why[] = "kconfig keeps it on: selected by ";
static const char kept_no_prompt_why[] = "kconfig keeps it on: it has no prompt, or what selects it is on";

static bool kept_by_select(const struct cut *c)
{
        return c->status == CUT_KEPT && c->why && strncmp(c->why, kept_select_why, sizeof kept_select_why - 1) == 0;
}

static bool kept_without_prompt(const struct cut *c)
{
        return c->status == CUT_KEPT && c->why && streq(c->why, kept_no_prompt_why);
}

/* What keeps the kept cut C on, that cutting could take off ("CONFIG_X" names that are y in REF,
 * not --keep; a strv): the entries that select it; for an entry without a prompt that nothing
 * on selects (CRYPTO_DRBG: "default CRYPTO_DRBG_MENU" inside "if CRYPTO_DRBG_MENU"), the symbols
 * its dependencies need on, the innermost first. */
static int keepers_of(const struct tailor_ctx *x, const struct cut *c, const struct kconfig *ref, char ***ret)
{
        _cleanup_strv_free_ char **names = NULL;
        if (kept_by_select(c)) {
                names = kconfig_selectors(x->src, c->option);
        } else if (kept_without_prompt(c)) {
                _cleanup_free_ char *deps = kconfig_depends(x->src, c->option);
                _cleanup_strv_free_ char **terms = deps ? kconfig_conjuncts(deps) : NULL;
                for (size_t n = strv_length(terms); n > 0; n--)
                        if (strv_push(&names, terms[n - 1]) < 0)
                                return -ENOMEM;
        }
        for (char **p = names; p && *p; p++) {
                _cleanup_free_ char *full = NULL;
                if (asprintf(&full, "CONFIG_%s", *p) < 0)
                        return -ENOMEM;
                if (streq(kconfig_value(ref, full), "y") && !kept_by_hand(x, full) && !strv_contains(*ret, full) &&
                    strv_consume(ret, TAKE_PTR(full)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Why a cut of NAMES together with PATH (the map's option, down to the one NAMES keep on) was
 * proposed: "selects SUNRPC, which kconfig keeps on"; "keeps CRYPTO_JITTERENTROPY on (through
 * CRYPTO_RNG_DEFAULT, CRYPTO_DRBG_MENU, CRYPTO_DRBG), with CRYPTO_ECHAINIV". */
static char *keeper_origin(char *const *path, char *const *names)
{
        size_t np = strv_length(path), nn = strv_length(names);
        char *o = NULL;
        if (np == 1 && nn == 1)
                return asprintf(&o, "selects %s, which kconfig keeps on", path[0] + 7) < 0 ? NULL : o;
        _cleanup_strv_free_ char **through = NULL, **with = NULL;
        for (size_t i = np; i > 1; i--)
                if (strv_push(&through, path[i - 1] + 7) < 0)
                        return NULL;
        for (size_t i = 1; i < nn; i++)
                if (strv_push(&with, names[i] + 7) < 0)
                        return NULL;
        _cleanup_free_ char *t = through ? strv_join(through, ", ") : NULL, *w = with ? strv_join(with, ", ") : NULL;
        if (asprintf(&o, "keeps %s on%s%s%s%s%s", path[0] + 7, t ? " (through " : "", t ? t : "", t ? ")" : "", w ? ", with " : "",
                     w ? w : "") < 0)
                return NULL;
        return o;
}

/* A cut of NAMES[0], with the other NAMES and PATH (the map's option ROOT first, then what keeps
 * it on, down to the one NAMES keep on) cut together: proposed when kconfig then takes ROOT off
 * (*FOUND), with ROOT's cost; otherwise forgotten, its verdict moved to RET_KEPT (when not NULL)
 * for follow_keepers to go on from. */
static int try_keepers(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, size_t root, char *const *path,
                       char *const *names, struct cut *ret_kept, bool *found)
{
        struct tailor_state *s = &x->s;
        char *origin = keeper_origin(path, names);
        if (!origin)
                return -ENOMEM;
        int r = add_cut(s, names[0], s->cuts[root].cost_us, s->cuts[root].initcalls, origin);
        if (r < 0)
                return r;
        struct cut *c = &s->cuts[s->ncuts - 1];
        for (char *const *p = path; r >= 0 && p && *p; p++)
                r = strv_push(&c->with, *p);
        for (char *const *p = names + 1; r >= 0 && *p; p++)
                r = strv_push(&c->with, *p);
        r = r ?: propose_one(x, base, ref, c);
        if (r < 0)
                return r;
        if (c->status == CUT_QUEUED && strv_contains(c->also_off, path[0])) {
                _cleanup_free_ char *shown = shown_by_note(c);
                log_info("  %-28s %8.3f ms  to try%s; proposed as it %s", c->option, (double)c->cost_us / 1000, shown ? shown : "",
                         c->origin);
                *found = true;
                return 0;
        }
        if (ret_kept) {
                *ret_kept = (struct cut){ .option = TAKE_PTR(c->option), .status = c->status, .why = TAKE_PTR(c->why) };
        }
        pop_cut(s);
        return 0;
}

/* Take the map's option ROOT off by cutting what keeps it on (keepers_of KEPT, the cut of PATH's
 * last option; PATH starts at ROOT): each alone, and one that kconfig keeps on in turn is followed
 * the same way (DEPTH levels at most); then, when several select it and none takes it off alone,
 * all of them together; then all of them with each that others select replaced by what selects
 * it, as deep as it was followed (*RET_LEAVES: this level's such set).  The first that takes ROOT
 * off is proposed (NFS_FS for SUNRPC; CRYPTO_SEQIV and CRYPTO_ECHAINIV, through
 * CRYPTO_RNG_DEFAULT, CRYPTO_DRBG_MENU and CRYPTO_DRBG, for CRYPTO_JITTERENTROPY; defconfig's
 * TRACING, selected by KPROBE_EVENTS, UPROBE_EVENTS and GENERIC_TRACER, which BLK_DEV_IO_TRACE
 * selects: the three prompts together); the others are forgotten.  An option that is not y
 * (built in) is left. */
static int follow_keepers(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, size_t root, char ***path,
                          const struct cut *kept, int depth, int *tries, bool *found, char ***ret_leaves)
{
        struct tailor_state *s = &x->s;
        _cleanup_strv_free_ char **keepers = NULL, **leaves = NULL;
        int r = keepers_of(x, kept, ref, &keepers);
        bool any_cut = false, deeper = false;
        for (char **p = keepers; r >= 0 && p && *p && !*found && *tries < MAX_KEEPER_TRIES; p++) {
                if (cut_index(s, *p) >= 0 || strv_contains(*path, *p)) {
                        any_cut = true;
                        continue;
                }
                (*tries)++;
                struct cut next = { 0 };
                char *one[] = { *p, NULL };
                r = try_keepers(x, base, ref, root, *path, one, &next, found);
                _cleanup_strv_free_ char **sub = NULL;
                if (r >= 0 && !*found && depth > 1 && (kept_by_select(&next) || kept_without_prompt(&next))) {
                        size_t n = strv_length(*path);
                        r = strv_push(path, next.option);
                        r = r ?: follow_keepers(x, base, ref, root, path, &next, depth - 1, tries, found, &sub);
                        free((*path)[n]);
                        (*path)[n] = NULL;
                }
                /* what takes this one off, when others select it: what selects it, as followed */
                if (r >= 0 && kept_by_select(&next) && sub) {
                        for (char **q = sub; r >= 0 && *q; q++)
                                if (!strv_contains(leaves, *q))
                                        r = strv_push(&leaves, *q);
                        deeper = true;
                } else if (r >= 0 && !strv_contains(leaves, *p))
                        r = strv_push(&leaves, *p);
                tailor_cut_free(&next);
        }
        /* Selected by several that are on, none of which takes it off alone (CRYPTO_RNG_DEFAULT,
         * by CRYPTO_SEQIV and CRYPTO_ECHAINIV): all of them together, unless one is a cut already. */
        bool together = r >= 0 && !*found && !any_cut && kept_by_select(kept);
        if (together && strv_length(keepers) > 1 && *tries < MAX_KEEPER_TRIES) {
                (*tries)++;
                r = try_keepers(x, base, ref, root, *path, keepers, NULL, found);
        }
        /* one of them selected in turn (GENERIC_TRACER): what selects it instead */
        if (together && r >= 0 && !*found && deeper && strv_length(leaves) > 1 && *tries < MAX_KEEPER_TRIES) {
                (*tries)++;
                r = try_keepers(x, base, ref, root, *path, leaves, NULL, found);
        }
        if (r >= 0 && ret_leaves)
                *ret_leaves = TAKE_PTR(leaves);
        return r;
}

static bool in_indexes(const int *v, size_t n, ssize_t i)
{
        for (size_t k = 0; k < n; k++)
                if (v[k] == i)
                        return true;
        return false;
}

/* An option kconfig keeps on (others select it, or it has no prompt) goes only with what keeps
 * it on: for each such cut of this map (the N indexes MAPPED), the cut follow_keepers finds
 * carries its cost (NFS_FS for SUNRPC).  Those in LATE (NLATE indexes) come after all the
 * others: options an initcall reaches whose own option is searched too (propose_callee_options). */
static int propose_keepers(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, const int *mapped, size_t n,
                           const int *late, size_t nlate)
{
        struct tailor_state *s = &x->s;
        int total = 0, r = 0;
        /* The costliest first, while the map's allowance lasts (HW_CONSOLE, for chr_dev_init's
         * 3 ms, is proposed after the map's own cuts); those in LATE after all the others. */
        _cleanup_free_ int *order = n ? malloc(n * sizeof *order) : NULL;
        if (n && !order)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++) {
                bool is_late = in_indexes(late, nlate, mapped[k]);
                size_t j = k;
                for (; j > 0; j--) {
                        const struct cut *before = &s->cuts[order[j - 1]];
                        bool before_late = in_indexes(late, nlate, order[j - 1]);
                        if (before_late == is_late ? before->cost_us >= s->cuts[mapped[k]].cost_us : !before_late)
                                break;
                        order[j] = order[j - 1];
                }
                order[j] = mapped[k];
        }
        for (size_t k = 0; r >= 0 && k < n && total < MAX_KEEPER_TRIES_PER_MAP; k++) {
                size_t i = (size_t)order[k];
                if (!kept_by_select(&s->cuts[i]) && !kept_without_prompt(&s->cuts[i]))
                        continue;
                _cleanup_strv_free_ char **path = NULL;
                bool found = false;
                int tries = 0;
                r = strv_push(&path, s->cuts[i].option);
                /* a copy: the cuts it adds may move s->cuts */
                struct cut kept = { .option = strdup(s->cuts[i].option), .status = s->cuts[i].status, .why = strdup(s->cuts[i].why) };
                if (!kept.option || !kept.why)
                        r = -ENOMEM;
                r = r ?: follow_keepers(x, base, ref, i, &path, &kept, 4, &tries, &found, NULL);
                tailor_cut_free(&kept);
                total += tries;
        }
        return r;
}

/* Cuts dropped so far (a new map is due when a round changed this). */
int tailor_dropped_count(const struct tailor_state *s)
{
        int n = 0;
        for (size_t i = 0; i < s->ncuts; i++)
                n += s->cuts[i].status == CUT_DROPPED;
        return n;
}

static int propose_shapers(struct tailor_ctx *x, const char *owner, const char *object, const char *initcall, const char *what,
                           long long cost_us, char *const *base, const struct kconfig *ref, int **fresh, size_t *nfresh);

/* The cuts of this map (the N indexes MAPPED) that stay (the machine needs them, or kconfig
 * keeps them; not --keep), each initcall of theirs in L costing MIN_COST or more: what shapes its
 * object is proposed (propose_shapers).  Appended to the cuts; the batch takes them. */
static int propose_kept_shapers(struct tailor_ctx *x, const struct initcall_log *l, char *const *base, const struct kconfig *ref,
                                const int *mapped, size_t n, long long min_cost)
{
        struct tailor_state *s = &x->s;
        bool any = false;
        for (size_t k = 0; k < n; k++) {
                const struct cut *c = &s->cuts[mapped[k]];
                any = any || (c->status == CUT_KEPT && c->cost_us >= min_cost && !kept_by_hand(x, c->option));
        }
        if (!any)
                return 0;
        struct kmap_origin *orig = NULL;
        int r = kmap_origins(x->tree.obj, x->src, l, &orig);
        if (r < 0)
                return log_error_errno(r, "cannot map the initcalls to the build tree %s", x->tree.obj);
        _cleanup_free_ int *fresh = NULL;
        size_t nfresh = 0;
        for (size_t k = 0; r >= 0 && k < l->n; k++) {
                const struct initcall *ic = &l->calls[k];
                const char *owner = orig[k].options ? orig[k].options[0] : NULL;
                ssize_t ci = owner && orig[k].object && ic->usecs >= min_cost ? cut_index(s, owner) : -1;
                bool mine = false;
                for (size_t m = 0; ci >= 0 && m < n; m++)
                        mine = mine || mapped[m] == ci;
                if (!mine || s->cuts[ci].status != CUT_KEPT || kept_by_hand(x, owner))
                        continue;
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "costs %.3f ms", (double)ic->usecs / 1000) < 0)
                        r = -ENOMEM;
                else
                        r = propose_shapers(x, owner, orig[k].object, ic->name, what, ic->usecs, base, ref, &fresh, &nfresh);
        }
        kmap_origins_free(orig, l->n);
        return r;
}

static void reset_verdict(struct cut *c);

/* Takes I out of the N indexes V, if there. */
static void forget_index(int *v, size_t n, ssize_t i)
{
        for (size_t k = 0; k < n; k++)
                if (v[k] == i)
                        v[k] = -2; /* no cut's index, and not the list's end */
}

/* An initcall every kernel builds (chr_dev_init), or one whose owner stays, still spends its
 * time in objects that options build: vty_init, in drivers/tty/vt/vt.o, reached through tty_init.
 * For each initcall of L costing MIN_COST or more of those kinds, the options naming the objects
 * it reaches (callees.h) are proposed, each with the initcall's cost, the most its cut can save.
 * Those kconfig keeps on join *MAPPED, for propose_keepers to find what keeps them (vt.o's
 * option, HW_CONSOLE, has no prompt: VT keeps it); those the machine or the guest keeps are
 * forgotten, as noise in the report.  An initcall whose own option kconfig keeps on is searched
 * for through that option first: cutting it saves the whole initcall, while what the initcall
 * reaches is mostly infrastructure it selects or depends on (jent_mod_init, 22 ms of defconfig's
 * boot, reaches CRYPTO, CRYPTO_HASH2, CRYPTO_RNG2 and CRYPTO_ALGAPI2, which its search would
 * otherwise take the map's whole allowance on).  Such options join *LATE, searched after the
 * rest; one the map named keeps its own cost, one it did not gets the initcall's (the most its
 * cut can save), which orders it only among the late. */
static int propose_callee_options(struct tailor_ctx *x, const struct initcall_log *l, const struct objsyms *idx, char *const *base,
                                  const struct kconfig *ref, int **mapped, size_t *nmapped, int **late, size_t *nlate,
                                  long long min_cost)
{
        struct tailor_state *s = &x->s;
        struct kmap_origin *orig = NULL;
        int r = kmap_origins(x->tree.obj, x->src, l, &orig);
        if (r < 0) {
                kmap_origins_free(orig, l->n);
                return log_error_errno(r, "cannot map the initcalls to the build tree %s", x->tree.obj);
        }
        _cleanup_strv_free_ char **weighed = NULL;
        for (size_t k = 0; r >= 0 && k < l->n; k++) {
                const struct initcall *ic = &l->calls[k];
                const char *owner = orig[k].options ? orig[k].options[0] : NULL;
                ssize_t oi = owner ? cut_index(s, owner) : -1;
                bool stays = oi >= 0 && s->cuts[oi].status == CUT_KEPT && !kept_by_hand(x, owner);
                if (!orig[k].object || ic->usecs < min_cost || (owner && !stays))
                        continue;
                bool owner_searched = oi >= 0 && in_indexes(*mapped, *nmapped, oi) &&
                                      (kept_by_select(&s->cuts[oi]) || kept_without_prompt(&s->cuts[oi]));
                _cleanup_strv_free_ char **options = NULL, **paths = NULL;
                r = callees_options(idx, x->tree.obj, x->src, orig[k].object, ic->name, CALLEE_DEPTH, MAX_CALLEES, &options, &paths);
                if (r < 0 && r != -ENOMEM) {
                        r = 0; /* its object is gone from the tree: nothing to read */
                        continue;
                }
                for (size_t j = 0; r >= 0 && options && options[j]; j++) {
                        const char *o = options[j];
                        ssize_t i = cut_index(s, o);
                        bool fresh = i < 0;
                        /* Each option once a call (each weighing is an olddefconfig); one a
                         * rule kept before is weighed again: what kept it may be gone. */
                        if (!owner_searched && i >= 0 && in_indexes(*mapped, *nmapped, i) && s->cuts[i].cost_us < ic->usecs &&
                            (kept_by_select(&s->cuts[i]) || kept_without_prompt(&s->cuts[i]))) {
                                /* The map weighed it first, by its own initcalls (HW_CONSOLE: 0.037
                                 * ms of vtconsole_class_init); what keeps it on is worth as much as
                                 * the initcall that reaches it, and propose_keepers goes by cost. */
                                s->cuts[i].cost_us = ic->usecs;
                                if (!s->cuts[i].origin &&
                                    asprintf(&s->cuts[i].origin, "builds what %s reaches (%s), which costs %.3f ms", ic->name,
                                             paths[j], (double)ic->usecs / 1000) < 0)
                                        s->cuts[i].origin = NULL;
                        }
                        /* reached again, from a costlier initcall of the log: worth that; and
                         * from one no other search covers: not late */
                        if (!owner_searched && i >= 0 && strv_contains(weighed, o)) {
                                if (s->cuts[i].cost_us < ic->usecs)
                                        s->cuts[i].cost_us = ic->usecs;
                                forget_index(*late, *nlate, i);
                        }
                        if (strv_contains(weighed, o) || !streq(kconfig_value(ref, o), "y") || kept_by_hand(x, o) ||
                            (i >= 0 && (!tailor_decided_without_build(x, &s->cuts[i]) || in_indexes(*mapped, *nmapped, i))))
                                continue;
                        r = strv_push(&weighed, o);
                        if (r < 0)
                                break;
                        if (i >= 0) {
                                reset_verdict(&s->cuts[i]);
                                /* weighed by what reaches it now (a 3 ms initcall), not by what it
                                 * cost when a rule kept it */
                                if (s->cuts[i].cost_us < ic->usecs && !owner_searched)
                                        s->cuts[i].cost_us = ic->usecs;
                        } else {
                                char *origin = NULL;
                                if (asprintf(&origin, "builds what %s reaches (%s), which costs %.3f ms%s%s%s", ic->name, paths[j],
                                             (double)ic->usecs / 1000, owner ? " (" : "", owner ? owner + 7 : "",
                                             owner ? " stays)" : "") < 0)
                                        return kmap_origins_free(orig, l->n), -ENOMEM;
                                r = add_cut(s, o, ic->usecs, 0, origin);
                                i = (ssize_t)s->ncuts - 1;
                        }
                        r = r ?: propose_or_keep(x, base, ref, (size_t)i);
                        if (r < 0)
                                break;
                        if (kept_by_select(&s->cuts[i]) || kept_without_prompt(&s->cuts[i])) {
                                r = push_index(mapped, nmapped, (int)i);
                                if (r >= 0 && owner_searched)
                                        r = push_index(late, nlate, (int)i);
                        } else if (s->cuts[i].status != CUT_QUEUED && fresh)
                                pop_cut(s);
                }
        }
        kmap_origins_free(orig, l->n);
        return r;
}

/* A rule's proposal of OPTION ("CONFIG_X") for COST, time that no initcall of its own shows (a
 * share of param_sysfs_init, background work), ORIGIN (taken) saying why.  A cut this map
 * proposed already (queued), or that the keepers' search will take off, gets COST on top; one
 * kconfig or the machine kept before is weighed again; one a build decided stays decided.  One
 * kconfig keeps on joins *MAPPED (the keepers' search), as the map's own do. */
static int propose_share(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, int **mapped, size_t *nmapped,
                         const char *o, long long cost, char *origin)
{
        struct tailor_state *s = &x->s;
        _cleanup_free_ char *why = origin;
        ssize_t i = cut_index(s, o);
        bool fresh = i < 0;
        if (kept_by_hand(x, o))
                return 0;
        /* proposed by this map already (every queued cut is: a round starts with no group
         * left), or kept on by what the keepers' search will cut: worth its share more */
        bool keepers_due = i >= 0 && in_indexes(*mapped, *nmapped, i) && (kept_by_select(&s->cuts[i]) || kept_without_prompt(&s->cuts[i]));
        if (i >= 0 && (s->cuts[i].status == CUT_QUEUED || keepers_due)) {
                s->cuts[i].cost_us += cost;
                return 0;
        }
        if (i >= 0 && (in_indexes(*mapped, *nmapped, i) || !tailor_decided_without_build(x, &s->cuts[i])))
                return 0;
        int r = 0;
        if (i >= 0) {
                reset_verdict(&s->cuts[i]);
                s->cuts[i].cost_us = cost;
        } else {
                r = add_cut(s, o, cost, 0, TAKE_PTR(why));
                i = (ssize_t)s->ncuts - 1;
        }
        r = r ?: propose_or_keep(x, base, ref, (size_t)i);
        if (r >= 0 && (kept_by_select(&s->cuts[i]) || kept_without_prompt(&s->cuts[i])))
                r = push_index(mapped, nmapped, (int)i);
        else if (r >= 0 && s->cuts[i].status != CUT_QUEUED && fresh)
                pop_cut(s); /* the machine or the guest keeps it: noise in the report */
        return r;
}

/* param_sysfs_init (no option builds it) costs what the built-in module parameters make it do
 * (paramcost.h): each option declaring them is proposed with its estimated share of L's
 * param_sysfs_init, when that is MIN_COST or more.  A cut of the map's own (queued now) takes its
 * share on top of its initcalls' cost; one kconfig keeps on joins *MAPPED, as the callees' do. */
static int propose_param_options(struct tailor_ctx *x, const struct initcall_log *l, const struct objsyms *idx, char *const *base,
                                 const struct kconfig *ref, int **mapped, size_t *nmapped, long long min_cost)
{
        /* built in: the parser's module is "" (kernel/params.o is always built in) */
        ssize_t at = initcall_find(l, "param_sysfs_init", "", 0);
        const struct initcall *ic = at >= 0 ? &l->calls[at] : NULL;
        if (!ic || ic->usecs < min_cost)
                return 0;
        struct param_share *v = NULL;
        size_t n = 0;
        int r = param_shares(idx, x->src, ref, &v, &n);
        if (r < 0)
                return log_error_errno(r, "cannot read the module parameters of the build tree %s", x->tree.obj);
        /* The rule's own line: what the shares are, also when each is under the floor or its
         * option is decided already (and so not listed again below). */
        if (n)
                log_info("  param_sysfs_init %.3f ms: the module parameters of %zu option(s); the largest share, %s's "
                         "(%u in %s), about %.3f ms",
                         (double)ic->usecs / 1000, n, v[0].option, v[0].params, v[0].object, v[0].share * (double)ic->usecs / 1000);
        for (size_t j = 0; r >= 0 && j < n; j++) {
                long long cost = (long long)(v[j].share * (double)ic->usecs);
                char *origin = NULL;
                if (cost < min_cost)
                        continue;
                if (asprintf(&origin, "declares %u module parameter(s) (%s), which param_sysfs_init puts in sysfs: about %.3f of its %.3f ms",
                             v[j].params, v[j].object, (double)cost / 1000, (double)ic->usecs / 1000) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = propose_share(x, base, ref, mapped, nmapped, v[j].option, cost, origin);
        }
        param_shares_free(v, n);
        return r;
}

/* The option a work function of the traced boot goes to: the one naming its object, when one
 * option builds it and it is on in REF; NULL for work of what every kernel builds (a deferred
 * probe, async work), whose time stays with the initcall that waited for it. */
static const char *work_owner(const struct kmap_origin *o, const struct kconfig *ref)
{
        const char *opt = o->options ? o->options[0] : NULL;
        if (!kmap_single_option(opt) || !streq(kconfig_value(ref, opt), "y"))
                return NULL;
        return opt;
}

/* A traced boot's background work and the map of its work functions. */
struct background {
        struct bgwork work;
        struct kmap_origin *orig; /* work.work.n entries, or NULL */
};

static void background_free(struct background *b)
{
        kmap_origins_free(b->orig, b->work.work.n);
        bgwork_free(&b->work);
}

/* When the best kernel has ftrace's events (EVENT_TRACING), a boot with them printed tells what
 * work its kworkers ran during the initcalls (*BG: bgwork.h), and the map of the work functions
 * which option each belongs to.  The time of work that an option
 * owns is taken out of L's initcalls, which only waited while it ran, and
 * propose_background_options gives it to that option.  The traced boot is another boot than L's:
 * what ran inside one initcall there may have run inside another in L (bgwork.h); the take-out
 * is by key and never below 0.  A traced boot that fails, or whose trace is not one CPU's, costs
 * this rule (a warning), not the round. */
static int trace_background(struct tailor_ctx *x, const char *logs, const char *what, const struct kconfig *ref,
                            struct initcall_log *l, struct background *b)
{
        struct bgwork *bg = &b->work;
        if (!tailor_is_on(ref, "CONFIG_EVENT_TRACING"))
                return 0;
        _cleanup_free_ char *dir = NULL, *logp = NULL, *text = NULL;
        if (asprintf(&dir, "%s-traced", logs) < 0 || !(logp = path_join(dir, "A-01.log")))
                return -ENOMEM;
        int r = tailor_trace_background(x, x->s.best_build, dir);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_warn("the traced boot of %s failed (%s; see %s/bench.txt): its initcalls are mapped as timed", what, strerror(-r), dir);
                return 0;
        }
        if ((r = read_full_file(logp, &text, NULL)) < 0) {
                if (r == -ENOMEM)
                        return r;
                log_warn("no kernel log of the traced boot of %s (%s): %s", what, logp, strerror(-r));
                return 0;
        }
        if ((r = bgwork_parse(text, bg)) < 0)
                return r;
        if (bg->events == 0 || bg->foreign) {
                if (bg->foreign)
                        log_warn("the trace of %s's traced boot is not one CPU's (%zu task switch(es) from a task not on the CPU; %s): "
                                 "its initcalls are mapped as timed", what, bg->foreign, logp);
                else
                        log_warn("the traced boot of %s printed no trace events (%s): its initcalls are mapped as timed", what, logp);
                bgwork_free(bg);
                *bg = (struct bgwork){ 0 };
                return 0;
        }
        _cleanup_strv_free_ char **owned = NULL;
        if ((r = kmap_origins(x->tree.obj, x->src, &bg->work, &b->orig)) < 0)
                return log_error_errno(r, "cannot map the background work to the build tree %s", x->tree.obj);
        for (size_t i = 0; r >= 0 && i < bg->work.n; i++)
                if (work_owner(&b->orig[i], ref))
                        r = strv_push(&owned, bg->work.calls[i].name);
        if (r < 0)
                return r;
        long long taken = owned ? bgwork_take_out(bg, owned, l) : 0;
        log_info("  background work: %.3f ms of the initcalls' time was queued work that an option owns, run by kworkers "
                 "meanwhile (a traced boot, %zu events, %s); taken out of the initcalls it ran in",
                 (double)taken / 1000, bg->events, logp);
        return 0;
}

/* The work functions of B that an option owns, proposed for the time they ran inside the
 * initcalls, by option (MIN_COST or more).  Like param_sysfs_init's shares, a cost no
 * initcall of the option's own shows: ftrace's eval_map_work_func is TRACING's. */
static int propose_background_options(struct tailor_ctx *x, const struct background *b, char *const *base, const struct kconfig *ref,
                                      int **mapped, size_t *nmapped, long long min_cost)
{
        const struct bgwork *bg = &b->work;
        const struct kmap_origin *orig = b->orig;
        int r = 0;
        for (size_t j = 0; r >= 0 && orig && j < bg->work.n; j++) {
                const char *opt = work_owner(&orig[j], ref);
                bool first = opt != NULL;
                for (size_t k = 0; first && k < j; k++)
                        first = !(work_owner(&orig[k], ref) && streq(work_owner(&orig[k], ref), opt));
                if (!first)
                        continue; /* each option once, at its first (dearest) work function */
                long long cost = 0;
                _cleanup_free_ char *fns = NULL;
                for (size_t i = j; r >= 0 && i < bg->work.n; i++) {
                        const char *o = work_owner(&orig[i], ref);
                        if (!o || !streq(o, opt))
                                continue;
                        char *more = NULL;
                        cost += bg->work.calls[i].usecs;
                        if (asprintf(&more, "%s%s%s %.3f ms (%s)", fns ? fns : "", fns ? ", " : "", bg->work.calls[i].name,
                                     (double)bg->work.calls[i].usecs / 1000, orig[i].object) < 0)
                                r = -ENOMEM;
                        else {
                                free(fns);
                                fns = more;
                        }
                }
                if (r < 0 || cost < min_cost)
                        continue;
                log_info("  background work of %s: %.3f ms (%s)", opt, (double)cost / 1000, fns);
                char *origin = NULL;
                if (asprintf(&origin, "queues work that kworkers run while the initcalls wait: %s", fns) < 0)
                        r = -ENOMEM;
                r = r ?: propose_share(x, base, ref, mapped, nmapped, opt, cost, origin);
        }
        return r;
}

/* A kept cut whose verdict came without a build (kconfig, the machine, the guest, or too small to
 * measure), not by --keep: a later map may weigh it again. */
bool tailor_decided_without_build(const struct tailor_ctx *x, const struct cut *c)
{
        return c->status == CUT_KEPT && c->build == 0 && !kept_by_hand(x, c->option);
}

/* Forget what propose_one decided about C, to weigh it again. */
static void reset_verdict(struct cut *c)
{
        free(c->alt);
        free(c->shown_by);
        free(c->why);
        strv_free(c->also_off);
        c->alt = c->shown_by = c->why = NULL;
        c->also_off = NULL;
        c->status = CUT_QUEUED;
}

/* --min-cost, or by default 0.2% of TOTAL, the initcall time of the kernel mapped. */
long long tailor_min_cost_us(const struct tailor_ctx *x, long long total)
{
        return x->o->min_cost_us >= 0 ? x->o->min_cost_us : total / 500;
}

/* The map of a boot (LOGS/A-01.log) of the best kernel so far, and the proposals it brings: the
 * options not yet decided whose initcalls cost more than --min-cost (default 0.2% of this boot's
 * initcall time), pushed as one group.  The tree holds every object of the start (kbuild keeps the
 * objects of options cut since), so it maps any later kernel's functions too. */
int tailor_map_and_propose(struct tailor_ctx *x, const char *logs, const char *what)
{
        struct tailor_state *s = &x->s;
        _cleanup_free_ char *logp = path_join(logs, "A-01.log"), *text = NULL;
        int r = read_full_file(logp, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "no kernel log of %s (%s)", what, logp);
        _cleanup_(initcall_log_free) struct initcall_log l = { .run_init_us = -1 };
        if ((r = initcall_parse(text, &l)) < 0 || l.n == 0)
                return log_error_status(-EINVAL, "no initcalls in the log of %s, %s (initcall_debug)", what, logp);
        _cleanup_strv_free_ char **base = NULL;
        _cleanup_free_ char *refp = path_join(x->rundir, "best.config");
        _cleanup_(kconfig_free) struct kconfig ref = { 0 };
        r = tailor_best_changes(s, &base);
        r = r ?: tailor_resolve_changes(x, base, refp, &ref);
        if (r < 0)
                return r;
        /* the threshold from the boot as timed; the map from its initcalls' own cost */
        long long total = initcall_total_us(&l);
        long long min_cost = tailor_min_cost_us(x, total);
        _cleanup_(background_free) struct background bg = { 0 };
        if ((r = trace_background(x, logs, what, &ref, &l, &bg)) < 0)
                return r;
        struct kmap_cost *costs = NULL;
        size_t ncost = 0;
        if ((r = kmap_option_costs(x->tree.obj, x->src, &l, &costs, &ncost)) < 0)
                return log_error_errno(r, "cannot map the initcalls to the build tree %s", x->tree.obj);
        log_info("the map of %s: %zu options build its initcalls (%.3f ms); proposing those over %.3f ms", what, ncost,
                 (double)total / 1000, (double)min_cost / 1000);
        size_t first_new = s->ncuts;
        _cleanup_free_ int *mapped = NULL, *late = NULL;
        size_t nmapped = 0, nlate = 0;
        for (size_t i = 0; r >= 0 && i < ncost; i++) {
                const struct kmap_cost *k = &costs[i];
                /* "(always built)", and "A|B": objects of two options, cut by neither alone.  An
                 * option a build decided stays decided; one kconfig or the machine kept is weighed
                 * again: what kept it on may be gone (CRYPTO_SEQIV, once networking is). */
                ssize_t j = cut_index(s, k->option);
                if ((j >= 0 && !tailor_decided_without_build(x, &s->cuts[j])) || k->usecs < min_cost ||
                    !kmap_single_option(k->option) || !streq(kconfig_value(&ref, k->option), "y"))
                        continue;
                if (j >= 0) {
                        reset_verdict(&s->cuts[j]);
                        s->cuts[j].cost_us = k->usecs;
                        s->cuts[j].initcalls = (int)k->count;
                } else {
                        r = add_cut(s, k->option, k->usecs, (int)k->count, NULL);
                        j = (ssize_t)s->ncuts - 1;
                }
                r = r ?: push_index(&mapped, &nmapped, (int)j);
                r = r ?: propose_or_keep(x, base, &ref, (size_t)j);
        }
        kmap_costs_free(costs, ncost);
        _cleanup_(objsyms_free) struct objsyms objs = { 0 };
        if (r >= 0 && (r = objsyms_index(x->tree.obj, x->src, &objs)) < 0)
                return log_error_errno(r, "cannot index the build tree %s", x->tree.obj);
        r = r ?: propose_callee_options(x, &l, &objs, base, &ref, &mapped, &nmapped, &late, &nlate, min_cost);
        r = r ?: propose_param_options(x, &l, &objs, base, &ref, &mapped, &nmapped, min_cost);
        r = r ?: propose_background_options(x, &bg, base, &ref, &mapped, &nmapped, min_cost);
        r = r ?: propose_keepers(x, base, &ref, mapped, nmapped, late, nlate);
        r = r ?: propose_kept_shapers(x, &l, base, &ref, mapped, nmapped, min_cost);
        if (r < 0)
                return r;
        /* One batch of every proposal first: the fewest builds when most can go; a batch that
         * breaks the payload is bisected.  (A round starts with no group left: every queued cut
         * is this map's.) */
        _cleanup_free_ int *idx = calloc(s->ncuts + 1, sizeof *idx);
        size_t n = 0;
        for (size_t i = 0; idx && i < s->ncuts; i++)
                if (s->cuts[i].status == CUT_QUEUED && (i >= first_new || s->cuts[i].build == 0))
                        idx[n++] = (int)i;
        if (!idx || (n && tailor_push_group(s, idx, n) < 0))
                return -ENOMEM;
        s->mapped = true;
        s->rounds++;
        s->dropped_at_map = tailor_dropped_count(s);
        return 0;
}

/* A resumed run's groups were proposed by the leanboot that saved them: this one may know more
 * (the initrd's rule kept BLK_DEV_INITRD without a build; session 12's run had queued it).  Each
 * queued cut is weighed again on the best kernel; one now kept leaves its group, and a group
 * left empty goes. */
int tailor_weigh_queued_again(struct tailor_ctx *x)
{
        struct tailor_state *s = &x->s;
        _cleanup_strv_free_ char **base = NULL;
        _cleanup_free_ char *refp = path_join(x->rundir, "best.config");
        _cleanup_(kconfig_free) struct kconfig ref = { 0 };
        int r = tailor_best_changes(s, &base);
        r = r ?: tailor_resolve_changes(x, base, refp, &ref);
        size_t kept = 0;
        /* Every entry is kept but those weighed now and kept: after an error, the rest stay
         * queued, unweighed, as they were saved. */
        for (size_t g = 0; g < s->nstack; g++) {
                size_t k = 0;
                for (size_t j = 0; s->stack[g][j] >= 0; j++) {
                        struct cut *c = &s->cuts[s->stack[g][j]];
                        bool weighed = r >= 0 && c->status == CUT_QUEUED;
                        if (weighed) {
                                reset_verdict(c);
                                r = propose_or_keep(x, base, &ref, (size_t)s->stack[g][j]);
                        }
                        if (weighed && c->status != CUT_QUEUED)
                                kept++;
                        else
                                s->stack[g][k++] = s->stack[g][j];
                }
                s->stack[g][k] = -1;
        }
        size_t n = 0;
        for (size_t g = 0; g < s->nstack; g++) {
                if (s->stack[g][0] >= 0)
                        s->stack[n++] = s->stack[g];
                else
                        free(s->stack[g]);
        }
        s->nstack = n;
        if (r >= 0 && kept)
                log_info("%zu queued cut(s) kept now, weighed again by this leanboot; %zu group(s) left", kept, n);
        return r;
}


/* The kconfig changes of one cut: the option off, what is cut together with it, and the choice
 * member that takes its place. */
int tailor_push_cut(const struct cut *c, char ***changes)
{
        int r = c->shown_by ? strv_pushf(changes, "%s=y", c->shown_by) : 0;
        r = r ?: strv_pushf(changes, "%s=n", c->option);
        for (char **w = c->with; r >= 0 && w && *w; w++)
                r = strv_pushf(changes, "%s=n", *w);
        return r < 0 || !c->alt ? r : strv_pushf(changes, "%s=y", c->alt);
}

/* The changes that make the best kernel from the start: every dropped cut (and its alternative). */
int tailor_best_changes(const struct tailor_state *s, char ***ret)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < s->ncuts; i++)
                if (s->cuts[i].status == CUT_DROPPED)
                        r = tailor_push_cut(&s->cuts[i], ret);
        return r;
}

/* Propose OPTION for a cost that moved (ORIGIN taken), unless it is known or off in REF; the
 * index of a queued cut goes to *V.  One that kconfig or the machine keeps is forgotten (a
 * guess that cannot be tried is noise in the report), unless it is the owner (REMEMBER_KEPT):
 * the report says why the cost stays where it moved. */
static int propose_moved_option(struct tailor_ctx *x, char *const *base, const struct kconfig *ref, const char *option,
                                long long cost_us, char *origin, bool remember_kept, int **v, size_t *n)
{
        struct tailor_state *s = &x->s;
        if (!streq(kconfig_value(ref, option), "y") || cut_index(s, option) >= 0 || kept_by_hand(x, option)) {
                free(origin);
                return 0;
        }
        int r = add_cut(s, option, cost_us, 0, origin);
        r = r ?: propose_one(x, base, ref, &s->cuts[s->ncuts - 1]);
        if (r < 0)
                return r;
        struct cut *c = &s->cuts[s->ncuts - 1];
        if (c->status != CUT_QUEUED && !remember_kept) {
                pop_cut(s);
                return 0;
        }
        log_info("  %-28s %8.3f ms  %s%s; proposed as it %s", c->option, (double)c->cost_us / 1000,
                 c->status == CUT_QUEUED ? "to try" : "kept: ", c->why ? c->why : "", c->origin);
        return c->status == CUT_QUEUED ? push_index(v, n, (int)s->ncuts - 1) : 0;
}

/* What a cut C of the group and the owner of a slower initcall both need on: the symbols both
 * their Kconfig entries require (their "depends on" and enclosing "if"s), into *cands, with the
 * reason in *why at the same index. */
static int shared_needs(const struct tailor_ctx *x, const char *cut, const char *owner, char *const *owner_needs, char ***cands,
                        char ***why)
{
        _cleanup_free_ char *deps = kconfig_depends(x->src, cut);
        _cleanup_strv_free_ char **needs = deps ? kconfig_conjuncts(deps) : NULL;
        int r = 0;
        for (char **a = needs; r >= 0 && a && *a; a++)
                if (strv_contains(owner_needs, *a) && !strv_contains(*cands, *a)) {
                        r = strv_push(cands, *a);
                        r = r ?: strv_pushf(why, "needed by %s and %s", cut + 7, owner + 7);
                }
        return r;
}

/* Whether OPTION ("CONFIG_X") needs OWNER ("SERIAL_8250") on, directly or through one of its
 * own needs, HOPS deep (SERIAL_8250_DETECT_IRQ needs SERIAL_8250_EXTENDED, which needs
 * SERIAL_8250): an option of the owner's own, not one its Kconfig file merely also declares
 * (init/Kconfig declares PERF_EVENTS and PRINTK). */
static bool needs_owner(const struct tailor_ctx *x, const char *option, const char *owner, int hops)
{
        _cleanup_free_ char *deps = kconfig_depends(x->src, option);
        _cleanup_strv_free_ char **needs = deps ? kconfig_conjuncts(deps) : NULL;
        if (strv_contains(needs, owner))
                return true;
        for (char **n = needs; hops > 1 && n && *n; n++)
                if (needs_owner(x, *n, owner, hops - 1))
                        return true;
        return false;
}

/* An option that must stay (the machine's console driver) can still be made cheaper: the options
 * of its own (declared in its Kconfig file, and needing it on) that its OBJECT's compile tested
 * (fixdep's list: SERIAL_8250_DETECT_IRQ for 8250_core.o, whose legacy ports then probe their
 * interrupts, 120 ms each) are proposed, each with COST_US; INITCALL and WHAT say why. */
static int propose_shapers(struct tailor_ctx *x, const char *owner, const char *object, const char *initcall, const char *what,
                           long long cost_us, char *const *base, const struct kconfig *ref, int **fresh, size_t *nfresh)
{
        _cleanup_strv_free_ char **tested = NULL, **siblings = kconfig_file_siblings(x->src, owner);
        if (kbuild_object_tested(x->tree.obj, object, &tested) < 0)
                return 0;
        int r = 0;
        for (char **t = tested; r >= 0 && t && *t; t++) {
                char *origin = NULL;
                if (streq(*t, owner) || !strv_contains(siblings, *t + 7) || !needs_owner(x, *t, owner + 7, 2))
                        continue;
                if (asprintf(&origin, "shapes %s (%s stays), whose %s %s", object, owner + 7, initcall, what) < 0)
                        r = -ENOMEM;
                else
                        r = propose_moved_option(x, base, ref, *t, cost_us, origin, false, fresh, nfresh);
        }
        return r;
}

/* propose_moved's proposals for one owner OWNER ("CONFIG_X") of initcall IC, defined in OBJECT
 * (or NULL); the queued ones appended to *FRESH. */
static int propose_for_owner(struct tailor_ctx *x, const int *g, const struct initcall *ic, const char *owner, const char *object,
                             int build, char *const *base, const struct kconfig *ref, int **fresh, size_t *nfresh)
{
        struct tailor_state *s = &x->s;
        int r = 0;
        log_info("build %d: %s (%s) is %.3f ms slower: proposing what takes it", build, ic->name, owner + 7,
                 (double)ic->usecs / 1000);
        _cleanup_free_ char *odeps = kconfig_depends(x->src, owner);
        _cleanup_strv_free_ char **oneeds = odeps ? kconfig_conjuncts(odeps) : NULL, **cands = NULL, **why = NULL;
        for (const int *p = g; r >= 0 && *p >= 0; p++)
                r = shared_needs(x, s->cuts[*p].option, owner, oneeds, &cands, &why);
        if (r >= 0 && !strv_contains(cands, owner + 7)) {
                r = strv_push(&cands, owner + 7);
                r = r ?: strv_push(&why, "its owner");
        }
        for (size_t k = 0; r >= 0 && cands && cands[k]; k++) {
                _cleanup_free_ char *name = NULL;
                char *origin = NULL;
                if (asprintf(&name, "CONFIG_%s", cands[k]) < 0 ||
                    asprintf(&origin, "takes %s's %.3f ms, moved there in build %d (%s)", ic->name,
                             (double)ic->usecs / 1000, build, why[k]) < 0)
                        r = -ENOMEM;
                else
                        r = propose_moved_option(x, base, ref, name, ic->usecs, origin, streq(name, owner), fresh, nfresh);
        }
        ssize_t oi = r >= 0 ? cut_index(s, owner) : -1;
        if (oi < 0 || s->cuts[oi].status != CUT_KEPT || !object)
                return r;
        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "took %.3f ms more in build %d", (double)ic->usecs / 1000, build) < 0)
                return -ENOMEM;
        return propose_shapers(x, owner, object, ic->name, what, ic->usecs, base, ref, fresh, nfresh);
}

/* A cut's saving can reappear as another initcall's cost: without KPROBE_EVENTS, tracing's event
 * files are made under init_blk_tracer instead (669 ms, TCG); without ACPI, serial8250_init
 * probes the legacy ports' IRQs (514 ms).  For each initcall that candidate BUILD made slower
 * (GROWN), the map names the option O owning it, and new cuts are proposed:
 *   - what both O and a cut of G need on (FTRACE, for KPROBE_EVENTS and BLK_DEV_IO_TRACE): it
 *     takes the cost wherever it moves;
 *   - O itself;
 *   - when O must stay (SERIAL_8250: the machine's console), the options of O's own Kconfig file
 *     that its object's compile tested (fixdep's list: SERIAL_8250_DETECT_IRQ).
 * Each goes through propose_one as any cut does.  *RET_NEW (malloc'd, -1 ended; NULL when none):
 * the queued ones. */
int tailor_propose_moved(struct tailor_ctx *x, const int *g, const struct initcall_log *grown, int build, int **ret_new)
{
        struct tailor_state *s = &x->s;
        *ret_new = NULL;
        if (grown->n == 0)
                return 0;
        struct kmap_origin *orig = NULL;
        int r = kmap_origins(x->tree.obj, x->src, grown, &orig);
        if (r < 0)
                return log_error_errno(r, "cannot map build %d's slower initcalls", build);
        _cleanup_strv_free_ char **base = NULL;
        _cleanup_free_ char *refp = path_join(x->rundir, "best.config");
        _cleanup_(kconfig_free) struct kconfig ref = { 0 };
        _cleanup_free_ int *fresh = NULL;
        size_t n = 0;
        r = tailor_best_changes(s, &base);
        r = r ?: tailor_resolve_changes(x, base, refp, &ref);
        for (size_t i = 0; r >= 0 && i < grown->n; i++) {
                /* "A|B": an object either option builds; each is an owner. */
                const char *owners = orig[i].options ? orig[i].options[0] : "";
                for (const char *o = owners; r >= 0 && *o; o += strcspn(o, "|"), o += *o == '|') {
                        _cleanup_free_ char *one = strndup(o, strcspn(o, "|"));
                        if (!one)
                                r = -ENOMEM;
                        else if (strncmp(one, "CONFIG_", 7) == 0)
                                r = propose_for_owner(x, g, &grown->calls[i], one, orig[i].object, build, base, &ref, &fresh, &n);
                }
        }
        kmap_origins_free(orig, grown->n);
        if (r < 0)
                return r;
        *ret_new = TAKE_PTR(fresh);
        return 0;
}
