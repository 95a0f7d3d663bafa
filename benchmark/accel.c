#include <config.h>

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/macro.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/strv.h"

#define KVM_DEVICE "/dev/kvm"
/* Bumped when the probe changes, so that verdicts of an older probe are not trusted. */
#define PROBE_VERSION "probe-2"
/* The probe guest writes this to QEMU's isa-debug-exit port: QEMU exits with (v << 1) | 1. */
#define PROBE_EXIT_VALUE 0x2a
#define PROBE_EXIT_STATUS ((PROBE_EXIT_VALUE << 1) | 1)
/* A KVM that works runs the probe in about 40 ms; one that hangs is not waited for long. */
#define PROBE_TIMEOUT_MS 10000
#define PROBE_MEMORY_MB 256

int accel_from_string(const char *s, enum accel *ret)
{
        if (streq(s, "auto"))
                *ret = ACCEL_AUTO;
        else if (streq(s, "kvm"))
                *ret = ACCEL_KVM;
        else if (streq(s, "tcg"))
                *ret = ACCEL_TCG;
        else
                return -EINVAL;
        return 0;
}

const char *accel_name(enum accel a)
{
        return a == ACCEL_KVM ? "kvm" : a == ACCEL_TCG ? "tcg" : "auto";
}

const char *qemu_binary(void)
{
        const char *e = getenv("LEANBOOT_QEMU");
        return e && *e ? e : QEMU_PATH;
}

int qemu_machine_args(char ***a, enum accel accel, enum guest_clock clock, enum machine machine, int memory_mb, int smp)
{
        int r = 0;
        r = r ?: strv_push(a, "-no-user-config");
        r = r ?: strv_push(a, "-nodefaults");
        r = r ?: strv_push(a, "-display");
        r = r ?: strv_push(a, "none");
        r = r ?: strv_push(a, "-no-reboot");
        r = r ?: strv_push(a, "-machine");
        /* microvm: no ACPI, so that QEMU names the virtio-mmio devices on the kernel command line
         * (a kernel without ACPI would find no disk); a PIT and PIC the cut-down kernel's timer
         * and interrupt setup expect. */
        if (machine == MACHINE_MICROVM)
                r = r ?: strv_pushf(a, "microvm,accel=%s,acpi=off,pit=on,pic=on,rtc=on,isa-serial=on", accel_name(accel));
        else
                r = r ?: strv_pushf(a, "accel=%s", accel_name(accel));
        r = r ?: strv_push(a, "-cpu");
        r = r ?: strv_push(a, accel == ACCEL_KVM ? "host" : "max");
        r = r ?: strv_push(a, "-m");
        r = r ?: strv_pushf(a, "%d", memory_mb);
        r = r ?: strv_push(a, "-smp");
        r = r ?: strv_pushf(a, "%d", smp);
        /* The guest ends the boot through this device: no ACPI power-off path to wait for. */
        r = r ?: strv_push(a, "-device");
        r = r ?: strv_push(a, "isa-debug-exit,iobase=0xf4,iosize=0x04");
        return r ?: guest_clock_qemu_args(a, accel == ACCEL_TCG ? clock : GUEST_CLOCK_WALL);
}

/* The first line of QEMU's stderr worth showing, without the "qemu-system-x86_64: " and "error: "
 * prefixes (malloc'd), or NULL when there is none. */
