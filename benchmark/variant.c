/* Setting up, booting and tearing down one side of a bench (variant.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peer.h"
#include "qcow2.h"
#include "run.h"
#include "variant.h"
#include "../common/appliance.h"
#include "../common/contract.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/manifest.h"
#include "../common/strv.h"

/* --logs DIR: the kernel log as it came back, for `leanboot analyze` or a reader. */
static void keep_log(const struct variant *v, const char *dir, const char *text, size_t len)
{
        char name[64];
        snprintf(name, sizeof name, "%s-%02d.log", v->name, v->run_no);
        _cleanup_free_ char *path = path_join(dir, name);
        _cleanup_close_ int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
        if (fd < 0 || write_full(fd, text, len) < 0)
                log_warn("cannot keep the kernel log in %s/%s", dir, name);
}

int variant_read_log(struct variant *v, const char *logs_dir, struct initcall_log *ret)
{
        char head[64] = { 0 };
        int r = qcow2_read(v->overlay, v->root_size, head, sizeof head - 1);
        if (r < 0)
                return r;
        int n;
        if (sscanf(head, KLOG_HEADER_FORMAT, &n) != 1 || n < 0 || n > DATA_TAIL_BYTES - 64)
                return -ENODATA;
        size_t off = strcspn(head, "\n") + 1;
        _cleanup_free_ char *buf = malloc((size_t)n + 1);
        if (!buf)
                return -ENOMEM;
        if ((r = qcow2_read(v->overlay, v->root_size + off, buf, (size_t)n)) < 0)
                return r;
        buf[n] = '\0';
        if ((size_t)n > v->log_bytes_max)
                v->log_bytes_max = (size_t)n;
        if (logs_dir && v->run_no > 0)
                keep_log(v, logs_dir, buf, (size_t)n);
        /* A ring buffer that wrapped has lost the boot's first records, and with them initcalls. */
        if (!strstr(buf, "Linux version"))
                log_warn("%s: the kernel's ring buffer wrapped: early initcall records are missing "
                         "(the bench passed log_buf_len=%uK; the guest logged more)", v->name, v->log_buf_len >> 10);
        return initcall_parse(buf, ret);
}

/* Count a failed boot under its reason; true when the reason is new (worth printing now). */
bool variant_note_failure(struct variant *v, char *why)
{
        for (size_t k = 0; k < v->n_reasons; k++)
                if (streq(v->reasons[k].text, why)) {
                        v->reasons[k].count++;
                        free(why);
                        return false;
                }
        struct failure_reason *r = realloc(v->reasons, (v->n_reasons + 1) * sizeof *r);
        if (!r) {
                free(why);
                return false;
        }
        v->reasons = r;
        r[v->n_reasons++] = (struct failure_reason){ why, 1 };
        return true;
}

/* Did KVM end this variant's failed boots (so that --accel tcg is the advice)? */
bool variant_accel_suspect(const struct variant *v)
{
        for (size_t k = 0; k < v->n_reasons; k++)
                if (strstr(v->reasons[k].text, "KVM ended the boot"))
                        return true;
        return false;
}

/* The kernel command line of a variant's boots: its --append, then, when collecting, the
 * initcall records kept in a ring buffer of log_buf_len bytes and where the init writes them. */
static int variant_set_cmdline(struct variant *v, unsigned log_buf_len)
{
        _cleanup_free_ char *full = NULL, *collect = NULL;
        if (v->collect && asprintf(&collect, "initcall_debug log_buf_len=%uK " CMDLINE_COLLECT "=root@%" PRIu64,
                                   log_buf_len >> 10, v->root_size) < 0)
                return -ENOMEM;
        const char *append = v->append;
        if (asprintf(&full, "%s%s%s", append ? append : "", append && collect ? " " : "", collect ? collect : "") < 0)
                return -ENOMEM;
        char *payload[] = { "true", NULL };
        char *cmdline = run_cmdline(v->appliance, false, full, payload, boot_cmdline_reserved(v->machine, 0));
        if (!cmdline)
                return -EINVAL;
        free(v->cmdline);
        v->cmdline = cmdline;
        v->log_buf_len = log_buf_len;
        return 0;
}

/* After the warm-up: twice the largest log seen, a power of two, at least LOG_BUF_MIN. */
void variant_size_log_buffer(struct variant *v)
{
        if (!v->collect || v->log_bytes_max == 0)
                return; /* no warm-up log: keep the warm-up size */
        unsigned want = LOG_BUF_MIN;
        while (want < 2 * v->log_bytes_max && want < LOG_BUF_WARMUP)
                want <<= 1;
        if (want == v->log_buf_len || variant_set_cmdline(v, want) < 0)
                return;
        log_info("bench: %s's kernel log is %zu KB: log_buf_len=%uK for the timed boots", v->name,
                 (v->log_bytes_max + 1023) / 1024, want >> 10);
}

