/* The kernel image readers: the bzImage setup header (common/bzimage.c, the version string), the
 * payload's place and compression in it (builder/vmlinux.c, before any unpacking) and the ELF
 * PVH note reader, which reads what the unpacking wrote.  A crafted kernel must give an error,
 * never a crash (issue 16's defect 3 was an overflow here). */
#include <config.h>

#include <errno.h>

#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "builder/vmlinux.h"
#include "common/bzimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        char *path = fuzz_write_file("kernel", data, size);
        (void)vmlinux_has_pvh_entry(path);
        char *version = NULL;
        if (bzimage_version(path, &version) == 0) {
                fuzz_assert(version && !strchr(version, ' '));
                free(version);
        }
        char *out = NULL, *why = NULL;
        if (asprintf(&out, "%s/vmlinux", fuzz_tmpdir()) < 0)
                abort();
        int r = vmlinux_unpack(path, out, fuzz_tmpdir(), &why);
        fuzz_assert(r != -EMEDIUMTYPE || (why && access(out, F_OK) < 0));
        free(why), free(out), free(path);
        return 0;
}
