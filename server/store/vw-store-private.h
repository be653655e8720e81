/* vw-store-private.h: hooks for tests only; the server must not use them. */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

/* Runs raw SQL on the store's connection (constant test SQL only), e.g. to
 * check that triggers refuse what the API never does. */
gboolean vw_store_exec_for_test (VwStore *store, const char *sql, GError **error);

G_END_DECLS
