/* small-disk.c: a tmpfs of the test's own (see small-disk.h). */
#define _GNU_SOURCE
#include "small-disk.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>
#include <glib/gstdio.h>

char *
vw_small_disk_new (const char *prefix, const char *size)
{
  if (geteuid () != 0) {
    g_test_skip ("needs root, to mount a small tmpfs in a mount namespace");
    return NULL;
  }
  if (unshare (CLONE_NEWNS) != 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
    g_autofree char *why = g_strdup_printf ("cannot make a mount namespace: %s",
        g_strerror (errno));
    g_test_skip (why);
    return NULL;
  }
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", prefix);
  g_autofree char *dir = g_dir_make_tmp (template, NULL);
  g_assert_nonnull (dir);
  g_autofree char *options = g_strdup_printf ("size=%s,mode=0700", size);
  if (mount ("tmpfs", dir, "tmpfs", 0, options) != 0) {
    g_autofree char *why = g_strdup_printf ("cannot mount a tmpfs: %s",
        g_strerror (errno));
    g_rmdir (dir);
    g_test_skip (why);
    return NULL;
  }
  return g_steal_pointer (&dir);
}

void
vw_small_disk_fill (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  static char block[64 * 1024];
  gsize size = sizeof block;
  for (;;) {
    ssize_t n = write (fd, block, size);
    if (n < 0 && errno == ENOSPC) {
      if (size == 1)
        break;
      size /= 2;   /* the last pages too */
      continue;
    }
    g_assert_cmpint (n, >, 0);
  }
  close (fd);
}
