/* The kernel's own kconfig kept running for one build tree: see kresolve.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kresolve.h"
#include "../common/fileio.h"
#include "../common/macro.h"
#include "../common/paths.h"
#include "../common/spawn.h"
#include "../common/strv.h"

/* What scripts/kconfig/conf is made of, but conf.o (its main): the kernel's kconfig library. */
static const char *const kconfig_objects[] = { "confdata.o", "expr.o",       "lexer.lex.o", "menu.o",
                                               "parser.tab.o", "preprocess.o", "symbol.o",    "util.o" };

/* The environment conf saw at the tree's last build: kconfig records every variable its Kconfig
 * files read, with its value, in include/config/auto.conf.cmd, as
 *     ifneq "$(NAME)" "VALUE"
 * lines (so that make reconfigures when one changes).  Appended to *ENV as NAME=VALUE. */
static int conf_environment(const char *obj, char ***env)
{
        _cleanup_free_ char *path = path_join(obj, "include/config/auto.conf.cmd"), *text = NULL;
        if (!path)
                return -ENOMEM;
        int r = read_full_file(path, &text, NULL);
        if (r < 0)
                return r;
        size_t n = 0;
        for (char *l = text, *nl; r >= 0 && l && *l; l = nl ? nl + 1 : NULL) {
                nl = strchr(l, '\n');
                if (nl)
                        *nl = '\0';
                if (strncmp(l, "ifneq \"$(", 9) != 0)
                        continue;
                char *name = l + 9, *close = strstr(name, ")\" \"");
                size_t len = close ? strlen(close) : 0;
                if (!close || len < 5 || close[len - 1] != '"')
                        continue;
                close[len - 1] = '\0';
                r = strv_pushf(env, "%.*s=%s", (int)(close - name), name, close + 4);
                n++;
        }
        return r < 0 ? r : n ? 0 : -ENOENT;
}

static int compile_resolver(const char *src, const char *obj, const char *program, int log_fd)
{
        _cleanup_free_ char *dir = shipped_path("LEANBOOT_KCONFIG_RESOLVE", "kernel/kconfig-resolve", "resolve.c",
                                                PKGDATADIR "/kconfig-resolve");
        _cleanup_free_ char *source = dir ? path_join(dir, "resolve.c") : NULL;
        _cleanup_free_ char *kconfig_src = path_join(src, "scripts/kconfig"), *kconfig_obj = path_join(obj, "scripts/kconfig");
        if (!source || !kconfig_src || !kconfig_obj)
                return -ENOMEM;
        if (!file_exists(source))
                return -ENOPKG; /* said by the caller: leanboot's install lacks it */
        _cleanup_strv_free_ char **argv = NULL;
        int r = strv_push(&argv, "gcc");
        r = r ?: strv_push(&argv, "-O2");
        r = r ?: strv_pushf(&argv, "-I%s", kconfig_src);
        r = r ?: strv_pushf(&argv, "-I%s", kconfig_obj);
        r = r ?: strv_push(&argv, "-o");
        r = r ?: strv_push(&argv, program);
        r = r ?: strv_push(&argv, source);
        for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(kconfig_objects); i++) {
                _cleanup_free_ char *o = path_join(kconfig_obj, kconfig_objects[i]);
                if (!o)
                        return -ENOMEM;
                if (!file_exists(o))
                        return -ENOENT; /* the tree has not been built yet */
                r = strv_push(&argv, o);
        }
        if (r < 0)
                return r;
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdout_fd = so.stderr_fd = log_fd;
        r = run_argv(argv, &so);
        return r == 0 ? 0 : r < 0 ? r : -EIO;
}

int kresolver_start(struct kresolver *k, const char *src, const char *obj, const char *log)
{
        *k = (struct kresolver){ .pid = -1 };
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *program = path_join(obj, "scripts/kconfig/leanboot-kconfig-resolve");
        _cleanup_free_ char *kconfig = path_join(src, "Kconfig");
        if (!program || !kconfig)
                return -ENOMEM;
        int r = conf_environment(obj, &env);
        /* conf_write's own temporary file and .old backup are for a user's .config: OUT is ours. */
        r = r ?: strv_push(&env, "KCONFIG_OVERWRITECONFIG=1");
        if (r < 0)
                return r;
        _cleanup_close_ int log_fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (log_fd < 0)
                return -errno;
        r = compile_resolver(src, obj, program, log_fd);
        if (r < 0)
                return r;
        /* A socket, not a pipe: a write to a resolver that died is then an error (MSG_NOSIGNAL),
         * not a SIGPIPE that ends the tailor. */
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        char *argv[] = { program, (char *)obj, kconfig, NULL };
        struct spawn_opts so = SPAWN_OPTS_DEFAULT;
        so.stdin_fd = so.stdout_fd = sv[1];
        so.stderr_fd = log_fd;
        so.env_add = env;
        pid_t pid = spawn_argv(argv, &so);
        close(sv[1]);
        if (pid < 0) {
                close(sv[0]);
                return pid;
        }
        k->pid = pid;
        k->from = fdopen(sv[0], "r");
        if (!k->from) {
                close(sv[0]);
                kresolver_stop(k);
                return -ENOMEM;
        }
        return 0;
}

int kresolver_resolve(struct kresolver *k, const char *in, const char *out)
{
        if (!k->from || in[0] != '/' || out[0] != '/' || strpbrk(in, "\t\n") || strpbrk(out, "\t\n"))
                return -EINVAL;
        _cleanup_free_ char *line = NULL;
        int len = asprintf(&line, "%s\t%s\n", in, out);
        if (len < 0)
                return -ENOMEM;
        for (int done = 0; done < len;) {
                ssize_t w = send(fileno(k->from), line + done, (size_t)(len - done), MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return -EIO;
                done += (int)w;
        }
        char answer[16];
        if (!fgets(answer, sizeof answer, k->from))
                return -EIO;
        return streq(answer, "ok\n") ? 0 : -EIO;
}

void kresolver_stop(struct kresolver *k)
{
        if (k->from) {
                /* EOF on its stdin: it ends. */
                shutdown(fileno(k->from), SHUT_WR);
                fclose(k->from);
        }
        if (k->pid > 0)
                (void)wait_exit_status(k->pid);
        *k = (struct kresolver){ .pid = -1 };
}
