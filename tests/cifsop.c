// SPDX-License-Identifier: GPL-2.0
/*
 * cifsop: the syscalls whose waits for outstanding I/O the mainline series
 * makes killable in cifs, run one at a time, for the guest scenario
 * tests/guest/cifs-ksmbd.sh (static, for the guest).
 *
 *   cifsop fill FILE SIZE SEED	write SIZE bytes of a pattern of SEED
 *   cifsop sum FILE...		"NAME size SIZE blocks BLOCKS hash HASH"
 *				each, or "NAME absent"
 *   cifsop op OP ARGS...	run OP once; on a filesystem that lacks it
 *				(EOPNOTSUPP), do what it defines with reads
 *				and writes instead and say so
 *   cifsop held OP ARGS...	run OP in a child that must block: still
 *				running after BLOCK_MS and asleep (state D),
 *				then SIGKILL must end it within KILL_MS
 *
 * OP is one of
 *   unlink FILE
 *   rename FROM TO
 *   trunc-open FILE				open(O_WRONLY | O_TRUNC)
 *   fallocate FILE MODE OFFSET LENGTH	MODE: alloc, keep-size, punch,
 *						zero, zero-keep, collapse, insert
 *   clone FROM TO				ioctl(FICLONE) of all of FROM
 *   copy FROM TO OFFSET LENGTH		copy_file_range(), same offset
 *
 * Exit status: 0 done, 1 the operation or a check failed (a line says
 * which), 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a held operation must stay blocked before it is killed. */
#define BLOCK_MS	1500
/* How long it may take to die once killed: far less than the hold. */
#define KILL_MS		5000
#define POLL_MS		10
#define BUF_SIZE	65536
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *prog = "cifsop";

static void bad_usage(void)
{
	fprintf(stderr,
		"usage: %s fill FILE SIZE SEED | sum FILE... | op OP ARGS... | held OP ARGS...\n"
		"  OP: unlink FILE | rename FROM TO | trunc-open FILE |\n"
		"      fallocate FILE MODE OFFSET LENGTH | clone FROM TO |\n"
		"      copy FROM TO OFFSET LENGTH\n"
		"  MODE: alloc keep-size punch zero zero-keep collapse insert\n",
		prog);
	exit(2);
}

static long long number(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "%s: '%s' is not a non-negative integer\n", prog, s);
		exit(2);
	}
	return v;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The byte at @off of the pattern of @seed. */
static unsigned char pattern(uint64_t seed, uint64_t off)
{
	uint64_t x = (off / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ seed * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 29;
	return x >> (off % 8 * 8);
}

static int full_pwrite(int fd, const unsigned char *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, off);

		if (n < 0)
			return -1;
		buf += n;
		len -= n;
		off += n;
	}
	return 0;
}

