/* vw-link: a userspace link emulator between the host's network namespace
 * and another one (the kernel here has no netem).
 *
 *   vw-link --netns NAME [--create] [--seed N]
 *
 * With --create it makes the namespace NAME (lo up) and deletes it when it
 * exits, killing what still runs inside: a test that dies (its stdin pipe
 * closes) leaves nothing behind.
 * Makes a TUN device in the host namespace (vwl<pid>) and one inside NAME
 * (vw0), gives them addresses from 10.77.0.0/16 (one /30 block a link,
 * chosen under a lock file so that links of concurrent runs never share
 * one): the host end HOST/32, the namespace's end NS/32 with a default
 * route through vw0.  Then relays IP packets between the two, applying per
 * direction ("up": namespace -> host, "down": host -> namespace) random
 * loss, delay with jitter (never reordering: a packet never leaves before
 * the one ahead of it), a rate cap (a serialising bottleneck whose queue
 * holds at most "queue" ms of traffic at that rate; packets beyond it drop,
 * tail drop as in a real router) and a blackout (everything dropped both
 * ways).
 *
 * Prints "ready HOST NS IFNAME" on stdout once packets flow, then reads
 * commands on stdin, one a line, each answered with one line ("ok ..." or
 * "error ..."):
 *   loss   up|down|both PERCENT    (0.1 precision)
 *   delay  up|down|both MS         (one way)
 *   jitter up|down|both MS         (each packet's delay in delay +- jitter)
 *   rate   up|down|both KBITS      (0: no cap)
 *   queue  up|down|both MS         (the bottleneck's queue, 100 by default)
 *   blackout on|off
 *   readdress                      (the namespace gets a new address: old
 *                                   connections die; "ok address NS")
 *   counters                       ("ok up.passed=N up.lost=N ...")
 *   reset                          (counters to zero)
 * Exits cleanly on stdin EOF, SIGTERM or SIGINT (the devices vanish with
 * it; the namespace is the caller's).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_MAX 4096            /* packets in flight per direction */
#define PACKET_MAX 65536
#define LOCK_FILE "/run/lock/vw-link.lock"
#define NET_PREFIX 0x0a4d0000u    /* 10.77.0.0/16 */

enum { UP, DOWN, N_DIRS };
static const char *dir_names[] = { "up", "down" };

typedef struct {
  int64_t at;                     /* leaves the link (monotonic us) */
  uint16_t len;
  uint8_t *data;
} Packet;

typedef struct {
  /* settings */
  unsigned loss_permille;
  int64_t delay_us, jitter_us, queue_us;
  uint64_t rate_bps;              /* 0: unlimited */
  /* state */
  int64_t link_free_at, last_at;
  Packet ring[QUEUE_MAX];
  unsigned head, count;
  /* counters */
  uint64_t passed, lost, overflow, blacked, bytes;
} Dir;

static Dir dirs[N_DIRS];
static int blackout;
static volatile sig_atomic_t stop;
static uint64_t rng_state;
static uint32_t host_addr, ns_addr;   /* host byte order */
static char netns_name[256], host_if[IFNAMSIZ];
static int lock_fd = -1;
static int own_netns;

