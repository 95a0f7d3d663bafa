/* The builder's rewrites of supermin's output: the initrd trimmed to the root's modules and given
 * its pre-init (on archives written by GNU cpio, the format supermin writes) and the kernel unpacked for a PVH
 * boot (on the host's own Debian kernel, when it is installed). */
#include <config.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "../../builder/initrd.h"
#include "../../builder/vmlinux.h"
#include "../../common/fileio.h"
#include "../../common/macro.h"
#include "../../common/spawn.h"

static char *capture_listing(const char *archive)
{
        _cleanup_free_ char *cmd = NULL;
        if (asprintf(&cmd, "cpio -it --quiet < '%s' | sort | tr '\\n' ' '", archive) < 0)
                return NULL;
        char *argv[] = { "sh", "-c", cmd, NULL };
        char *out = NULL, *err = NULL;
        int r = run_capture(argv, &out, &err);
        free(err);
        if (r != 0) {
                free(out);
                return NULL;
        }
        return out;
}

static char *archive_member(const char *archive, const char *member)
{
        _cleanup_free_ char *cmd = NULL;
        if (asprintf(&cmd, "cpio -i --quiet --to-stdout '%s' < '%s'", member, archive) < 0)
                return NULL;
        char *argv[] = { "sh", "-c", cmd, NULL };
        char *out = NULL, *err = NULL;
        int r = run_capture(argv, &out, &err);
        free(err);
        return r == 0 ? out : (free(out), NULL);
}

static void test_initrd(const char *dir)
{
        /* A mini-initrd as supermin lays it out: init, a modules list, modules side by side. */
        static const char *const files[] = { "init", "virtio.ko", "virtio_blk.ko", "ext4.ko", "jbd2.ko",
                                             "ata_piix.ko", "nfit.ko", "fuse.ko" };
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *p = path_join(dir, files[i]), *body = NULL;
                if (asprintf(&body, "contents of %s, %zu bytes padded oddly%.*s", files[i], i, (int)i, "xxxxxxx") < 0)
                        return;
                write_file_atomic(p, body, strlen(body), 0644);
        }
        _cleanup_free_ char *mods = path_join(dir, "modules");
        const char *list = "virtio.ko\nvirtio_blk.ko\nata_piix.ko\nnfit.ko\njbd2.ko\next4.ko\nfuse.ko\n";
        write_file_atomic(mods, list, strlen(list), 0644);
        _cleanup_free_ char *archive = path_join(dir, "initrd"), *cmd = NULL;
        if (asprintf(&cmd, "cd '%s' && ls init modules *.ko | cpio -o -H newc --quiet > initrd", dir) < 0)
                return;
        char *sh[] = { "sh", "-c", cmd, NULL };
        CHECK(run_argv(sh, NULL) == 0, "cpio wrote a newc archive");

        char *keep[] = { "kernel/drivers/virtio/virtio.ko", "kernel/drivers/block/virtio_blk.ko",
                         "kernel/fs/jbd2/jbd2.ko", "kernel/fs/ext4/ext4.ko", "kernel/drivers/scsi/not_there.ko" };
        size_t kept = 0;
        int r = initrd_trim(archive, keep, ARRAY_SIZE(keep), false, &kept, NULL);
        CHECK(r == 0, "initrd_trim: %s", strerror(-r));
        CHECK(kept == 4, "4 modules kept (one asked for is not in the archive), got %zu", kept);
        _cleanup_free_ char *listing = capture_listing(archive);
        CHECK_STR(listing, "ext4.ko init jbd2.ko modules virtio.ko virtio_blk.ko ", "members after trimming");
        _cleanup_free_ char *new_list = archive_member(archive, "modules");
        CHECK_STR(new_list, "virtio.ko\nvirtio_blk.ko\njbd2.ko\next4.ko\n", "the modules list, in dependency order");
        _cleanup_free_ char *ext4 = archive_member(archive, "ext4.ko");
        CHECK_STR(ext4, "contents of ext4.ko, 3 bytes padded oddlyxxx", "a kept module's bytes");
        _cleanup_free_ char *init = archive_member(archive, "init");
        CHECK_STR(init, "contents of init, 0 bytes padded oddly", "init kept as it was");

        /* Not supermin's initrd: refused, file untouched. */
        _cleanup_free_ char *bogus = path_join(dir, "bogus");
        write_file_atomic(bogus, "not a cpio archive at all", 25, 0644);
        r = initrd_trim(bogus, keep, ARRAY_SIZE(keep), true, &kept, NULL);
        CHECK(r == -EBADMSG, "garbage is refused with EBADMSG (got %d)", r);
        _cleanup_free_ char *after = NULL;
        read_full_file(bogus, &after, NULL);
        CHECK_STR(after, "not a cpio archive at all", "a refused file is left as it was");
        /* An archive cut short: refused too. */
        _cleanup_free_ char *whole = NULL;
        size_t wl = 0;
        read_full_file(archive, &whole, &wl);
        _cleanup_free_ char *cut = path_join(dir, "cut");
        write_file_atomic(cut, whole, wl / 2, 0644);
        r = initrd_trim(cut, keep, ARRAY_SIZE(keep), true, &kept, NULL);
        CHECK(r == -EBADMSG, "a truncated archive is refused with EBADMSG (got %d)", r);
}

