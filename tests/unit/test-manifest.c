/* manifest.json: writing, reading back, and the keys other tools rely on. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <json-c/json.h>

#include "tap.h"
#include "common/appliance.h"
#include "common/macro.h"
#include "common/manifest.h"
#include "common/strv.h"

static struct manifest sample(void)
{
        static char *pk[] = { "dash", "coreutils", NULL };
        static char *mods[] = { "kernel/fs/jbd2/jbd2.ko", "kernel/fs/ext4/ext4.ko", NULL };
        static char *hooks[] = { "01-net", "02-say \"hi\"", NULL };
        static char *copies[] = { "/tmp/x:/opt/x", NULL };
        return (struct manifest){
                .leanboot_version = "0.1.0", .init_version = "0.1.0 (static)",
                .inputs = "ab12", .kernel_version = "6.1.0-56-amd64", .kernel_origin = "stock",
                .kernel_source = "/boot/vmlinuz-6.1.0-56-amd64", .packages = pk, .modules = mods,
                .hooks = hooks, .copies = copies, .run = "echo 'hi' \\ there", .debug = true,
                .initrd_signatures_stripped = true, .initrd_virtio_keep = "1 2 3 8",
                .cmdline = "console=ttyS0 quiet", .root_uuid = "24a3cf5f-b07b-4e0a-838a-bff64ec93aa3",
                .size_kernel = 8247232, .size_initrd = 6544896, .size_root = 4294967296LL,
                .size_root_allocated = 472000000, .build_seconds = 4.5, .built_at = "2026-11-22T09:00:00Z",
        };
}

static void check_strv(char **got, char **want, const char *what)
{
        CHECK(strv_length(got) == strv_length(want), "%s: %zu entries", what, strv_length(got));
        for (size_t i = 0; want[i] && i < strv_length(got); i++)
                CHECK_STR(got[i], want[i], what);
}

static void test_roundtrip(void)
{
        struct manifest m = sample(), b;
        char *text = NULL;
        CHECK(manifest_to_json(&m, &text) == 0, "write");
        CHECK(manifest_from_json(text, &b) == 0, "read back");
        CHECK_STR(b.kernel_version, m.kernel_version, "kernel version");
        CHECK_STR(b.kernel_origin, "stock", "origin");
        CHECK_STR(b.run, m.run, "run (quotes and backslashes survive)");
        CHECK_STR(b.inputs, "ab12", "inputs");
        CHECK_STR(b.root_uuid, m.root_uuid, "root uuid");
        check_strv(b.packages, m.packages, "packages");
        check_strv(b.modules, m.modules, "modules");
        check_strv(b.hooks, m.hooks, "hooks");
        check_strv(b.copies, m.copies, "copies");
        CHECK(b.debug, "debug");
        CHECK(b.initrd_signatures_stripped, "initrd_signatures_stripped");
        CHECK_STR(b.initrd_virtio_keep, "1 2 3 8", "initrd_virtio_keep");
        CHECK(b.size_root == 4294967296LL, "a 4 GiB size survives (%lld)", b.size_root);
        CHECK(b.size_kernel == 8247232 && b.size_initrd == 6544896, "sizes");
        CHECK(b.build_seconds > 4.49 && b.build_seconds < 4.51, "build seconds");
        manifest_free(&b);

        /* The key layout that tools read. */
        json_object *o = json_tokener_parse(text), *k, *v;
        static const char *const top[] = { "leanboot_version", "init_version", "inputs", "kernel", "packages",
                                           "modules", "initrd_modules", "initrd_signatures_stripped", "initrd_virtio_keep", "hooks", "copies", "run", "debug", "cmdline",
                                           "root_uuid", "sizes", "build_seconds", "built_at" };
        for (size_t i = 0; i < ARRAY_SIZE(top); i++)
                CHECK(json_object_object_get_ex(o, top[i], NULL), "key %s", top[i]);
        CHECK(json_object_object_get_ex(o, "kernel", &k) && json_object_object_get_ex(k, "origin", &v) &&
                      strcmp(json_object_get_string(v), "stock") == 0,
              "kernel.origin");
        CHECK(json_object_object_get_ex(o, "sizes", &k) && json_object_object_get_ex(k, "root_allocated", &v) &&
                      json_object_get_int64(v) == 472000000,
              "sizes.root_allocated");
        json_object_put(o);
        free(text);

        m.run = NULL;
        CHECK(manifest_to_json(&m, &text) == 0 && manifest_from_json(text, &b) == 0 && b.run == NULL,
              "no built-in payload reads back as none");
        manifest_free(&b);
        free(text);
}

static void test_bad(void)
{
        struct manifest b;
        CHECK(manifest_from_json("{not json", &b) == -EBADMSG, "garbage is refused");
        CHECK(manifest_from_json("[1,2]", &b) == -EBADMSG, "a non-object is refused");
        CHECK(manifest_from_json("{\"kernel\": {\"version\": \"x\"}}", &b) == -EBADMSG,
              "a manifest without inputs is refused");
}

static void test_cmdline(void)
{
        char *q = appliance_default_cmdline(false, "u-1");
        char *d = appliance_default_cmdline(true, "u-1");
        CHECK(q && strstr(q, " quiet ") && !strstr(q, "leanboot.debug"), "default is quiet: %s", q);
        CHECK(d && !strstr(d, "quiet") && strstr(d, "leanboot.debug"), "debug drops quiet: %s", d);
        CHECK(q && strstr(q, "root=UUID=u-1"), "root by UUID");
        free(q);
        free(d);
}

int main(void)
{
        test_roundtrip();
        test_bad();
        test_cmdline();
        return tap_done();
}
