#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "fileio.h"
#include "macro.h"
#include "manifest.h"
#include "strv.h"

static json_object *str_or_null(const char *s)
{
        return s ? json_object_new_string(s) : NULL;
}

static json_object *strv_to_array(char *const *v)
{
        json_object *a = json_object_new_array();
        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

int manifest_to_json(const struct manifest *m, char **ret_text)
{
        json_object *o = json_object_new_object();
        json_object_object_add(o, "leanboot_version", str_or_null(m->leanboot_version));
        json_object_object_add(o, "init_version", str_or_null(m->init_version));
        json_object_object_add(o, "inputs", str_or_null(m->inputs));
        json_object *k = json_object_new_object();
        json_object_object_add(k, "version", str_or_null(m->kernel_version));
        json_object_object_add(k, "origin", str_or_null(m->kernel_origin));
        json_object_object_add(k, "source", str_or_null(m->kernel_source));
        json_object_object_add(k, "format", str_or_null(m->kernel_format));
        json_object_object_add(k, "machines", strv_to_array(m->kernel_machines));
        json_object_object_add(k, "machines_note", str_or_null(m->kernel_machines_why));
        json_object_object_add(o, "kernel", k);
        json_object_object_add(o, "packages", strv_to_array(m->packages));
        json_object_object_add(o, "modules", strv_to_array(m->modules));
        json_object_object_add(o, "initrd_modules", strv_to_array(m->initrd_modules));
        json_object_object_add(o, "initrd_signatures_stripped", json_object_new_boolean(m->initrd_signatures_stripped));
        json_object_object_add(o, "initrd_virtio_keep", str_or_null(m->initrd_virtio_keep));
        json_object_object_add(o, "hooks", strv_to_array(m->hooks));
        json_object_object_add(o, "copies", strv_to_array(m->copies));
        json_object_object_add(o, "run", str_or_null(m->run));
        json_object_object_add(o, "debug", json_object_new_boolean(m->debug));
        json_object_object_add(o, "cmdline", str_or_null(m->cmdline));
        json_object_object_add(o, "root_uuid", str_or_null(m->root_uuid));
        json_object *s = json_object_new_object();
        json_object_object_add(s, "kernel", json_object_new_int64(m->size_kernel));
        json_object_object_add(s, "initrd", json_object_new_int64(m->size_initrd));
        json_object_object_add(s, "root", json_object_new_int64(m->size_root));
        json_object_object_add(s, "root_allocated", json_object_new_int64(m->size_root_allocated));
        json_object_object_add(o, "sizes", s);
        json_object_object_add(o, "build_seconds", json_object_new_double(m->build_seconds));
        json_object_object_add(o, "built_at", str_or_null(m->built_at));

        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        char *copy = text ? malloc(strlen(text) + 2) : NULL;
        if (copy)
                strcat(strcpy(copy, text), "\n");
        json_object_put(o);
        if (!copy)
                return -ENOMEM;
        *ret_text = copy;
        return 0;
}

static char *get_str(json_object *o, const char *key)
{
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return strdup(json_object_get_string(v));
}

static char **get_strv(json_object *o, const char *key)
{
        json_object *a;
        char **v = NULL;
        if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
                return NULL;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                if (json_object_is_type(e, json_type_string) && strv_push(&v, json_object_get_string(e)) < 0) {
                        strv_free(v); /* a list cut short would be read as the whole list */
                        return NULL;
                }
        }
        return v;
}

static long long get_int(json_object *o, const char *key)
{
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

int manifest_from_json(const char *text, struct manifest *ret)
{
        json_object *o = json_tokener_parse(text);
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return -EBADMSG;
        }
        struct manifest m = { 0 };
        m.leanboot_version = get_str(o, "leanboot_version");
        m.init_version = get_str(o, "init_version");
        m.inputs = get_str(o, "inputs");
        json_object *k, *s, *v;
        if (json_object_object_get_ex(o, "kernel", &k)) {
                m.kernel_version = get_str(k, "version");
                m.kernel_origin = get_str(k, "origin");
                m.kernel_source = get_str(k, "source");
                m.kernel_format = get_str(k, "format");
                m.kernel_machines = get_strv(k, "machines");
                m.kernel_machines_why = get_str(k, "machines_note");
        }
        m.packages = get_strv(o, "packages");
        m.modules = get_strv(o, "modules");
        m.initrd_modules = get_strv(o, "initrd_modules");
        m.hooks = get_strv(o, "hooks");
        m.copies = get_strv(o, "copies");
        m.run = get_str(o, "run");
        m.debug = json_object_object_get_ex(o, "debug", &v) && json_object_get_boolean(v);
        m.initrd_signatures_stripped = json_object_object_get_ex(o, "initrd_signatures_stripped", &v) &&
                                       json_object_get_boolean(v);
        m.initrd_virtio_keep = get_str(o, "initrd_virtio_keep");
        m.cmdline = get_str(o, "cmdline");
        m.root_uuid = get_str(o, "root_uuid");
        if (json_object_object_get_ex(o, "sizes", &s)) {
                m.size_kernel = get_int(s, "kernel");
                m.size_initrd = get_int(s, "initrd");
                m.size_root = get_int(s, "root");
                m.size_root_allocated = get_int(s, "root_allocated");
        }
        m.build_seconds = json_object_object_get_ex(o, "build_seconds", &v) ? json_object_get_double(v) : 0;
        m.built_at = get_str(o, "built_at");
        json_object_put(o);
        if (!m.inputs || !m.kernel_version) {
                manifest_free(&m);
                return -EBADMSG;
        }
        *ret = m;
        return 0;
}

int manifest_load(const char *dir, struct manifest *ret)
{
        _cleanup_free_ char *path = path_join(dir, "manifest.json");
        _cleanup_free_ char *text = NULL;
        if (!path)
                return -ENOMEM;
        int r = read_full_file(path, &text, NULL);
        return r < 0 ? r : manifest_from_json(text, ret);
}

void manifest_free(struct manifest *m)
{
        char **strs[] = { &m->leanboot_version, &m->init_version, &m->inputs, &m->kernel_version,
                          &m->kernel_origin, &m->kernel_source, &m->kernel_format, &m->run, &m->cmdline, &m->root_uuid,
                          &m->initrd_virtio_keep, &m->built_at, &m->kernel_machines_why };
        for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
                free(*strs[i]);
                *strs[i] = NULL;
        }
        strv_free(m->packages);
        strv_free(m->modules);
        strv_free(m->initrd_modules);
        strv_free(m->hooks);
        strv_free(m->copies);
        strv_free(m->kernel_machines);
        m->packages = m->modules = m->initrd_modules = m->hooks = m->copies = m->kernel_machines = NULL;
}
