/* The files a libguestfs appliance's init starts reading early (init/readahead.c): guestfsd,
 * systemd-udevd and udevadm, each with the shared libraries it loads.  Under TCG guestfsd's
 * start is dominated by its 69 libraries (70 MB) arriving page fault by page fault. */
#ifndef LEANBOOT_READAHEAD_H
#define LEANBOOT_READAHEAD_H

/* Add PROGRAM (its path inside the appliance) and the libraries the host's dynamic loader
 * resolves for HOST_COPY (the same file, readable on the host: supermin copies the host's
 * libraries, so the paths match) to *list, without duplicates.  A program the loader cannot
 * list (static, or not ELF) adds only itself. */
int readahead_add_program(char ***list, const char *program, const char *host_copy);

#endif