static char *qemu_message(const char *err)
{
        const char *pick = NULL;
        /* The first line that says "error" (QEMU's own), else the first non-empty one. */
        for (const char *l = err; l && *l; l += strcspn(l, "\n"), l += *l == '\n') {
                size_t n = strcspn(l, "\n");
                if (n == 0)
                        continue;
                if (!pick)
                        pick = l;
                if (memmem(l, n, "error", 5) || memmem(l, n, "Error", 5)) {
                        pick = l;
                        break;
                }
        }
        if (!pick)
                return NULL;
        size_t n = strcspn(pick, "\n");
        /* "qemu-system-x86_64: error: failed to set MSR ..." -> "failed to set MSR ..." */
        const char *colon = memchr(pick, ':', n);
        if (colon && strncmp(pick, "qemu-system", 11) == 0) {
                n -= (size_t)(colon + 1 - pick);
                pick = colon + 1;
                while (n && *pick == ' ')
                        pick++, n--;
        }
        if (n > 7 && strncmp(pick, "error: ", 7) == 0)
                pick += 7, n -= 7;
        return strndup(pick, n);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What the verdict depends on: a change to any of it makes leanboot probe again. */
static char *host_key(void)
{
        struct utsname u;
        if (uname(&u) < 0)
                return NULL;
        struct stat q = { 0 }, dev = { 0 };
        (void)stat(qemu_binary(), &q);
        (void)stat(KVM_DEVICE, &dev);
        /* The KVM modules, built in or loaded (kvm_intel, kvm_amd, kvm_pvm ...), with the size and
         * source version of a loadable one: another or a reloaded module changes the key. */
        _cleanup_strv_free_ char **mods = NULL;
        _cleanup_closedir_ DIR *d = opendir("/sys/module");
        struct dirent *e;
        while (d && (e = readdir(d))) {
                if (strncmp(e->d_name, "kvm", 3) != 0)
                        continue;
                char p[300];
                _cleanup_free_ char *size = NULL, *src = NULL;
                snprintf(p, sizeof p, "/sys/module/%s/coresize", e->d_name);
                (void)read_full_file(p, &size, NULL);
                snprintf(p, sizeof p, "/sys/module/%s/srcversion", e->d_name);
                (void)read_full_file(p, &src, NULL);
                if (strv_pushf(&mods, "%s:%.*s:%.*s", e->d_name, size ? (int)strcspn(size, "\n") : 0, size ? size : "",
                               src ? (int)strcspn(src, "\n") : 0, src ? src : "") < 0)
                        return NULL;
        }
        if (mods)
                qsort(mods, strv_length(mods), sizeof *mods, cmp_str);
        _cleanup_free_ char *kvm = strv_join(mods, " ");
        char *key = NULL;
        if (asprintf(&key, "%s %s %s|%s %lld %lld %llu|%s dev %llx|%s", u.release, u.version, u.machine,
                     qemu_binary(), (long long)q.st_size, (long long)q.st_mtime, (unsigned long long)q.st_ino,
                     kvm && *kvm ? kvm : "none", (unsigned long long)dev.st_rdev, PROBE_VERSION) < 0)
                return NULL;
        return key;
}

static char *verdict_path(void)
{
        _cleanup_free_ char *cache = leanboot_cache_dir();
        char host[256] = "host";
        (void)gethostname(host, sizeof host - 1);
        char *p = NULL;
        /* One file per host name: a cache shared between machines (an NFS home) keeps each one's. */
        if (!cache || asprintf(&p, "%s/accel/kvm-%s", cache, host) < 0)
                return NULL;
        return p;
}

/* The cached verdict when its key matches this host now: 1 usable, 0 unusable (with *ret_reason),
 * -ENOENT when there is none to trust. */
static int verdict_load(const char *key, char **ret_reason)
{
        _cleanup_free_ char *path = verdict_path(), *text = NULL;
        if (!path || read_full_file(path, &text, NULL) < 0)
                return -ENOENT;
        char *k = strstr(text, "\nkey="), *v = strstr(text, "\nverdict="), *why = strstr(text, "\nreason=");
        if (!k || !v || !why)
                return -ENOENT;
        k += 5, v += 9, why += 8;
        if (strcspn(k, "\n") != strlen(key) || strncmp(k, key, strlen(key)) != 0)
                return -ENOENT;
        bool usable = strncmp(v, "usable\n", 7) == 0;
        if (!usable && strncmp(v, "unusable\n", 9) != 0)
                return -ENOENT;
        *ret_reason = strndup(why, strcspn(why, "\n"));
        return usable ? 1 : 0;
}

static void verdict_store(const char *key, bool usable, const char *reason, const char *source)
{
        _cleanup_free_ char *path = verdict_path(), *text = NULL;
        if (!path)
                return;
        _cleanup_free_ char *dir = strndup(path, (size_t)(strrchr(path, '/') - path));
        time_t now = time(NULL);
        char when[32] = "";
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        if (!dir || mkdir_p(dir, 0755) < 0 ||
            asprintf(&text, "# leanboot's verdict on KVM for this host; a changed key makes it probe again\n"
                            "key=%s\nverdict=%s\nreason=%s\nsource=%s\ntime=%s\n",
                     key, usable ? "usable" : "unusable", reason, source, when) < 0 ||
            write_file_atomic(path, text, strlen(text), 0644) < 0)
                log_debug("cannot cache the KVM verdict in %s", path);
}

/* A 64 KiB firmware image whose reset vector (real mode, F000:FFF0) writes PROBE_EXIT_VALUE to
 * the isa-debug-exit port: QEMU exits with PROBE_EXIT_STATUS only if the vCPU ran guest code. */
static int probe_rom(char **ret_path)
{
        static const unsigned char reset[] = {
                0xb0, PROBE_EXIT_VALUE, /* mov al, 0x2a */
                0xe6, 0xf4,             /* out 0xf4, al */
                0xf4,                   /* hlt */
                0xeb, 0xfd,             /* jmp back to the hlt */
        };
        _cleanup_free_ char *cache = leanboot_cache_dir();
        _cleanup_free_ char *dir = cache ? path_join(cache, "accel") : NULL;
        _cleanup_free_ char *path = dir ? path_join(dir, "probe-" PROBE_VERSION ".rom") : NULL;
        if (!path)
                return -ENOMEM;
        if (file_size(path) != 65536) {
                _cleanup_free_ unsigned char *rom = malloc(65536);
                if (!rom)
                        return -ENOMEM;
                memset(rom, 0xf4, 65536); /* hlt everywhere else */
                memcpy(rom + 0xfff0, reset, sizeof reset);
                int r = mkdir_p(dir, 0755);
                if (r < 0 || (r = write_file_atomic(path, rom, 65536, 0644)) < 0)
                        return r;
        }
        *ret_path = TAKE_PTR(path);
        return 0;
}

enum probe_result {
        PROBE_UNUSABLE,     /* KVM refused the guest: QEMU's KVM layer said so, or QEMU aborted */
        PROBE_USABLE,       /* the guest ran */
        PROBE_INCONCLUSIVE, /* something else went wrong (no QEMU, a hang): not a verdict to keep */
};

/* Did QEMU fail because of KVM?  Its KVM layer names itself; an abort comes from an assertion
 * there (the MSR one on PVM).  Anything else says nothing about KVM. */
static bool kvm_refused(const char *err, int status)
{
        return status == 128 + 6 || (err && (strcasestr(err, "kvm") || strstr(err, "failed to set MSR")));
}

/* Run the probe guest under KVM: a probe_result, with QEMU's words when not PROBE_USABLE, or
 * -errno when the probe itself could not be run. */
static int probe_kvm(char **ret_reason)
{
        _cleanup_free_ char *rom = NULL;
        int r = probe_rom(&rom);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **argv = NULL;
        r = strv_push(&argv, qemu_binary());
        r = r ?: qemu_machine_args(&argv, ACCEL_KVM, GUEST_CLOCK_WALL, MACHINE_PC, PROBE_MEMORY_MB, 1);
        r = r ?: strv_push(&argv, "-bios");
        r = r ?: strv_push(&argv, rom);
        if (r < 0)
                return r;
        _cleanup_free_ char *out = NULL, *err = NULL;
        int st = run_capture_timeout(argv, PROBE_TIMEOUT_MS, &out, &err);
        if (st == PROBE_EXIT_STATUS)
                return PROBE_USABLE;
        if (st < 0 && st != -ETIMEDOUT)
                return st;
        char *msg = qemu_message(err);
        if (msg)
                *ret_reason = msg;
        else if (st == -ETIMEDOUT)
                r = asprintf(ret_reason, "a guest did not finish in %d s", PROBE_TIMEOUT_MS / 1000);
        else
                r = asprintf(ret_reason, "QEMU exited with status %d", st);
        if (r < 0)
                return -ENOMEM;
        return st != -ETIMEDOUT && kvm_refused(err, st) ? PROBE_UNUSABLE : PROBE_INCONCLUSIVE;
}

static int choose(struct accel_choice *ret, enum accel a, bool chosen, char *reason)
{
        if (!reason)
                return -ENOMEM;
        *ret = (struct accel_choice){ .accel = a, .chosen = chosen, .reason = reason };
        return 0;
}

int accel_resolve(enum accel want, bool refresh, struct accel_choice *ret)
{
        if (want == ACCEL_TCG)
                return choose(ret, ACCEL_TCG, false, strdup("TCG as asked (--accel tcg)"));
        int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                char *why = NULL;
                int e = errno;
                if (asprintf(&why, e == ENOENT ? "no " KVM_DEVICE : KVM_DEVICE " cannot be opened (%s)", strerror(e)) < 0)
                        why = NULL;
                return choose(ret, ACCEL_TCG, true, why) ?: (want == ACCEL_KVM ? -ENODEV : 0);
        }
        close(fd);
        _cleanup_free_ char *key = host_key(), *reason = NULL;
        if (!key)
                return -ENOMEM;
        int usable = refresh ? -ENOENT : verdict_load(key, &reason);
        bool cached = usable >= 0;
        if (usable < 0) {
                int p = probe_kvm(&reason);
                if (p < 0)
                        return p;
                char *why = NULL;
                if (p == PROBE_INCONCLUSIVE) {
                        /* Not kept: the next command probes again. */
                        if (asprintf(&why, "KVM could not be proven here (QEMU: %s; not cached)", reason ? reason : "?") < 0)
                                why = NULL;
                        return choose(ret, ACCEL_TCG, true, why) ?: (want == ACCEL_KVM ? -ENODEV : 0);
                }
                usable = p == PROBE_USABLE;
                if (usable)
                        reason = strdup("a KVM guest ran on this host");
                verdict_store(key, usable, reason ? reason : "", "probe");
        }
        char *why = NULL;
        if (usable) {
                if (asprintf(&why, "KVM: %s (%s)", reason ? reason : "proven", cached ? "cached verdict" : "probed now") < 0)
                        why = NULL;
                return choose(ret, ACCEL_KVM, want == ACCEL_AUTO, why);
        }
        if (asprintf(&why, KVM_DEVICE " is present but unusable (QEMU: %s)", reason ? reason : "?") < 0)
                why = NULL;
        return choose(ret, ACCEL_TCG, true, why) ?: (want == ACCEL_KVM ? -ENODEV : 0);
}

