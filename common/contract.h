/* The host/guest contract: what `leanboot build` and `leanboot run`/`bench` (the host) and the
 * lean init (the guest's PID 1) agree on.  The two programs never link together, so this header
 * is the only place each name and format is spelled; common/marker.c formats and parses the
 * console lines, and tests/unit/test-contract.c checks that each parse undoes its format. */
#ifndef LEANBOOT_CONTRACT_H
#define LEANBOOT_CONTRACT_H

/* Files the builder writes into the appliance and the init reads (absolute guest paths; the
 * builder writes them under its staging tree without the leading slash). */
#define APPLIANCE_ETC "/etc/leanboot"
#define APPLIANCE_HOOKS_DIR APPLIANCE_ETC "/hooks"                 /* run in order before the payload */
#define APPLIANCE_MODULES_LIST APPLIANCE_ETC "/modules"            /* module paths, dependencies first */
#define APPLIANCE_NETWORK_MODULES_LIST APPLIANCE_ETC "/modules.network" /* libguestfs: guestfs_network=1 */
#define APPLIANCE_STATIC_NODES APPLIANCE_ETC "/static-nodes"       /* the kernel's modules.devname */
#define APPLIANCE_READAHEAD_LIST APPLIANCE_ETC "/readahead"        /* libguestfs: files to read early */
#define APPLIANCE_BUILTIN_RUN APPLIANCE_ETC "/run"                 /* build --run: a shell command */
#define APPLIANCE_PROFILE_FILE APPLIANCE_ETC "/profile"            /* "libguestfs" selects that profile */
#define APPLIANCE_PROFILE_LIBGUESTFS "libguestfs"
/* What an appliance is for: the builder decides it (--from-supermin-d makes a libguestfs one) and
 * writes APPLIANCE_PROFILE_FILE for it; the init reads it back and does that profile's steps. */
enum appliance_profile { PROFILE_PLAIN, PROFILE_LIBGUESTFS };
/* The shim preloaded into guestfsd (init/shim/udev-shim.h), and the file that says udev is ready. */
#define APPLIANCE_UDEV_WAIT_SHIM "/usr/lib/leanboot/leanboot-udev-wait.so"
#define APPLIANCE_RUN_DIR "/run/leanboot"
#define APPLIANCE_UDEV_READY_FILE APPLIANCE_RUN_DIR "/udev-ready"

/* The mini-initrd of a libguestfs appliance on a modular kernel: the builder puts the pre-init
 * (init/preinit/) at /init, supermin's init at INITRD_SUPERMIN_INIT, and the virtio device types
 * to bind ("1 2 3 8\n", decimal) at INITRD_VIRTIO_KEEP, where the pre-init reads them. */
#define INITRD_SUPERMIN_INIT "/init.supermin"
#define INITRD_VIRTIO_KEEP "/leanboot-virtio-keep"

/* Kernel command line keys the host passes and the init reads. */
#define CMDLINE_RUN "leanboot.run"              /* the payload's argv, encoded (common/cmdline.h) */
#define CMDLINE_DEBUG "leanboot.debug"          /* no `quiet`; a shell when there is no payload */
#define CMDLINE_COLLECT "leanboot.collect"      /* root@OFFSET: where the init writes the kernel log */
#define CMDLINE_UDEV "leanboot.udev"            /* off|fast|full */
#define CMDLINE_UDEV_SUBSYSTEMS "leanboot.udev.subsystems"
#define CMDLINE_UDEV_TIMEOUT "leanboot.udev.timeout" /* ms */
#define CMDLINE_NONCE "leanboot.nonce"        /* hex the host picked for this boot: markers carry it (marker.h) */
/* The payload's own channel: the host gives the guest a second UART and names it with this key,
 * "leanboot.output=ttyS1" (the payload's bytes, untouched, stdin /dev/null) or
 * "leanboot.output=ttyS1,terminal" (an interactive terminal: stdin too, and the tty's line
 * editing).  The console (ttyS0) then carries only the kernel log and the init's markers, so
 * the two never mix.  Without the key the payload writes to the console. */
#define CMDLINE_OUTPUT "leanboot.output"
#define OUTPUT_PORT "ttyS1"
#define OUTPUT_TERMINAL "terminal"

/* Console lines: the init's markers ("leanboot: stage=NAME t_us=N", "leanboot: exit=N t_us=N",
 * guest CLOCK_BOOTTIME, then " tsc=N nonce=HEX" (common/marker.h); "leanboot: output=ttyS1|console", where the payload's output goes) and
 * its messages ("leanboot-init: ...", errors "leanboot-init: error:").  An init that says nothing
 * of its output (one older than the payload's port) writes the payload to the console. */
#define OUTPUT_CONSOLE "console"
#define MARKER_PREFIX "leanboot: "
/* The copy of a stage marker the init writes to the kernel's ring buffer (dmesg): never a marker. */
#define KMSG_MARKER_PREFIX "leanboot-kmsg: "
#define INIT_MESSAGE_PREFIX "leanboot-init: "
#define INIT_ERROR_PREFIX INIT_MESSAGE_PREFIX "error: "

/* The kernel log the init writes at leanboot.collect's offset: "LEANBOOT-KLOG N\n", N bytes of
 * log, then KLOG_TRAILER. */
#define KLOG_HEADER_FORMAT "LEANBOOT-KLOG %d\n"
#define KLOG_TRAILER "\nLEANBOOT-END\n"

#endif
