/* The pre-init's keep list (common/contract.h INITRD_VIRTIO_KEEP): the virtio device types the
 * appliance has drivers for, written by the builder as decimal numbers ("1 2 3 8\n"). */
#pragma once

#include <stdint.h>

/* The list as a bit set (bit T for type T); numbers outside 0-63 are ignored, and reading stops
 * at the first thing that is not a number. */
uint64_t virtio_keep_parse(const char *text);