/* The pre-init goes in as /init, supermin's init as /init.supermin, the keep list beside them;
 * GNU cpio reads the result back with the modes and bytes given. */
static void test_preinit(const char *dir)
{
        _cleanup_free_ char *sub = path_join(dir, "pre"), *archive = NULL, *bin = NULL, *cmd = NULL;
        if (!sub || mkdir_p(sub, 0755) < 0 || !(archive = path_join(sub, "initrd")) || !(bin = path_join(sub, "preinit.bin")))
                return;
        static const char *const files[] = { "init", "modules", "virtio_pci.ko" };
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *p = path_join(sub, files[i]), *body = NULL;
                if (asprintf(&body, "supermin's %s%.*s", files[i], (int)i, "xx") < 0)
                        return;
                write_file_atomic(p, body, strlen(body), 0755);
        }
        const char *pre = "\177ELF stand-in for the pre-init";
        write_file_atomic(bin, pre, strlen(pre), 0755);
        if (asprintf(&cmd, "cd '%s' && ls init modules virtio_pci.ko | cpio -o -H newc --quiet > initrd", sub) < 0)
                return;
        char *sh[] = { "sh", "-c", cmd, NULL };
        CHECK(run_argv(sh, NULL) == 0, "cpio wrote a newc archive");

        int r = initrd_add_preinit(archive, bin, "1 2 3 8\n");
        CHECK(r == 0, "initrd_add_preinit: %s", strerror(-r));
        _cleanup_free_ char *listing = capture_listing(archive);
        CHECK_STR(listing, "init init.supermin leanboot-virtio-keep modules virtio_pci.ko ", "members");
        _cleanup_free_ char *init = archive_member(archive, "init"), *old = archive_member(archive, "init.supermin");
        _cleanup_free_ char *keep = archive_member(archive, "leanboot-virtio-keep");
        CHECK_STR(init, pre, "/init is the pre-init");
        CHECK_STR(old, "supermin's init", "supermin's init kept, renamed");
        CHECK_STR(keep, "1 2 3 8\n", "the keep list");
        _cleanup_free_ char *vcmd = NULL, *modes = NULL, *err = NULL;
        if (asprintf(&vcmd, "cpio -itv --quiet < '%s' | awk '{print $1, $NF}' | sort -k2 | tr '\\n' ' '", archive) < 0)
                return;
        char *v[] = { "sh", "-c", vcmd, NULL };
        CHECK(run_capture(v, &modes, &err) == 0, "cpio -itv");
        CHECK_STR(modes, "-rwxr-xr-x init -rwxr-xr-x init.supermin -rw-r--r-- leanboot-virtio-keep "
                         "-rwxr-xr-x modules -rwxr-xr-x virtio_pci.ko ", "modes");

        /* Twice is refused (the archive already has its pre-init), and so is an archive without an init. */
        CHECK(initrd_add_preinit(archive, bin, "2\n") == -EBADMSG, "a second pre-init is refused");
        _cleanup_free_ char *again = archive_member(archive, "leanboot-virtio-keep");
        CHECK_STR(again, "1 2 3 8\n", "the refused call left the archive as it was");
        _cleanup_free_ char *cmd2 = NULL, *noinit = path_join(sub, "noinit");
        if (!noinit || asprintf(&cmd2, "cd '%s' && ls modules | cpio -o -H newc --quiet > noinit", sub) < 0)
                return;
        char *sh2[] = { "sh", "-c", cmd2, NULL };
        CHECK(run_argv(sh2, NULL) == 0, "cpio wrote an archive without init");
        CHECK(initrd_add_preinit(noinit, bin, "2\n") == -EBADMSG, "no init to run after the pre-init: refused");
}