static int fill(const char *path, long long size, long long seed)
{
	static unsigned char buf[BUF_SIZE];
	long long off;
	int fd, i;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	for (off = 0; off < size; off += BUF_SIZE) {
		long long n = size - off < BUF_SIZE ? size - off : BUF_SIZE;

		for (i = 0; i < n; i++)
			buf[i] = pattern(seed, off + i);
		if (full_pwrite(fd, buf, n, off)) {
			fprintf(stderr, "%s: write %s: %s\n", prog, path,
				strerror(errno));
			close(fd);
			return 1;
		}
	}
	if (close(fd)) {
		fprintf(stderr, "%s: close %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	return 0;
}

/* FNV-1a of what read() gives of @path: its content as a reader sees it. */
static int sum_one(const char *path)
{
	static unsigned char buf[BUF_SIZE];
	uint64_t hash = 0xcbf29ce484222325ULL;
	struct stat st;
	ssize_t n, i;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 && errno == ENOENT) {
		printf("%s absent\n", path);
		return 0;
	}
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			hash = (hash ^ buf[i]) * 0x100000001b3ULL;
	if (n < 0) {
		fprintf(stderr, "%s: read %s: %s\n", prog, path, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("%s size %lld blocks %lld hash %016llx\n", path,
	       (long long)st.st_size, (long long)st.st_blocks,
	       (unsigned long long)hash);
	return 0;
}

/* ---- fallbacks: what an operation defines, done with reads and writes ---- */

/* Move the bytes of @fd from @from to its end to @to, then set the size. */
static int shift_tail(int fd, off_t from, off_t to, off_t size)
{
	off_t len = size - from;
	unsigned char *buf;
	int ret = -1;

	buf = malloc(len ? len : 1);
	if (!buf)
		return -1;
	if (pread(fd, buf, len, from) == len && !full_pwrite(fd, buf, len, to) &&
	    !ftruncate(fd, to + len))
		ret = 0;
	free(buf);
	return ret;
}

static int write_zeros(int fd, off_t off, off_t len)
{
	unsigned char *buf = calloc(1, len ? len : 1);
	int ret;

	if (!buf)
		return -1;
	ret = full_pwrite(fd, buf, len, off);
	free(buf);
	return ret;
}

static int fallocate_by_writes(int fd, int mode, off_t off, off_t len)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	switch (mode) {
	case FALLOC_FL_COLLAPSE_RANGE:
		return shift_tail(fd, off + len, off, st.st_size);
	case FALLOC_FL_INSERT_RANGE:
		if (shift_tail(fd, off, off + len, st.st_size))
			return -1;
		return write_zeros(fd, off, len);
	case FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE:
		if (off >= st.st_size)
			return 0;
		if (off + len > st.st_size)
			len = st.st_size - off;
		return write_zeros(fd, off, len);
	case FALLOC_FL_ZERO_RANGE:
		return write_zeros(fd, off, len);
	}
	errno = EOPNOTSUPP;
	return -1;
}

static int copy_by_writes(int in, int out, off_t off_in, off_t off_out, off_t len)
{
	unsigned char *buf = malloc(len ? len : 1);
	ssize_t n;
	int ret;

	if (!buf)
		return -1;
	n = pread(in, buf, len, off_in);
	ret = n < 0 ? -1 : full_pwrite(out, buf, n, off_out);
	free(buf);
	return ret;
}

/* ---- the operations ---- */

static const struct {
	const char *name;
	int mode;
} modes[] = {
	{ "alloc", 0 },
	{ "keep-size", FALLOC_FL_KEEP_SIZE },
	{ "punch", FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE },
	{ "zero", FALLOC_FL_ZERO_RANGE },
	{ "zero-keep", FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE },
	{ "collapse", FALLOC_FL_COLLAPSE_RANGE },
	{ "insert", FALLOC_FL_INSERT_RANGE },
};

static int fallocate_mode(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(name, modes[i].name))
			return modes[i].mode;
	fprintf(stderr, "%s: unknown fallocate mode '%s'\n", prog, name);
	bad_usage();
	return -1;
}

static int open_or_say(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		fprintf(stderr, "%s: open %s: %s\n", prog, path, strerror(errno));
	return fd;
}

/* Open @from for reading into *@in and @to for writing into *@out; 0 or -1. */
static int open_from_to(const char *from, const char *to, int *in, int *out)
{
	*in = open_or_say(from, O_RDONLY);
	if (*in < 0)
		return -1;
	*out = open_or_say(to, O_RDWR);
	if (*out < 0) {
		close(*in);
		return -1;
	}
	return 0;
}

/* Say how the operation ended; 0 when it succeeded. */
static int result(const char *what, int ret)
{
	if (ret) {
		printf("%s: %s\n", what, strerror(errno));
		return 1;
	}
	return 0;
}

static int do_fallocate(char **arg)
{
	int mode = fallocate_mode(arg[1]), fd, ret;
	off_t off = number(arg[2]), len = number(arg[3]);

	fd = open_or_say(arg[0], O_RDWR);
	if (fd < 0)
		return 1;
	ret = fallocate(fd, mode, off, len);
	if (ret && errno == EOPNOTSUPP) {
		printf("fallocate %s: not supported here, done with writes\n", arg[1]);
		ret = fallocate_by_writes(fd, mode, off, len);
	}
	ret |= close(fd);
	return result("fallocate", ret);
}

static int do_clone(char **arg)
{
	int in, out, ret;
	struct stat st;

	if (open_from_to(arg[0], arg[1], &in, &out))
		return 1;
	ret = ioctl(out, FICLONE, in);
	if (ret && (errno == EOPNOTSUPP || errno == EXDEV || errno == EINVAL)) {
		printf("clone: not supported here (%s), done with writes\n",
		       strerror(errno));
		ret = fstat(in, &st) ? -1 :
		      copy_by_writes(in, out, 0, 0, st.st_size);
	}
	close(in);
	ret |= close(out);
	return result("clone", ret);
}

static int do_copy(char **arg)
{
	off_t off = number(arg[2]), off_out = off, len = number(arg[3]);
	off_t off_in = off;
	int in, out, ret = 0;
	ssize_t n;

	if (open_from_to(arg[0], arg[1], &in, &out))
		return 1;
	while (len) {
		n = copy_file_range(in, &off_in, out, &off_out, len, 0);
		if (n <= 0) {
			ret = n ? -1 : 0;
			if (!n)
				printf("copy: source ended %lld bytes short\n",
				       (long long)len);
			break;
		}
		len -= n;
	}
	close(in);
	ret |= close(out);
	return result("copy", ret);
}

static int run_op(int argc, char **argv)
{
	const char *op = argv[0];
	int fd;

	if (!strcmp(op, "unlink") && argc == 2)
		return result("unlink", unlink(argv[1]));
	if (!strcmp(op, "rename") && argc == 3)
		return result("rename", rename(argv[1], argv[2]));
	if (!strcmp(op, "trunc-open") && argc == 2) {
		fd = open(argv[1], O_WRONLY | O_TRUNC);
		return result("trunc-open", fd < 0 ? -1 : close(fd));
	}
	if (!strcmp(op, "fallocate") && argc == 5)
		return do_fallocate(argv + 1);
	if (!strcmp(op, "clone") && argc == 3)
		return do_clone(argv + 1);
	if (!strcmp(op, "copy") && argc == 5)
		return do_copy(argv + 1);
	bad_usage();
	return 2;
}

/* The state letter of /proc/PID/stat ('D': an uninterruptible or killable sleep). */
static char task_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Wait up to @ms for @pid; its wait status, or -1 while it still runs. */
static int wait_ms(pid_t pid, long ms)
{
	long long end = now_ms() + ms;
	int status;

	do {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		sleep_ms(POLL_MS);
	} while (now_ms() < end);
	return -1;
}

static void say_ended(const char *op, int status)
{
	if (WIFEXITED(status))
		printf("%s: returned (exit %d) while the free was held: it did not wait\n",
		       op, WEXITSTATUS(status));
	else
		printf("%s: ended by signal %d, not by SIGKILL\n", op,
		       WTERMSIG(status));
}

static int held(int argc, char **argv)
{
	char op[64];
	long long killed;
	int status;
	char state;
	pid_t pid;

	/* fallocate's lines name the mode. */
	if (!strcmp(argv[0], "fallocate") && argc > 2)
		snprintf(op, sizeof(op), "fallocate %s", argv[2]);
	else
		snprintf(op, sizeof(op), "%s", argv[0]);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (!pid)
		exit(run_op(argc, argv));
	status = wait_ms(pid, BLOCK_MS);
	if (status != -1) {
		say_ended(op, status);
		return 1;
	}
	state = task_state(pid);
	killed = now_ms();
	kill(pid, SIGKILL);
	if (state != 'D') {
		waitpid(pid, &status, 0);
		printf("%s: running after %d ms, but in state %c, not waiting\n",
		       op, BLOCK_MS, state);
		return 1;
	}
	status = wait_ms(pid, KILL_MS);
	if (status == -1) {
		printf("%s: still running %d ms after SIGKILL: its wait is not killable\n",
		       op, KILL_MS);
		/* Reaped once the free is released; the caller releases it. */
		return 1;
	}
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		say_ended(op, status);
		return 1;
	}
	printf("%s: blocked %d ms (state D), SIGKILL ended it in %lld ms\n", op,
	       BLOCK_MS, now_ms() - killed);
	return 0;
}

int main(int argc, char **argv)
{
	int i, ret = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		bad_usage();
	if (!strcmp(argv[1], "fill") && argc == 5)
		return fill(argv[2], number(argv[3]), number(argv[4]));
	if (!strcmp(argv[1], "sum")) {
		for (i = 2; i < argc; i++)
			ret |= sum_one(argv[i]);
		return ret;
	}
	if (!strcmp(argv[1], "op"))
		return run_op(argc - 2, argv + 2);
	if (!strcmp(argv[1], "held"))
		return held(argc - 2, argv + 2);
	bad_usage();
	return 2;
}
