/* The time left before a deadline, as poll() takes it (init/shim/udev-wait.c). */
#pragma once

/* Milliseconds from NOW to DEADLINE: 0 once it has passed (never negative, which poll() would
 * take as "wait for ever"), at most INT_MAX. */
int wait_left_ms(long long deadline, long long now);