int accel_resolve_verbose(enum accel want, enum guest_clock clock, struct accel_choice *ret)
{
        if (clock == GUEST_CLOCK_INSN) {
                /* icount is TCG's: KVM runs guest code natively, where no one counts instructions. */
                if (want == ACCEL_KVM)
                        return log_error_status(-EOPNOTSUPP, "--clock insn counts guest instructions, which only TCG can do: "
                                                "it cannot be used with --accel kvm");
                char *why = strdup("TCG, for the instruction clock (--clock insn)");
                if (!why)
                        return log_error_errno(-ENOMEM, "cannot choose an accelerator");
                *ret = (struct accel_choice){ .accel = ACCEL_TCG, .clock = GUEST_CLOCK_INSN, .reason = why };
                return 0;
        }
        int r = accel_resolve(want, false, ret);
        if (r == -ENODEV) {
                log_error("--accel kvm: KVM does not work on this host: %s (try --accel tcg; "
                          "leanboot accel --refresh to probe again)", ret->reason);
                accel_choice_done(ret);
        } else if (r < 0)
                log_error_errno(r, "cannot tell whether KVM works here");
        else if (ret->accel == ACCEL_TCG && want == ACCEL_AUTO)
                log_info("%s: using TCG (software emulation, several times slower than KVM)", ret->reason);
        return r;
}

