/* vw-store-handling.h: recent handling times, the history behind the
 * estimated wait a queued clerk is shown (see server/vw-wait.h). */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

typedef struct {
  char *province;      /* the province whose rules applied */
  char *item;          /* the item code */
  gint64 handling_ms;  /* from the start of the session to its end */
} VwStoreHandling;

void vw_store_handling_free (VwStoreHandling *h);

/* (transfer full) VwStoreHandling* of the @limit latest ended sessions
 * that have an item, newest first. */
GPtrArray *vw_store_list_recent_handling (VwStore *store, guint limit, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreHandling, vw_store_handling_free)

G_END_DECLS
