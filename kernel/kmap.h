/* leanboot kernel map: which built object and which Kconfig options each initcall of a boot
 * comes from, and which options cost the most initcall time (kmap.c).  The tailor's map. */
#ifndef LEANBOOT_KMAP_H
#define LEANBOOT_KMAP_H

/* argv[0] is "map". */
int kernel_map(int argc, char **argv);

#endif