static int64_t
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t
rng (void)
{
  /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void
die (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fprintf (stderr, "vw-link: ");
  vfprintf (stderr, fmt, ap);
  fprintf (stderr, "\n");
  va_end (ap);
  exit (1);
}

static const char *
ip4 (uint32_t a, char *buf)
{
  snprintf (buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  return buf;
}

/* Runs `ip ARGS...` (NULL-terminated); 0 on success. */
static int
run_ip (const char *first, ...)
{
  const char *argv[32];
  int n = 0;
  argv[n++] = "ip";
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a && n < 31; a = va_arg (ap, const char *))
    argv[n++] = a;
  va_end (ap);
  argv[n] = NULL;
  pid_t pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int null = open ("/dev/null", O_RDWR);
    dup2 (null, 0);
    dup2 (null, 1);
    execvp ("ip", (char *const *) argv);
    _exit (127);
  }
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

/* Blocks of 10.77.0.0/16 in use by any link: every 10.77.x.y that appears
 * in the host's routing tables (local addresses and routes to namespaces). */
static void
scan_used (uint8_t *used)
{
  FILE *f = popen ("ip -4 route show table all 2>/dev/null", "r");
  if (!f)
    return;
  char line[512];
  while (fgets (line, sizeof line, f)) {
    for (char *p = line; (p = strstr (p, "10.77.")); p += 6) {
      unsigned a, b;
      if (sscanf (p + 6, "%u.%u", &a, &b) == 2 && a < 256 && b < 256)
        used[(a * 256 + b) / 4] = 1;
    }
  }
  pclose (f);
}

/* A free /30 block (under the lock, which the caller holds until the
 * addresses are in place); its first address. */
static uint32_t
alloc_block (void)
{
  static uint8_t used[16384];
  memset (used, 0, sizeof used);
  used[0] = 1;                       /* 10.77.0.0/30: network */
  used[16383] = 1;                   /* broadcast */
  scan_used (used);
  unsigned start = rng () % 16384;
  for (unsigned i = 0; i < 16384; i++) {
    unsigned k = (start + i) % 16384;
    if (!used[k])
      return NET_PREFIX + 4 * k;
  }
  die ("no free address block in 10.77.0.0/16");
  return 0;
}

static void
lock (void)
{
  if (lock_fd < 0)
    lock_fd = open (LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) < 0)
    die ("cannot lock %s: %s", LOCK_FILE, strerror (errno));
}

static void
unlock (void)
{
  flock (lock_fd, LOCK_UN);
}

