// SPDX-License-Identifier: GPL-2.0
/*
 * p9io: the data side of the 9p end-to-end tests, run both on the host
 * (against QEMU's shared directory) and in the guest (against the 9p mount).
 *
 *   p9io produce FILE N USEC     append N records, one write(2) each,
 *                                USEC microseconds apart
 *   p9io consume FILE N SECS     read FILE as it grows, through one open
 *                                descriptor, until N records have arrived;
 *                                every byte must be the producer's (no torn
 *                                or stale record), and all N must arrive
 *                                within SECS seconds
 *   p9io write FILE SIZE SEED    write SIZE bytes of SEED's pattern, in
 *                                chunks of varying size
 *   p9io verify FILE SIZE SEED   FILE must be exactly that pattern
 *   p9io reread FILE N 0         open, read whole, drop its page cache
 *                                (so the next read asks the filesystem
 *                                again) and close FILE, N times; prints
 *                                "bytes=B us=T" (the benchmark's reads)
 *
 * A record is RECORD_SIZE bytes; records never straddle a page.  Exit status
 * 0 when the check holds, 1 with a message naming the first bad byte.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORD_SIZE	64
#define CHUNK_MAX	(64 * 1024)

static const char *prog_file;

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "p9io: %s: ", prog_file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Record @n as the producer writes it: its number, a check word, filler. */
static void record(unsigned long n, char *buf)
{
	int len, i;

	len = snprintf(buf, RECORD_SIZE, "rec %08lu check %08lx ", n,
		       (n * 2654435761UL) & 0xffffffffUL);
	for (i = len; i < RECORD_SIZE - 1; i++)
		buf[i] = 'a' + (n + i) % 26;
	buf[RECORD_SIZE - 1] = '\n';
}

/* Byte @off of the pattern of @seed. */
static unsigned char pattern(unsigned long seed, unsigned long off)
{
	unsigned long x = (off / 8 + 1) * 0x9e3779b97f4a7c15UL ^ seed;

	x ^= x >> 29;
	return (unsigned char)(x >> ((off % 8) * 8));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int produce(const char *file, unsigned long n, unsigned long usec)
{
	char buf[RECORD_SIZE];
	unsigned long i;
	int fd;

	fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		fail("open: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		record(i, buf);
		if (write(fd, buf, RECORD_SIZE) != RECORD_SIZE)
			fail("write of record %lu: %s", i, strerror(errno));
		if (usec)
			usleep(usec);
	}
	if (close(fd))
		fail("close: %s", strerror(errno));
	return 0;
}

/* Check the @len bytes read at @off against the records they belong to. */
static void check_stream(const char *buf, size_t len, unsigned long off)
{
	char want[RECORD_SIZE];
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned long pos = off + i;

		if (i == 0 || pos % RECORD_SIZE == 0)
			record(pos / RECORD_SIZE, want);
		if (buf[i] != want[pos % RECORD_SIZE])
			fail("byte %lu (record %lu) is 0x%02x, not 0x%02x: torn or stale data",
			     pos, pos / RECORD_SIZE, (unsigned char)buf[i],
			     (unsigned char)want[pos % RECORD_SIZE]);
	}
}

static int consume(const char *file, unsigned long n, unsigned long secs)
{
	unsigned long want = n * RECORD_SIZE, off = 0;
	double deadline = now() + secs;
	static char buf[CHUNK_MAX];
	int fd = -1;

	while (off < want) {
		ssize_t got;

		if (now() > deadline)
			fail("only %lu of %lu records arrived in %lus",
			     off / RECORD_SIZE, n, secs);
		if (fd < 0) {
			fd = open(file, O_RDONLY);
			if (fd < 0 && errno != ENOENT)
				fail("open: %s", strerror(errno));
			if (fd < 0) {
				usleep(10000);
				continue;
			}
		}
		got = pread(fd, buf, sizeof(buf), off);
		if (got < 0)
			fail("read at %lu: %s", off, strerror(errno));
		if (off + got > want)
			fail("%lu bytes, more than the %lu written", off + got, want);
		check_stream(buf, got, off);
		/* A record still being written is read again, whole. */
		off += got - (off + got) % RECORD_SIZE;
		if (got == 0 || (size_t)got < sizeof(buf))
			usleep(2000);
	}
	close(fd);
	return 0;
}

static int write_pattern(const char *file, unsigned long size,
			 unsigned long seed)
{
	static unsigned char buf[CHUNK_MAX];
	unsigned long off = 0, chunk = 1;
	int fd;

	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail("open: %s", strerror(errno));
	while (off < size) {
		unsigned long i, len;

		/* 1, 4093, 8185, ... bytes: crosses every page boundary. */
		len = chunk % CHUNK_MAX;
		len = len ? len : 1;
		if (len > size - off)
			len = size - off;
		for (i = 0; i < len; i++)
			buf[i] = pattern(seed, off + i);
		if (write(fd, buf, len) != (ssize_t)len)
			fail("write at %lu: %s", off, strerror(errno));
		off += len;
		chunk += 4092;
	}
	if (close(fd))
		fail("close: %s", strerror(errno));
	return 0;
}

static int verify_pattern(const char *file, unsigned long size,
			  unsigned long seed)
{
	static unsigned char buf[CHUNK_MAX];
	unsigned long off = 0;
	int fd;

	fd = open(file, O_RDONLY);
	if (fd < 0)
		fail("open: %s", strerror(errno));
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		ssize_t i;

		if (got < 0)
			fail("read at %lu: %s", off, strerror(errno));
		if (got == 0)
			break;
		for (i = 0; i < got; i++)
			if (buf[i] != pattern(seed, off + i))
				fail("byte %lu is 0x%02x, not 0x%02x", off + i,
				     buf[i], pattern(seed, off + i));
		off += got;
	}
	close(fd);
	if (off != size)
		fail("%lu bytes, not %lu", off, size);
	return 0;
}

static int reread(const char *file, unsigned long passes)
{
	static char buf[CHUNK_MAX];
	unsigned long bytes = 0, i;
	double start = now();

	for (i = 0; i < passes; i++) {
		ssize_t got;
		int fd, err;

		fd = open(file, O_RDONLY);
		if (fd < 0)
			fail("open: %s", strerror(errno));
		while ((got = read(fd, buf, sizeof(buf))) > 0)
			bytes += got;
		if (got < 0)
			fail("read: %s", strerror(errno));
		err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (err)
			fail("posix_fadvise: %s", strerror(err));
		close(fd);
	}
	printf("bytes=%lu us=%.0f\n", bytes, (now() - start) * 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long a, b;

	if (argc != 5) {
		fprintf(stderr, "usage: p9io produce|consume|write|verify|reread FILE N ARG\n");
		return 2;
	}
	prog_file = argv[2];
	a = strtoul(argv[3], NULL, 0);
	b = strtoul(argv[4], NULL, 0);
	if (!strcmp(argv[1], "produce"))
		return produce(argv[2], a, b);
	if (!strcmp(argv[1], "consume"))
		return consume(argv[2], a, b);
	if (!strcmp(argv[1], "write"))
		return write_pattern(argv[2], a, b);
	if (!strcmp(argv[1], "verify"))
		return verify_pattern(argv[2], a, b);
	if (!strcmp(argv[1], "reread"))
		return reread(argv[2], a);
	fprintf(stderr, "p9io: unknown mode %s\n", argv[1]);
	return 2;
}
