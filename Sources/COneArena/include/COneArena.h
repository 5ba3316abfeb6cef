#ifndef CONEARENA_H
#define CONEARENA_H

/* Linked into the `docintake` executable alone: glibc's malloc keeps one arena for the whole
 * process instead of one per thread (up to eight per core).
 *
 * An upload's chunks are allocated on NIO's threads and freed on the hasher's and the writer's;
 * with an arena per thread the freed memory stays spread over arenas that keep it, and RSS grew by
 * 6-8 MiB with each of the first 100 MiB uploads (98 MiB after 8 in a row, 150 MiB after 8 at once).
 * With one arena, set before the first allocation: 59 MiB and 76-85 MiB, with the CPU per upload
 * and the wall time of 8 at once within the noise (BENCHMARKS.md, issue 23). A `mallopt` called
 * from Swift at the start of `serve` came too late for the threads that already had an arena
 * (69 MiB after 8 in a row). Nothing to call: the constructor does it. */

#endif
