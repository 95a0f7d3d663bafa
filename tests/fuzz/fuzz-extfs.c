/* The root image's superblock reader (common/extfs.c): the builder names the root by its UUID
 * and the tailor keeps the driver that mounts it.  A crafted image gives -EINVAL or a UUID of
 * 36 characters in the kernel's form, never a read past the superblock. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "common/extfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        char *path = fuzz_write_file("root", data, size);
        struct extfs_info fs;
        int r = extfs_read(path, &fs);
        fuzz_assert(r == 0 || r == -EINVAL);
        if (r == 0) {
                fuzz_assert(strlen(fs.uuid) == 36 && fs.uuid[8] == '-' && fs.uuid[23] == '-');
                struct kconfig none = { 0 };
                fuzz_assert(extfs_kconfig_lacks(&none, &fs) != NULL);
        }
        free(path);
        return 0;
}