/* A module body, a 5-byte "signature", struct module_signature (sig_len 5, big-endian, last) and
 * the marker, as scripts/sign-file appends them. */
static size_t fake_signed(char *buf, const char *body, uint32_t sig_len_field)
{
        size_t n = strlen(body);
        memcpy(buf, body, n);
        memcpy(buf + n, "SIGXX", 5);
        n += 5;
        unsigned char info[12] = { 0, 0, 2, 0, 0, 0, 0, 0,
                                   sig_len_field >> 24, sig_len_field >> 16, sig_len_field >> 8, sig_len_field };
        memcpy(buf + n, info, sizeof info);
        n += sizeof info;
        memcpy(buf + n, "~Module signature appended~\n", 28);
        return n + 28;
}

static void test_module_signatures(const char *dir)
{
        char buf[256];
        size_t n = fake_signed(buf, "ELF body", 5);
        CHECK(module_unsigned_size(buf, n) == 8, "a signed module is cut to its body (%zu)", module_unsigned_size(buf, n));
        n = fake_signed(buf, "ELF body", 4096);
        CHECK(module_unsigned_size(buf, n) == n, "a signature longer than the file: left whole");
        n = fake_signed(buf, "ELF body", 0);
        CHECK(module_unsigned_size(buf, n) == n, "a zero-length signature: left whole");
        CHECK(module_unsigned_size("plain ELF", 9) == 9, "an unsigned module: left whole");
        CHECK(module_unsigned_size("~Module signature appended~\n", 28) == 28, "a marker alone: left whole");

        /* A real signed module from the host's kernel: cut exactly where its ELF ends (a module's
         * section header table is the last thing in it). */
        glob_t g;
        if (glob("/lib/modules/*/kernel/fs/ext4/ext4.ko", 0, NULL, &g) != 0) {
                SKIP("no ext4.ko on the host: the real-module case cannot run");
        } else {
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                CHECK(read_full_file(g.gl_pathv[0], &data, &len) == 0, "read %s", g.gl_pathv[0]);
                const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
                size_t elf_end = len >= sizeof *eh ? eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize : 0;
                size_t cut = module_unsigned_size(data, len);
                CHECK(cut < len, "ext4.ko is signed (%zu of %zu bytes)", cut, len);
                CHECK(cut == elf_end, "cut at the ELF's end: %zu, section headers end at %zu", cut, elf_end);
                globfree(&g);
        }

        /* Through initrd_trim: the kept module loses its signature, the count says so. */
        _cleanup_free_ char *sub = path_join(dir, "signed");
        mkdir(sub, 0755);
        _cleanup_free_ char *ko = path_join(sub, "ext4.ko"), *init = path_join(sub, "init"),
                            *mods = path_join(sub, "modules"), *archive = path_join(sub, "initrd"), *cmd = NULL;
        n = fake_signed(buf, "ext4 module body", 5);
        write_file_atomic(ko, buf, n, 0644);
        write_file_atomic(init, "init", 4, 0755);
        write_file_atomic(mods, "ext4.ko\n", 8, 0644);
        if (asprintf(&cmd, "cd '%s' && ls init modules ext4.ko | cpio -o -H newc --quiet > initrd", sub) < 0)
                return;
        char *sh[] = { "sh", "-c", cmd, NULL };
        CHECK(run_argv(sh, NULL) == 0, "cpio wrote the signed-module archive");
        char *keep[] = { "kernel/fs/ext4/ext4.ko" };
        size_t kept = 0, stripped = 0;
        CHECK(initrd_trim(archive, keep, 1, true, &kept, &stripped) == 0, "trim with signatures cut");
        CHECK(kept == 1 && stripped == 1, "one module kept, one signature cut (%zu, %zu)", kept, stripped);
        _cleanup_free_ char *body = archive_member(archive, "ext4.ko");
        CHECK_STR(body, "ext4 module body", "the module's body, without signature");
}

