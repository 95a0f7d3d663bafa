/* Static device nodes for modules that load on demand (loop-control, mapper/control, fuse,
 * net/tun, ...), as `kmod static-nodes` lists them and systemd-tmpfiles creates them in
 * libguestfs's own init.  Opening such a node makes the kernel load its module, so the init
 * need not load dm_mod or loop before they are wanted (a /dev/null libguestfs launch never
 * wants them).  The list is depmod's modules.devname ("MODULE DEVNAME cMAJOR:MINOR"), which
 * the builder copies to /etc/leanboot/static-nodes.  Read from /lib/modules/VERSION, it cost
 * the init 26-29 ms under TCG, mostly the first lookups in /usr/lib on the cold root; a
 * payload that loads shared libraries then pays those itself (measured on the stock
 * appliance: init -23.5 ms, payload +22.5 ms), one that does not saves them. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "init.h"
#include "../common/contract.h"
#include "../common/fileio.h"


void create_static_nodes(void)
{
        _cleanup_free_ char *text = NULL;
        if (read_full_file(APPLIANCE_STATIC_NODES, &text, NULL) < 0)
                return; /* a kernel without modules (the cut-down one) has nothing to load */
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char module[64], devname[128], type;
                unsigned maj, min;
                if (line[0] == '#' || sscanf(line, "%63s %127s %c%u:%u", module, devname, &type, &maj, &min) != 5)
                        continue;
                if ((type != 'c' && type != 'b') || strstr(devname, ".."))
                        continue;
                char node[160];
                snprintf(node, sizeof node, "/dev/%s", devname);
                char *slash = strrchr(node, '/');
                if (slash != node + 4) {
                        *slash = '\0';
                        (void)mkdir_p(node, 0755);
                        *slash = '/';
                }
                mode_t kind = type == 'c' ? S_IFCHR : S_IFBLK;
                if (mknod(node, kind | 0600, makedev(maj, min)) < 0 && errno != EEXIST)
                        init_error("cannot create %s: %s", node, strerror(errno));
        }
}
