#ifndef CWRITEBACK_H
#define CWRITEBACK_H

/* sync_file_range(2) is a GNU extension that Swift's Glibc module does not export. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>

/// Asks the kernel to start writing back a byte range of a file without waiting for it, so that a
/// later fsync finds most of a large upload already on disk. Returns 0, or -1 with errno set.
static inline int docintake_start_writeback(int fd, long long offset, long long count) {
#ifdef __linux__
    return sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)count;
    return 0;
#endif
}

#endif
