/* utils/mvs-ofctl.c: OpenFlow command-line client for mvs (placeholder
 * until the full tool lands). */
#include <config.h>
#include <stdio.h>
int main(void) { fprintf(stderr, "mvs-ofctl: not built yet\n"); return 2; }
