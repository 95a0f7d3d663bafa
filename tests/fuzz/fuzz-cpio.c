/* The initrd rewrite (builder/initrd.c): supermin's newc cpio, trimmed to the modules the
 * appliance needs, their signatures cut, a pre-init put in front.  The archive comes from the
 * host's supermin, but an appliance may come from elsewhere.  Promises: an archive the trim
 * accepts is trimmed again to the same bytes (the rewrite is a fixed point); a refused one is
 * left as it was; a module's unsigned size is never more than its size. */
#include <config.h>

#include <errno.h>

#include <string.h>

#include "fuzz.h"
#include "builder/initrd.h"
#include "common/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_quiet();
        fuzz_assert(module_unsigned_size((const char *)data, size) <= size);
        char *path = fuzz_write_file("initrd", data, size);
        char *const keep[] = { "kernel/drivers/block/virtio_blk.ko", "ext4.ko", "crc16.ko.xz" };
        size_t kept = 0, stripped = 0;
        char *before = NULL, *after = NULL, *again = NULL;
        size_t nb = 0, na = 0, ng = 0;
        int r = initrd_trim(path, keep, 3, data[0 % (size ? size : 1)] & 1, &kept, &stripped);
        fuzz_assert(read_full_file(path, &after, &na) == 0);
        if (r == -EBADMSG)
                fuzz_assert(na == size && memcmp(after, data, size) == 0);
        if (r == 0) {
                fuzz_assert(kept <= 3);
                fuzz_assert(initrd_trim(path, keep, 3, false, &kept, NULL) == 0);
                fuzz_assert(read_full_file(path, &again, &ng) == 0 && ng == na && memcmp(again, after, na) == 0);
                char *preinit = fuzz_write_file("preinit", "\177ELF", 4);
                (void)initrd_add_preinit(path, preinit, "1 2 8\n");
                free(preinit);
        }
        free(before), free(after), free(again), free(path);
        (void)nb;
        return 0;
}