void accel_choice_done(struct accel_choice *c)
{
        free(c->reason);
        c->reason = NULL;
}

bool accel_stderr_is_fatal(const char *err)
{
        return err && strstr(err, "KVM internal error");
}

char *accel_boot_failure(const char *err, int qemu_status, bool reached_init)
{
        /* QEMU's KVM layer names itself in what it prints when KVM fails a guest. */
        static const char *const signs[] = { "KVM internal error", "KVM: entry failed", "kvm run failed",
                                             "failed to set MSR", "kvm_", "KVM_" };
        for (size_t i = 0; err && i < ARRAY_SIZE(signs); i++) {
                const char *hit = strstr(err, signs[i]);
                if (!hit)
                        continue;
                const char *line = hit;
                while (line > err && line[-1] != '\n')
                        line--;
                _cleanup_free_ char *l = strndup(line, strcspn(line, "\n"));
                return l ? qemu_message(l) : NULL;
        }
        /* An abort before the init said anything, and QEMU said nothing: KVM is the suspect. */
        if (!reached_init && qemu_status == 128 + 6) {
                char *m = qemu_message(err);
                return m ? m : strdup("QEMU aborted (SIGABRT) before the guest's init started");
        }
        return NULL;
}

void accel_record_failure(const char *reason)
{
        _cleanup_free_ char *key = host_key();
        if (key)
                verdict_store(key, false, reason, "boot");
}
