/* The console stream (benchmark/console.c, common/marker.c): what the host reads from a guest
 * while it boots, in pieces as they come, then the stages derived from it.  The first byte picks
 * the piece size and whether the boot had a nonce.  Promises: every mark has a name; every
 * marker the parser accepts is formatted back to a line that parses to the same marker. */
#include <config.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "benchmark/console.h"
#include "benchmark/stages.h"
#include "common/marker.h"

static int null_fd = -1;

static void check_round_trip(const char *line)
{
        struct marker m, back;
        if (!marker_parse(line, &m))
                return;
        char buf[MARKER_LINE_MAX];
        int n = m.kind == MARKER_STAGE  ? marker_format_stage(buf, sizeof buf, m.name, m.t_us, m.tsc, m.nonce)
                : m.kind == MARKER_EXIT ? marker_format_exit(buf, sizeof buf, m.status, m.t_us, m.tsc, m.nonce)
                                        : marker_format_output(buf, sizeof buf, m.name, m.nonce);
        fuzz_assert(n > 0);
        fuzz_assert(marker_parse(buf, &back) && back.kind == m.kind && strcmp(back.name, m.name) == 0 &&
                    back.t_us == m.t_us && back.tsc == m.tsc && back.status == m.status && strcmp(back.nonce, m.nonce) == 0 &&
                    back.at_line_start);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        if (null_fd < 0)
                null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (size == 0)
                return 0;
        size_t piece = (data[0] & 0x3f) + 1;
        const char *nonce = data[0] & 0x40 ? "0123abcd" : NULL;
        bool echo_all = data[0] & 0x80;
        data++, size--;

        char *text = fuzz_cstring(data, size);
        for (char *line = text, *end; *line; line = end + (*end != '\0')) {
                end = line + strcspn(line, "\n");
                char saved = *end;
                *end = '\0';
                check_round_trip(line);
                *end = saved;
        }
        free(text);

        struct boot_result r = { .exit_status = -1 };
        struct console k;
        console_init(&k, &r, nonce, null_fd, echo_all, null_fd);
        for (size_t off = 0; off < size; off += piece)
                console_feed(&k, (const char *)data + off, size - off < piece ? size - off : piece, off);
        console_finish(&k, size);
        for (size_t i = 0; i < r.n_marks; i++)
                fuzz_assert(r.marks[i].name != NULL);
        double st[N_STAGES];
        derive_stages(&r, NULL, GUEST_CLOCK_WALL, st);
        derive_stages(&r, NULL, GUEST_CLOCK_INSN, st);
        boot_result_free(&r);
        return 0;
}