static void test_vmlinux(const char *dir)
{
        glob_t g;
        if (glob("/boot/vmlinuz-*", 0, NULL, &g) != 0) {
                SKIP("no /boot/vmlinuz-*: kernel unpacking cannot run");
                return;
        }
        const char *bz = g.gl_pathv[g.gl_pathc - 1];
        _cleanup_free_ char *out = path_join(dir, "vmlinux"), *why = NULL;
        int r = vmlinux_unpack(bz, out, dir, &why);
        CHECK(r == 0, "%s unpacks (%s)", bz, why ? why : strerror(-r));
        struct stat st;
        CHECK(stat(out, &st) == 0 && st.st_size > 4 * 1024 * 1024, "the vmlinux is larger than 4 MiB");
        CHECK(vmlinux_has_pvh_entry(out) == 1, "the vmlinux has a PVH entry note");
        CHECK(vmlinux_has_pvh_entry(bz) == 0, "the bzImage itself is not a PVH ELF");
        _cleanup_free_ char *packed = path_join(dir, "vmlinux.packed");
        CHECK(access(packed, F_OK) < 0, "no scratch file left behind");

        /* A file that is not a bzImage, and a bzImage cut short: refused, saying why. */
        _cleanup_free_ char *fake = path_join(dir, "fake"), *fake_out = path_join(dir, "fake.out");
        write_file_atomic(fake, "#!/bin/sh\necho not a kernel\n", 28, 0644);
        free(why);
        why = NULL;
        r = vmlinux_unpack(fake, fake_out, dir, &why);
        CHECK(r == -EMEDIUMTYPE && why && strstr(why, "not a bzImage"), "a script is refused: %s", why ? why : "?");
        CHECK(access(fake_out, F_OK) < 0, "nothing written for a refused kernel");
        _cleanup_free_ char *whole = NULL, *cut = path_join(dir, "cut.bz");
        size_t wl = 0;
        read_full_file(bz, &whole, &wl);
        write_file_atomic(cut, whole, wl - wl / 4, 0644);
        free(why);
        why = NULL;
        r = vmlinux_unpack(cut, fake_out, dir, &why);
        CHECK(r == -EMEDIUMTYPE && why, "a truncated bzImage is refused: %s", why ? why : "?");
        CHECK(access(fake_out, F_OK) < 0, "nothing left of the truncated kernel's unpacking");
        globfree(&g);
}

/* An ELF whose program headers would lie past the end of the address space (e_phoff near 2^64):
 * the audit's crash in `build --kernel` (the bounds check summed and wrapped).  Read as "no PVH
 * note", not a segfault; and a table that runs past the file's end likewise. */
static void test_vmlinux_crafted(const char *dir)
{
        static const uint64_t phoffs[] = { UINT64_C(0xfffffffffffffff0), UINT64_C(0xffffffffffffffc8), 200, 64 };
        for (size_t i = 0; i < sizeof phoffs / sizeof *phoffs; i++) {
                unsigned char elf[128] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
                for (int b = 0; b < 8; b++)
                        elf[0x20 + b] = (unsigned char)(phoffs[i] >> (8 * b));
                elf[0x36] = 56;  /* e_phentsize */
                elf[0x38] = 3;   /* e_phnum: the third header ends past the 128-byte file */
                _cleanup_free_ char *path = path_join(dir, "crafted.elf");
                write_file_atomic(path, elf, sizeof elf, 0644);
                CHECK(vmlinux_has_pvh_entry(path) == 0, "e_phoff 0x%llx: no PVH note, no crash", (unsigned long long)phoffs[i]);
        }
}

int main(void)
{
        char tmpl[] = "/tmp/leanboot-test-parts-XXXXXX";
        char *dir = mkdtemp(tmpl);
        if (!dir)
                return 99;
        test_initrd(dir);
        test_module_signatures(dir);
        test_preinit(dir);
        test_vmlinux(dir);
        test_vmlinux_crafted(dir);
        rm_rf(dir);
        return tap_done();
}
