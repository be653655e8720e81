/* small-disk.h: a small filesystem of the test's own, to fill up: a tmpfs
 * mounted in a mount namespace of this process (root only), for tests of
 * what a full disk does. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes this process's mount namespace its own and mounts a tmpfs of
 * @size ("4m") on a fresh directory named after @prefix.  (transfer full)
 * its path, or NULL after g_test_skip () when this process may not. */
char *vw_small_disk_new (const char *prefix, const char *size);
/* Writes @path until the disk has no room left, to the last byte. */
void  vw_small_disk_fill (const char *path);

G_END_DECLS
