/*
 * LD_PRELOAD shim for the host half of the health benchmarks: the host kernel has no IPVS, and
 * keepalived's checker process exits at start without it ("IPVS: Can't initialize ipvs"). With this
 * shim keepalived (2.2.x: libipvs over libnl-genl-3, linked dynamically) resolves the generic-netlink
 * family "IPVS" to an id no family has; its requests go to the kernel, which refuses them ("no such
 * family") with the right sequence numbers, and the refusals are turned into acknowledgements as
 * keepalived reads them (recvmsg on that socket). Dumps come back empty. Everything else is keepalived's own:
 * its checkers, timers, sockets and scheduling on the real kernel. lvsd gets the same treatment in
 * this bench (its in-memory IPVS kernel, lvsd-memory-ipvs-main.ts).
 *
 * Requests are counted by IPVS command; when LVSD_FAKE_IPVS_COUNTS names a file, the counts are
 * rewritten there after every request as lines "NAME COUNT" (fixed width, one pwrite), so the bench
 * can check that keepalived programmed every service and destination.
 *
 * Build: gcc -shared -fPIC -O2 -o fake-ipvs-genl.so fake-ipvs-genl.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

struct nl_sock;
struct nl_msg;

/* An id no real family has (the kernel hands them out upwards from 16). */
#define FAKE_FAMILY_ID 0x7ff0
#define MAX_FAKE_FDS 64
#define COMMANDS 18

static int fake_fds[MAX_FAKE_FDS];
static int fake_fd_count;
static unsigned long counts[COMMANDS + 1];
static const char *const names[COMMANDS + 1] = {
	"unspec", "new-service", "set-service", "del-service", "get-service", "new-dest", "set-dest",
	"del-dest", "get-dest", "new-daemon", "del-daemon", "get-daemon", "set-config", "get-config",
	"set-info", "get-info", "zero", "flush", "other",
};
static int counts_fd = -2;

static void *next_symbol(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (f == NULL) {
		fprintf(stderr, "fake-ipvs-genl: %s not found: %s\n", name, dlerror());
		abort();
	}
	return f;
}

static int socket_fd(struct nl_sock *sk)
{
	static int (*get_fd)(const struct nl_sock *);
	if (get_fd == NULL)
		get_fd = next_symbol("nl_socket_get_fd");
	return get_fd(sk);
}

static int is_fake_fd(int fd)
{
	for (int i = 0; i < fake_fd_count; i++)
		if (fake_fds[i] == fd)
			return 1;
	return 0;
}

static void forget_fd(int fd)
{
	for (int i = 0; i < fake_fd_count; i++) {
		if (fake_fds[i] == fd) {
			fake_fds[i] = fake_fds[--fake_fd_count];
			return;
		}
	}
}

static void write_counts(void)
{
	if (counts_fd == -2) {
		const char *path = getenv("LVSD_FAKE_IPVS_COUNTS");
		counts_fd = path == NULL ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (counts_fd < 0)
		return;
	char text[(COMMANDS + 1) * 32];
	size_t used = 0;
	for (int i = 0; i <= COMMANDS; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%-12s %12lu\n", names[i], counts[i]);
	if (pwrite(counts_fd, text, used, 0) < 0)
		counts_fd = -1;
}

/* "IPVS" resolves to the fake id, and the socket's replies are patched from then on. */
int genl_ctrl_resolve(struct nl_sock *sk, const char *name)
{
	static int (*real)(struct nl_sock *, const char *);
	if (name != NULL && strcmp(name, "IPVS") == 0) {
		int fd = socket_fd(sk);
		if (fd >= 0 && !is_fake_fd(fd) && fake_fd_count < MAX_FAKE_FDS)
			fake_fds[fake_fd_count++] = fd;
		return FAKE_FAMILY_ID;
	}
	if (real == NULL)
		real = next_symbol("genl_ctrl_resolve");
	return real(sk, name);
}

/* Counts the request, then sends it: the kernel answers "no such family" with the right sequence number. */
int nl_send_auto(struct nl_sock *sk, struct nl_msg *msg)
{
	static int (*real)(struct nl_sock *, struct nl_msg *);
	static struct nlmsghdr *(*header)(struct nl_msg *);
	if (real == NULL)
		real = next_symbol("nl_send_auto");
	if (is_fake_fd(socket_fd(sk))) {
		if (header == NULL)
			header = next_symbol("nlmsg_hdr");
		const struct nlmsghdr *nlh = header(msg);
		if (nlh->nlmsg_type == FAKE_FAMILY_ID) {
			const struct genlmsghdr *g = (const struct genlmsghdr *)NLMSG_DATA(nlh);
			counts[g->cmd < COMMANDS ? g->cmd : COMMANDS]++;
			write_counts();
		}
	}
	return real(sk, msg);
}

/* libnl 3 keeps the old name as a separate symbol. */
int nl_send_auto_complete(struct nl_sock *sk, struct nl_msg *msg)
{
	return nl_send_auto(sk, msg);
}

/* On a fake socket every error acknowledgement becomes a success. */
ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	if (real == NULL)
		real = next_symbol("recvmsg");
	ssize_t got = real(fd, m, flags);
	if (got <= 0 || !is_fake_fd(fd) || m->msg_iovlen < 1)
		return got;
	size_t len = (size_t)got < m->msg_iov[0].iov_len ? (size_t)got : m->msg_iov[0].iov_len;
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->msg_iov[0].iov_base;
	for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)))
			((struct nlmsgerr *)NLMSG_DATA(nlh))->error = 0;
	}
	return got;
}

void nl_socket_free(struct nl_sock *sk)
{
	static void (*real)(struct nl_sock *);
	forget_fd(socket_fd(sk));
	if (real == NULL)
		real = next_symbol("nl_socket_free");
	real(sk);
}
