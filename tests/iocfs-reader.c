// SPDX-License-Identifier: GPL-2.0
/*
 * iocfs-reader: parallel readers of an iocountfs mount that check every
 * byte they get.  Built static for the test guests.
 *
 * usage: iocfs-reader DIR PROCS [eio-ok]
 *        iocfs-reader -n NTH FILE
 *
 * Forks PROCS readers; each reads every regular file of DIR (each from a
 * different file and in reads of varying size) and compares each byte with
 * iocfs_byte() of tests/iocountfs.c.  A read failing with EIO is counted
 * and skipped past (a page) when "eio-ok" is given, and is a failure
 * otherwise.  Readers die with their parent, so killing the parent kills
 * them all mid-read.  Exits 0 when every byte was right.
 *
 * With -n, one read of all of FILE runs with the NTH fault-injection site
 * this task passes made to fail (/proc/thread-self/fail-nth; failslab
 * decides which allocations are sites): its result may be an error, but
 * the bytes it returns must be right, and a second read, with nothing
 * injected, must then return all of FILE, right.  Prints what the first
 * read did; exits 0 when the fault was injected and everything was
 * right, 3 when the read passed fewer than NTH sites (a sweep over NTH
 * ends there), 1 otherwise.  NTH 0 injects nothing of its own: the read
 * meets a failure armed some other way (iocountfs's fail_next), and is
 * checked the same.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define MAX_FILES 1024
#define IOCFS_MAX_READ (16 << 20)	/* IOCFS_MAX_SIZE of tests/iocountfs.c */

/* Must match iocfs_byte() in tests/iocountfs.c. */
static uint8_t iocfs_byte(uint64_t ino, uint64_t pos)
{
	return (uint8_t)(pos * 31 + ino * 131 + (pos >> 12) * 7);
}

struct tally {
	unsigned long long bytes, eio, bad;
};

static int read_file(const char *path, unsigned int seed, int eio_ok,
		     struct tally *t)
{
	static uint8_t buf[64 * 1024];
	struct stat st;
	off_t pos = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		return -1;
	}
	while (pos < st.st_size) {
		size_t want = PAGE * (1 + (seed = seed * 1103515245 + 12345) % 16);
		ssize_t n = pread(fd, buf, want, pos);

		if (n < 0 && errno == EIO && eio_ok) {
			t->eio++;
			pos += PAGE;
			continue;
		}
		if (n <= 0) {
			fprintf(stderr, "%s at %lld: %s\n", path, (long long)pos,
				n ? strerror(errno) : "unexpected end of file");
			close(fd);
			return -1;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != iocfs_byte(st.st_ino, pos + i)) {
				if (!t->bad++)
					fprintf(stderr, "%s at %lld: 0x%02x, expected 0x%02x\n",
						path, (long long)(pos + i), buf[i],
						iocfs_byte(st.st_ino, pos + i));
			}
		}
		t->bytes += n;
		pos += n;
	}
	close(fd);
	return 0;
}

static int read_all(const char *dir, int id, int eio_ok)
{
	char *names[MAX_FILES], path[4096];
	struct tally t = { 0 };
	struct dirent *de;
	struct timespec t0, t1;
	long long us;
	int nr = 0, i, ret = 0;
	DIR *d = opendir(dir);

	if (!d) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(d)) && nr < MAX_FILES)
		if (de->d_name[0] != '.')
			names[nr++] = strdup(de->d_name);
	closedir(d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[(i + id) % nr]);
		if (read_file(path, id * 7919 + i, eio_ok, &t))
			ret = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (t1.tv_sec - t0.tv_sec) * 1000000LL +
	     (t1.tv_nsec - t0.tv_nsec) / 1000;
	printf("reader %d: %d files, %llu bytes verified, %llu EIO, %llu wrong, in %lld us\n",
	       id, nr, t.bytes, t.eio, t.bad, us);
	fflush(stdout);		/* the child leaves with _exit() */
	return ret || t.bad || !nr;
}

/* Verify @n bytes of @buf, read at @pos of inode @ino; the count wrong. */
static unsigned long long wrong_bytes(const uint8_t *buf, ssize_t n,
				      uint64_t ino, off_t pos)
{
	unsigned long long bad = 0;

	for (ssize_t i = 0; i < n; i++)
		bad += buf[i] != iocfs_byte(ino, pos + i);
	return bad;
}

/*
 * Arm this task's fail-nth with @nth (0 disarms); with @nth < 0, read
 * back the sites left before the armed one (0: it was reached).  @fd is
 * opened beforehand: an open would pass sites itself.
 */
static int fail_nth(int fd, int nth)
{
	char val[16];
	ssize_t n;

	if (nth >= 0) {
		n = snprintf(val, sizeof(val), "%d", nth);
		n = pwrite(fd, val, n, 0) == n ? 0 : -1;
	} else {
		n = pread(fd, val, sizeof(val) - 1, 0);
		if (n > 0) {
			val[n] = 0;
			n = atoi(val);
		}
	}
	if (n < 0)
		perror("fail-nth");
	return n;
}

/* iocfs-reader -n NTH FILE: see the head of this file. */
static int read_failing(int nth, const char *path)
{
	static uint8_t buf[IOCFS_MAX_READ];
	struct stat st;
	ssize_t n;
	int left, err, fd = open(path, O_RDONLY);
	int nthfd = open("/proc/thread-self/fail-nth", O_RDWR);

	if (nthfd < 0) {
		perror("/proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
		return 1;
	}
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > IOCFS_MAX_READ) {
		fprintf(stderr, "%s: cannot open, or larger than %d\n", path,
			IOCFS_MAX_READ);
		return 1;
	}
	if (fail_nth(nthfd, nth) < 0)
		return 1;
	n = pread(fd, buf, st.st_size, 0);
	err = errno;
	left = fail_nth(nthfd, -1);
	fail_nth(nthfd, 0);
	if (left < 0)
		return 1;
	if (left) {
		printf("fail-nth %d: not reached (%d left)\n", nth, left);
		close(fd);
		return 3;
	}
	if (n < 0)
		printf("fail-nth %d: %s, the read failed: %s\n", nth,
		       nth ? "injected" : "nothing armed", strerror(err));
	else
		printf("fail-nth %d: %s, the read returned %zd of %lld bytes\n",
		       nth, nth ? "injected" : "nothing armed", n,
		       (long long)st.st_size);
	if (n > 0 && wrong_bytes(buf, n, st.st_ino, 0)) {
		printf("fail-nth %d: wrong bytes returned\n", nth);
		return 1;
	}
	n = pread(fd, buf, st.st_size, 0);
	close(fd);
	if (n != st.st_size || wrong_bytes(buf, n, st.st_ino, 0)) {
		printf("fail-nth %d: the read after it returned %zd bytes, not all of %s right\n",
		       nth, n, path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int procs, i, status, failed = 0;
	pid_t parent = getpid();

	if (argc == 4 && !strcmp(argv[1], "-n") && argv[2][0] >= '0' &&
	    argv[2][0] <= '9')
		return read_failing(atoi(argv[2]), argv[3]);
	procs = argc < 3 ? 0 : atoi(argv[2]);
	if (procs < 1 || procs > 64) {
		fprintf(stderr, "usage: %s DIR PROCS [eio-ok]\n", argv[0]);
		return 2;
	}
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			_exit(read_all(argv[1], i, argc > 3));
		}
	}
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	return failed;
}
