/* The tailor's state file: everything decided so far, saved after every step (JSON, written
 * atomically), so that a tailor stopped by a signal, a budget or a crash resumes where it was. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "tailor.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/strv.h"

#define TAILOR_STATE_VERSION 1

static const char *const cut_status_names[] = { "queued", "dropped", "kept" };

size_t tailor_group_len(const int *g)
{
        size_t n = 0;
        while (g && g[n] >= 0)
                n++;
        return n;
}

int tailor_push_group(struct tailor_state *s, const int *idx, size_t n)
{
        int *g = malloc((n + 1) * sizeof *g);
        int **more = realloc(s->stack, (s->nstack + 1) * sizeof *more);
        if (!g || !more) {
                free(g);
                if (more)
                        s->stack = more;
                return -ENOMEM;
        }
        memcpy(g, idx, n * sizeof *g);
        g[n] = -1;
        s->stack = more;
        s->stack[s->nstack++] = g;
        return 0;
}

static json_object *str_or_null(const char *s)
{
        return s ? json_object_new_string(s) : NULL;
}

static json_object *strv_to_json(char *const *v)
{
        json_object *a = json_object_new_array();
        for (char *const *p = v; p && *p; p++)
                json_object_array_add(a, json_object_new_string(*p));
        return a;
}

static json_object *measure_to_json(const struct measure *m)
{
        if (!m->valid)
                return NULL;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "initcalls_us", json_object_new_int64(m->initcalls_us));
        json_object_object_add(o, "kernel_us", json_object_new_int64(m->kernel_us));
        json_object_object_add(o, "total_us", json_object_new_int64(m->total_us));
        json_object_object_add(o, "image_size", json_object_new_int64(m->image_size));
        json_object_object_add(o, "options", json_object_new_int(m->options));
        return o;
}

int tailor_state_save(const char *path, const struct tailor_state *s)
{
        json_object *o = json_object_new_object(), *cuts = json_object_new_array(), *stack = json_object_new_array(),
                    *trials = json_object_new_array();
        json_object_object_add(o, "version", json_object_new_int(TAILOR_STATE_VERSION));
        json_object_object_add(o, "from", str_or_null(s->from));
        json_object_object_add(o, "check", str_or_null(s->check));
        json_object_object_add(o, "payload", str_or_null(s->payload));
        json_object_object_add(o, "check_host", str_or_null(s->check_host));
        json_object_object_add(o, "run_key", str_or_null(s->run_key));
        json_object_object_add(o, "machine", str_or_null(s->machine));
        json_object_object_add(o, "clock", str_or_null(s->clock));
        json_object_object_add(o, "start", measure_to_json(&s->start));
        json_object_object_add(o, "best", measure_to_json(&s->best));
        json_object_object_add(o, "best_build", json_object_new_int(s->best_build));
        for (size_t i = 0; i < s->ncuts; i++) {
                const struct cut *c = &s->cuts[i];
                json_object *e = json_object_new_object();
                json_object_object_add(e, "option", json_object_new_string(c->option));
                json_object_object_add(e, "alt", str_or_null(c->alt));
                json_object_object_add(e, "shown_by", str_or_null(c->shown_by));
                json_object_object_add(e, "with", strv_to_json(c->with));
                json_object_object_add(e, "cost_us", json_object_new_int64(c->cost_us));
                json_object_object_add(e, "initcalls", json_object_new_int(c->initcalls));
                json_object_object_add(e, "also_off", strv_to_json(c->also_off));
                json_object_object_add(e, "status", json_object_new_string(cut_status_names[c->status]));
                json_object_object_add(e, "why", str_or_null(c->why));
                json_object_object_add(e, "build", json_object_new_int(c->build));
                json_object_object_add(e, "origin", str_or_null(c->origin));
                json_object_array_add(cuts, e);
        }
        for (size_t i = 0; i < s->nstack; i++) {
                json_object *g = json_object_new_array();
                for (const int *p = s->stack[i]; *p >= 0; p++)
                        json_object_array_add(g, json_object_new_int(*p));
                json_object_array_add(stack, g);
        }
        for (size_t i = 0; i < s->ntrials; i++) {
                const struct trial *t = &s->trials[i];
                json_object *e = json_object_new_object();
                json_object_object_add(e, "build", json_object_new_int(t->build));
                json_object_object_add(e, "dropped", strv_to_json(t->dropped));
                json_object_object_add(e, "result", str_or_null(t->result));
                json_object_object_add(e, "measure", measure_to_json(&t->m));
                json_object_object_add(e, "build_seconds", json_object_new_double(t->build_seconds));
                json_object_object_add(e, "objects", json_object_new_int64(t->objects));
                json_object_object_add(e, "ccache_hits", json_object_new_int64(t->ccache_hits));
                json_object_object_add(e, "ccache_misses", json_object_new_int64(t->ccache_misses));
                json_object_object_add(e, "config_hash", str_or_null(t->config_hash));
                json_object_array_add(trials, e);
        }
        json_object_object_add(o, "cuts", cuts);
        json_object_object_add(o, "stack", stack);
        json_object_object_add(o, "trials", trials);
        json_object_object_add(o, "builds", json_object_new_int(s->builds));
        json_object_object_add(o, "seconds", json_object_new_double(s->seconds));
        json_object_object_add(o, "mapped", json_object_new_boolean(s->mapped));
        json_object_object_add(o, "rounds", json_object_new_int(s->rounds));
        json_object_object_add(o, "host_check_seconds", json_object_new_double(s->host_check_seconds));
        json_object_object_add(o, "dropped_at_map", json_object_new_int(s->dropped_at_map));
        json_object_object_add(o, "done", json_object_new_boolean(s->done));
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = write_file_atomic(path, text, strlen(text), 0644);
        json_object_put(o);
        return r;
}

static char *get_str(json_object *o, const char *key)
{
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ? strdup(json_object_get_string(v))
                                                                                                : NULL;
}

static long long get_int(json_object *o, const char *key)
{
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static char **get_strv(json_object *o, const char *key)
{
        json_object *v;
        char **out = NULL;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
                return NULL;
        for (size_t i = 0; i < json_object_array_length(v); i++)
                if (strv_push(&out, json_object_get_string(json_object_array_get_idx(v, i))) < 0)
                        break;
        return out;
}

static void get_measure(json_object *o, const char *key, struct measure *m)
{
        json_object *v;
        *m = (struct measure){ 0 };
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
                return;
        m->initcalls_us = get_int(v, "initcalls_us");
        m->kernel_us = get_int(v, "kernel_us");
        m->total_us = get_int(v, "total_us");
        m->image_size = get_int(v, "image_size");
        m->options = (int)get_int(v, "options");
        m->valid = true;
}

int tailor_state_load(const char *path, struct tailor_state *ret)
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(path, &text, NULL);
        if (r < 0)
                return r;
        json_object *o = json_tokener_parse(text), *v;
        if (!o || !json_object_is_type(o, json_type_object) || get_int(o, "version") != TAILOR_STATE_VERSION) {
                json_object_put(o);
                return -EBADMSG;
        }
        struct tailor_state s = { 0 };
        s.from = get_str(o, "from");
        s.check = get_str(o, "check");
        s.payload = get_str(o, "payload");
        s.check_host = get_str(o, "check_host");
        s.run_key = get_str(o, "run_key");
        s.machine = get_str(o, "machine");
        s.clock = get_str(o, "clock");
        get_measure(o, "start", &s.start);
        get_measure(o, "best", &s.best);
        s.best_build = (int)get_int(o, "best_build");
        s.builds = (int)get_int(o, "builds");
        s.seconds = json_object_object_get_ex(o, "seconds", &v) ? json_object_get_double(v) : 0;
        s.mapped = json_object_object_get_ex(o, "mapped", &v) && json_object_get_boolean(v);
        s.done = json_object_object_get_ex(o, "done", &v) && json_object_get_boolean(v);
        s.rounds = (int)get_int(o, "rounds");
        s.host_check_seconds = json_object_object_get_ex(o, "host_check_seconds", &v) ? json_object_get_double(v) : 0;
        s.dropped_at_map = (int)get_int(o, "dropped_at_map");
        r = 0;
        if (json_object_object_get_ex(o, "cuts", &v) && json_object_is_type(v, json_type_array)) {
                s.ncuts = json_object_array_length(v);
                s.cuts = calloc(s.ncuts ? s.ncuts : 1, sizeof *s.cuts);
                for (size_t i = 0; s.cuts && i < s.ncuts; i++) {
                        json_object *e = json_object_array_get_idx(v, i);
                        struct cut *c = &s.cuts[i];
                        c->option = get_str(e, "option");
                        c->alt = get_str(e, "alt");
                        c->shown_by = get_str(e, "shown_by");
                        c->with = get_strv(e, "with");
                        c->cost_us = get_int(e, "cost_us");
                        c->initcalls = (int)get_int(e, "initcalls");
                        c->also_off = get_strv(e, "also_off");
                        _cleanup_free_ char *st = get_str(e, "status");
                        for (size_t k = 0; st && k < ARRAY_SIZE(cut_status_names); k++)
                                if (streq(st, cut_status_names[k]))
                                        c->status = (enum cut_status)k;
                        c->why = get_str(e, "why");
                        c->build = (int)get_int(e, "build");
                        c->origin = get_str(e, "origin");
                        if (!c->option)
                                r = -EBADMSG;
                }
                if (!s.cuts)
                        r = -ENOMEM;
        }
        if (r == 0 && json_object_object_get_ex(o, "stack", &v) && json_object_is_type(v, json_type_array)) {
                for (size_t i = 0; r == 0 && i < json_object_array_length(v); i++) {
                        json_object *g = json_object_array_get_idx(v, i);
                        size_t n = json_object_is_type(g, json_type_array) ? json_object_array_length(g) : 0;
                        _cleanup_free_ int *idx = calloc(n + 1, sizeof *idx);
                        for (size_t k = 0; idx && k < n; k++) {
                                int x = json_object_get_int(json_object_array_get_idx(g, k));
                                if (x < 0 || (size_t)x >= s.ncuts)
                                        r = -EBADMSG;
                                idx[k] = x;
                        }
                        r = r ?: idx ? tailor_push_group(&s, idx, n) : -ENOMEM;
                }
        }
        if (r == 0 && json_object_object_get_ex(o, "trials", &v) && json_object_is_type(v, json_type_array)) {
                s.ntrials = json_object_array_length(v);
                s.trials = calloc(s.ntrials ? s.ntrials : 1, sizeof *s.trials);
                for (size_t i = 0; s.trials && i < s.ntrials; i++) {
                        json_object *e = json_object_array_get_idx(v, i), *bs;
                        struct trial *t = &s.trials[i];
                        t->build = (int)get_int(e, "build");
                        t->dropped = get_strv(e, "dropped");
                        t->result = get_str(e, "result");
                        get_measure(e, "measure", &t->m);
                        t->build_seconds = json_object_object_get_ex(e, "build_seconds", &bs) ? json_object_get_double(bs) : 0;
                        t->objects = get_int(e, "objects");
                        t->ccache_hits = get_int(e, "ccache_hits");
                        t->ccache_misses = get_int(e, "ccache_misses");
                        t->config_hash = get_str(e, "config_hash");
                }
                if (!s.trials)
                        r = -ENOMEM;
        }
        json_object_put(o);
        if (r < 0) {
                tailor_state_free(&s);
                return r;
        }
        *ret = s;
        return 0;
}

void tailor_cut_free(struct cut *c)
{
        free(c->option);
        free(c->alt);
        free(c->shown_by);
        strv_free(c->with);
        strv_free(c->also_off);
        free(c->why);
        free(c->origin);
}

void tailor_state_free(struct tailor_state *s)
{
        free(s->from);
        free(s->check);
        free(s->payload);
        free(s->check_host);
        free(s->run_key);
        free(s->machine);
        free(s->clock);
        for (size_t i = 0; i < s->ncuts; i++)
                tailor_cut_free(&s->cuts[i]);
        free(s->cuts);
        for (size_t i = 0; i < s->nstack; i++)
                free(s->stack[i]);
        free(s->stack);
        for (size_t i = 0; i < s->ntrials; i++) {
                strv_free(s->trials[i].dropped);
                free(s->trials[i].result);
                free(s->trials[i].config_hash);
        }
        free(s->trials);
        *s = (struct tailor_state){ 0 };
}
