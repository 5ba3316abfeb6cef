#include "COneArena.h"

#ifdef __linux__
#include <malloc.h>

/* Runs when the server's executable is loaded, before main and before any thread exists, so that
 * every thread shares glibc's one arena (see COneArena.h). */
__attribute__((constructor)) static void docintake_one_arena(void) {
    mallopt(M_ARENA_MAX, 1);
}
#endif