static int
open_tun (const char *name)
{
  int fd = open ("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    die ("/dev/net/tun: %s", strerror (errno));
  struct ifreq ifr = { 0 };
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  snprintf (ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (ioctl (fd, TUNSETIFF, &ifr) < 0)
    die ("TUNSETIFF %s: %s", name, strerror (errno));
  return fd;
}

/* The namespace's end gets @addr (old addresses gone), a default route
 * through vw0; the host routes @addr to its end. */
static int
set_ns_address (uint32_t addr)
{
  char a[16], h[16], cidr[24];
  ip4 (addr, a);
  ip4 (host_addr, h);
  snprintf (cidr, sizeof cidr, "%s/32", a);
  if (run_ip ("-n", netns_name, "addr", "flush", "dev", "vw0", NULL) < 0
      || run_ip ("-n", netns_name, "addr", "add", cidr, "dev", "vw0", NULL) < 0
      || run_ip ("-n", netns_name, "route", "replace", h, "dev", "vw0", "src", a, NULL) < 0
      || run_ip ("-n", netns_name, "route", "replace", "default", "via", h, "dev", "vw0",
             "src", a, NULL) < 0
      || run_ip ("route", "replace", cidr, "dev", host_if, NULL) < 0)
    return -1;
  return 0;
}

static void
setup (int *host_fd, int *ns_fd)
{
  char path[300];
  snprintf (path, sizeof path, "/run/netns/%s", netns_name);
  int target = open (path, O_RDONLY | O_CLOEXEC);
  if (target < 0)
    die ("namespace %s: %s", netns_name, strerror (errno));
  int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0)
    die ("/proc/self/ns/net: %s", strerror (errno));

  snprintf (host_if, sizeof host_if, "vwl%d", (int) getpid ());
  *host_fd = open_tun (host_if);
  if (setns (target, CLONE_NEWNET) < 0)
    die ("setns %s: %s", netns_name, strerror (errno));
  *ns_fd = open_tun ("vw0");
  if (setns (self, CLONE_NEWNET) < 0)
    die ("setns back: %s", strerror (errno));
  close (target);
  close (self);

  lock ();
  uint32_t block = alloc_block ();
  host_addr = block + 1;
  ns_addr = block + 2;
  char h[16], hcidr[24];
  snprintf (hcidr, sizeof hcidr, "%s/32", ip4 (host_addr, h));
  if (run_ip ("link", "set", host_if, "mtu", "1500", "up", NULL) < 0
      || run_ip ("addr", "add", hcidr, "dev", host_if, NULL) < 0
      || run_ip ("-n", netns_name, "link", "set", "lo", "up", NULL) < 0
      || run_ip ("-n", netns_name, "link", "set", "vw0", "mtu", "1500", "up", NULL) < 0
      || set_ns_address (ns_addr) < 0)
    die ("configuring the link failed (ip)");
  unlock ();
}

/* ---- the relay ---- */

static void
enqueue (Dir *d, const uint8_t *data, size_t len, int64_t now)
{
  if (blackout) {
    d->blacked++;
    return;
  }
  if (d->loss_permille && rng () % 1000 < d->loss_permille) {
    d->lost++;
    return;
  }
  int64_t leave = now;
  if (d->rate_bps) {
    int64_t start = d->link_free_at > now ? d->link_free_at : now;
    if (start - now > d->queue_us) {
      d->overflow++;
      return;
    }
    d->link_free_at = start + (int64_t) (len * 8 * 1000000ull / d->rate_bps);
    leave = d->link_free_at;
  }
  if (d->count == QUEUE_MAX) {
    d->overflow++;
    return;
  }
  int64_t delay = d->delay_us;
  if (d->jitter_us)
    delay += (int64_t) (rng () % (uint64_t) (2 * d->jitter_us + 1)) - d->jitter_us;
  if (delay < 0)
    delay = 0;
  leave += delay;
  if (leave < d->last_at)
    leave = d->last_at;             /* never reorder */
  d->last_at = leave;
  Packet *p = &d->ring[(d->head + d->count) % QUEUE_MAX];
  p->data = malloc (len);
  if (!p->data) {
    d->overflow++;
    return;
  }
  memcpy (p->data, data, len);
  p->len = len;
  p->at = leave;
  d->count++;
}

/* Whether the packet belongs to the namespace's current address (up: its
 * source; down: its destination).  IPv4 only; anything else drops. */
static int
current_address (const uint8_t *data, size_t len, int dir)
{
  if (len < 20 || (data[0] >> 4) != 4)
    return 0;
  uint32_t a;
  memcpy (&a, data + (dir == UP ? 12 : 16), 4);
  return ntohl (a) == ns_addr;
}

static void
flush_due (Dir *d, int out_fd, int64_t now)
{
  while (d->count && d->ring[d->head].at <= now) {
    Packet *p = &d->ring[d->head];
    if (write (out_fd, p->data, p->len) == (ssize_t) p->len) {
      d->passed++;
      d->bytes += p->len;
    } else
      d->overflow++;
    free (p->data);
    p->data = NULL;
    d->head = (d->head + 1) % QUEUE_MAX;
    d->count--;
  }
}

static void
drain_all (void)
{
  for (int i = 0; i < N_DIRS; i++) {
    Dir *d = &dirs[i];
    while (d->count) {
      free (d->ring[d->head].data);
      d->head = (d->head + 1) % QUEUE_MAX;
      d->count--;
    }
  }
}

/* ---- control ---- */

static int
parse_dirs (const char *word, int *from, int *to)
{
  if (!strcmp (word, "up"))
    *from = UP, *to = UP;
  else if (!strcmp (word, "down"))
    *from = DOWN, *to = DOWN;
  else if (!strcmp (word, "both"))
    *from = UP, *to = DOWN;
  else
    return -1;
  return 0;
}

static void
reply (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  fflush (stdout);
}

static void
command (char *line)
{
  char verb[32] = "", arg1[32] = "", arg2[32] = "";
  int n = sscanf (line, "%31s %31s %31s", verb, arg1, arg2);
  if (n <= 0)
    return;
  if (!strcmp (verb, "counters")) {
    char buf[1024];
    int off = 0;
    for (int i = 0; i < N_DIRS; i++) {
      Dir *d = &dirs[i];
      off += snprintf (buf + off, sizeof buf - off,
          "%s%s.passed=%llu %s.lost=%llu %s.overflow=%llu %s.blackout=%llu "
          "%s.bytes=%llu %s.queued=%u",
          i ? " " : "", dir_names[i], (unsigned long long) d->passed,
          dir_names[i], (unsigned long long) d->lost,
          dir_names[i], (unsigned long long) d->overflow,
          dir_names[i], (unsigned long long) d->blacked,
          dir_names[i], (unsigned long long) d->bytes, dir_names[i], d->count);
    }
    reply ("ok %s", buf);
    return;
  }
  if (!strcmp (verb, "reset")) {
    for (int i = 0; i < N_DIRS; i++)
      dirs[i].passed = dirs[i].lost = dirs[i].overflow = dirs[i].blacked = dirs[i].bytes = 0;
    reply ("ok");
    return;
  }
  if (!strcmp (verb, "blackout")) {
    if (!strcmp (arg1, "on"))
      blackout = 1;
    else if (!strcmp (arg1, "off"))
      blackout = 0;
    else {
      reply ("error blackout takes on or off");
      return;
    }
    reply ("ok");
    return;
  }
  if (!strcmp (verb, "readdress")) {
    lock ();
    uint32_t block = alloc_block ();
    uint32_t old = ns_addr;
    ns_addr = block + 2;            /* the relay drops the old address at once */
    int ok = set_ns_address (ns_addr) == 0;
    unlock ();
    char a[16];
    if (!ok) {
      ns_addr = old;
      reply ("error readdressing failed (ip)");
    } else
      reply ("ok address %s", ip4 (ns_addr, a));
    return;
  }
  int from, to;
  if (n < 3 || parse_dirs (arg1, &from, &to) < 0) {
    reply ("error usage: %s up|down|both VALUE", verb);
    return;
  }
  char *end;
  double v = strtod (arg2, &end);
  if (*end || v < 0 || v > 1e7) {
    reply ("error bad value '%s'", arg2);
    return;
  }
  for (int i = from; i <= to; i++) {
    Dir *d = &dirs[i];
    if (!strcmp (verb, "loss")) {
      if (v > 100) {
        reply ("error loss is a percentage");
        return;
      }
      d->loss_permille = (unsigned) (v * 10 + 0.5);
    } else if (!strcmp (verb, "delay"))
      d->delay_us = (int64_t) (v * 1000);
    else if (!strcmp (verb, "jitter"))
      d->jitter_us = (int64_t) (v * 1000);
    else if (!strcmp (verb, "rate"))
      d->rate_bps = (uint64_t) (v * 1000);
    else if (!strcmp (verb, "queue"))
      d->queue_us = (int64_t) (v * 1000);
    else {
      reply ("error unknown command '%s'", verb);
      return;
    }
  }
  reply ("ok");
}

/* Kills what runs in the namespace (ours: its name is unique) and deletes
 * it. */
static void
delete_netns (void)
{
  char cmd[400];
  for (int round = 0; round < 2; round++) {
    snprintf (cmd, sizeof cmd, "ip netns pids %s 2>/dev/null", netns_name);
    FILE *f = popen (cmd, "r");
    int any = 0;
    if (f) {
      long pid;
      while (fscanf (f, "%ld", &pid) == 1)
        if (pid > 1 && pid != getpid ()) {
          kill ((pid_t) pid, round ? SIGKILL : SIGTERM);
          any = 1;
        }
      pclose (f);
    }
    if (!any)
      break;
    usleep (300000);
  }
  run_ip ("netns", "delete", netns_name, NULL);
}

static void
on_signal (int sig)
{
  (void) sig;
  stop = 1;
}

int
main (int argc, char **argv)
{
  rng_state = (uint64_t) now_us () ^ ((uint64_t) getpid () << 32);
  for (int i = 1; i < argc; i++) {
    if (!strcmp (argv[i], "--netns") && i + 1 < argc)
      snprintf (netns_name, sizeof netns_name, "%s", argv[++i]);
    else if (!strcmp (argv[i], "--create"))
      own_netns = 1;
    else if (!strcmp (argv[i], "--seed") && i + 1 < argc)
      rng_state = strtoull (argv[++i], NULL, 10);
    else
      die ("usage: vw-link --netns NAME [--create] [--seed N]");
  }
  if (!*netns_name || strchr (netns_name, '/'))
    die ("usage: vw-link --netns NAME [--create] [--seed N]");

  struct sigaction sa = { 0 };
  sa.sa_handler = on_signal;
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  signal (SIGPIPE, SIG_IGN);
  for (int i = 0; i < N_DIRS; i++)
    dirs[i].queue_us = 100000;

  if (own_netns) {
    if (run_ip ("netns", "add", netns_name, NULL) < 0)
      die ("cannot make namespace %s", netns_name);
    atexit (delete_netns);
  }
  int fds[2];
  setup (&fds[0], &fds[1]);
  int host_fd = fds[0], ns_fd = fds[1];
  fcntl (0, F_SETFL, fcntl (0, F_GETFL) | O_NONBLOCK);
  {
    char h[16], a[16];
    reply ("ready %s %s %s", ip4 (host_addr, h), ip4 (ns_addr, a), host_if);
  }

  static uint8_t buf[PACKET_MAX];
  char line[512];
  size_t line_len = 0;
  int stdin_open = 1;
  while (!stop && stdin_open) {
    int64_t now = now_us ();
    int timeout = -1;
    for (int i = 0; i < N_DIRS; i++) {
      if (!dirs[i].count)
        continue;
      int64_t wait = dirs[i].ring[dirs[i].head].at - now;
      int ms = wait <= 0 ? 0 : (int) ((wait + 999) / 1000);
      if (timeout < 0 || ms < timeout)
        timeout = ms;
    }
    struct pollfd pfd[3] = {
      { .fd = 0, .events = POLLIN },
      { .fd = host_fd, .events = POLLIN },
      { .fd = ns_fd, .events = POLLIN },
    };
    if (poll (pfd, 3, timeout) < 0) {
      if (errno == EINTR)
        continue;
      die ("poll: %s", strerror (errno));
    }
    now = now_us ();
    /* host -> namespace is down, namespace -> host is up */
    for (int k = 1; k <= 2; k++) {
      if (!(pfd[k].revents & POLLIN))
        continue;
      int dir = k == 1 ? DOWN : UP;
      for (int burst = 0; burst < 64; burst++) {
        ssize_t r = read (pfd[k].fd, buf, sizeof buf);
        if (r <= 0)
          break;
        if (current_address (buf, r, dir))
          enqueue (&dirs[dir], buf, r, now);
      }
    }
    now = now_us ();
    flush_due (&dirs[DOWN], ns_fd, now);
    flush_due (&dirs[UP], host_fd, now);

    if (pfd[0].revents & (POLLIN | POLLHUP)) {
      for (;;) {
        ssize_t r = read (0, line + line_len, sizeof line - 1 - line_len);
        if (r == 0) {
          stdin_open = 0;
          break;
        }
        if (r < 0)
          break;
        line_len += r;
        line[line_len] = '\0';
        char *nl;
        while ((nl = strchr (line, '\n'))) {
          *nl = '\0';
          command (line);
          line_len -= nl + 1 - line;
          memmove (line, nl + 1, line_len + 1);
        }
        if (line_len == sizeof line - 1) {
          reply ("error line too long");
          line_len = 0;
        }
      }
    }
  }
  drain_all ();
  close (host_fd);
  close (ns_fd);
  return 0;
}
