/* Exit statuses, all in one place.  Below the command layer functions return 0 or a negative
 * errno; each command maps what it gets to these, and `leanboot run` passes the payload's own
 * status through.  The 124-127 statuses are the ones coreutils' timeout and env use, and the
 * init reports 125-127 for its own failures (common/contract.h's exit marker carries them). */
#ifndef LEANBOOT_EXIT_STATUS_H
#define LEANBOOT_EXIT_STATUS_H

#define EXIT_OK 0
#define EXIT_RUNTIME 1       /* something failed while running (said in one error line) */
#define EXIT_USAGE 2         /* bad input: one error line names what is wrong */
#define EXIT_GATE 3          /* bench --fail-if-slower: B is slower than the gate allows */
#define EXIT_TIMEOUT 124     /* run --timeout: the guest was killed */
#define EXIT_LEANBOOT 125    /* leanboot, QEMU, the kernel or the init failed (not the payload) */
#define EXIT_CANNOT_EXEC 126 /* the payload exists but cannot be run */
#define EXIT_NOT_FOUND 127   /* the payload command does not exist in the appliance */

#endif