int variant_setup(struct variant *v, const char *name, const char *dir, const char *append, bool initcalls,
                  enum machine machine)
{
        *v = (struct variant){ .name = name, .appliance = dir };
        const char *missing = NULL;
        if (appliance_check(dir, &missing) < 0)
                return log_error_status(-EINVAL, "bench: variant %s: '%s' is not a leanboot appliance (no %s)", name, dir,
                                 missing ? missing : "manifest.json");
        if (appliance_machine(dir, machine, &v->machine) < 0)
                return -EINVAL;
        struct manifest m;
        if (manifest_load(dir, &m) == 0) {
                if (asprintf(&v->kernel, "%s %s", m.kernel_version, m.kernel_origin ? m.kernel_origin : "") < 0)
                        v->kernel = NULL;
                manifest_free(&m);
        }
        if (!v->kernel)
                v->kernel = strdup("unknown");
        v->append = append && *append ? strdup(append) : NULL;
        _cleanup_free_ char *root = path_join(dir, "root"), *abs_root = root ? realpath(root, NULL) : NULL;
        struct stat st;
        if (!abs_root || stat(abs_root, &st) < 0)
                return log_error_status(-EINVAL, "bench: variant %s: cannot read %s/root", name, dir);
        v->root_size = ((uint64_t)st.st_size + 4095) & ~(uint64_t)4095; /* the init writes in 4 KiB blocks */
        v->collect = initcalls;
        int r = variant_set_cmdline(v, LOG_BUF_WARMUP);
        if (r < 0)
                return r;
        /* Every bench boot, with or without collection, boots the same kind of root: a qcow2
         * overlay with a 16 MiB tail (see qcow2.h). */
        char tmpl[] = "/tmp/leanboot-overlay-XXXXXX";
        if (!mkdtemp(tmpl))
                return log_error_errno(-errno, "bench: cannot create a directory for the root overlay");
        v->overlay_dir = strdup(tmpl);
        v->overlay_template = path_join(tmpl, "template.qcow2");
        v->overlay = path_join(tmpl, "boot.qcow2");
        if (!v->overlay_dir || !v->overlay_template || !v->overlay)
                return -ENOMEM;
        _cleanup_free_ char *err = NULL;
        r = qcow2_create_overlay(abs_root, v->root_size + DATA_TAIL_BYTES, v->overlay_template, &err);
        if (r < 0)
                return log_error_status(r, "bench: variant %s: %s", name, err ? err : strerror(-r));
        return 0;
}

void variant_free(struct variant *v)
{
        for (size_t i = 0; i < v->n; i++)
                initcall_log_free(&v->samples[i].ic);
        free(v->samples);
        for (size_t k = 0; k < v->n_reasons; k++)
                free(v->reasons[k].text);
        free(v->reasons);
        if (v->overlay_dir)
                rm_rf(v->overlay_dir);
        free(v->overlay_dir);
        free(v->overlay_template);
        free(v->overlay);
        free(v->append);
        free(v->cmdline);
        free(v->kernel);
}

/* --peer libguestfs: A is libguestfs with its own appliance, B with the given fixed appliance. */
int variant_setup_peer(struct variant v[2], const char *appliance)
{
        if (!peer_libguestfs_available())
                return log_error_status(-EINVAL, "bench: --peer libguestfs: leanboot was built without libguestfs "
                                 "(apt-get install libguestfs-dev, then rebuild)");
        _cleanup_free_ char *fixed = path_join(appliance, "README.fixed");
        if (!fixed || access(fixed, R_OK) < 0)
                return log_error_status(-EINVAL, "bench: '%s' is not a libguestfs fixed appliance (no README.fixed; build one "
                                 "with leanboot build --from-supermin-d libguestfs -o DIR)", appliance);
        /* libguestfs writes its own QEMU command line: the PC machine, which B's kernel must boot on. */
        enum machine pc;
        if (appliance && appliance_machine(appliance, MACHINE_PC, &pc) < 0)
                return -EINVAL;
        v[0] = (struct variant){ .name = "A", .appliance = "libguestfs (its own appliance)", .peer = true, .machine = MACHINE_PC,
                                 .kernel = strdup("libguestfs's choice (supermin)") };
        v[1] = (struct variant){ .name = "B", .appliance = appliance, .peer = true, .guestfs_path = appliance,
                                 .machine = MACHINE_PC };
        struct manifest m;
        if (manifest_load(appliance, &m) == 0) {
                if (asprintf(&v[1].kernel, "%s %s", m.kernel_version, m.kernel_origin ? m.kernel_origin : "") < 0)
                        v[1].kernel = NULL;
                manifest_free(&m);
        }
        if (!v[1].kernel)
                v[1].kernel = strdup("unknown");
        return 0;
}

bool variant_hopeless(const struct variant *v)
{
        size_t failed = 0;
        for (size_t k = 0; k < v->n_reasons; k++)
                failed += v->reasons[k].count;
        return v->tried >= HOPELESS_AFTER && failed == v->tried;
}
