/* vw-store-scope.h: the sessions a caller may see (VwStoreScope of
 * vw-store-supervision.h) as one SQL condition, shared by the store's
 * scoped reads (vw-store-supervision.c, vw-store-follow-ups.c,
 * vw-store-stats.c).  Internal to the store library.
 *
 * VW_STORE_SCOPE_SQL needs the session as table alias "s" and the named
 * parameters that vw_store_bind_scope() binds. */
#pragma once

#include <sqlite3.h>
#include "vw-store-supervision.h"
#include "vw-store-db.h"

G_BEGIN_DECLS

/* :scope is a VwStoreScopeKind. */
#define VW_STORE_SCOPE_SQL \
  "(:scope = 0 OR EXISTS (SELECT 1 FROM participants sp" \
  "  WHERE sp.session_id = s.id AND CASE :scope" \
  "   WHEN 1 THEN sp.role = 'agent' AND sp.account = :scope_account" \
  "   WHEN 2 THEN sp.center = :scope_center" \
  "     AND (:scope_province IS NULL OR sp.province = :scope_province)" \
  "   WHEN 3 THEN sp.province = :scope_province" \
  "   ELSE 0 END))"

static inline void
vw_store_bind_named_text (sqlite3_stmt *stmt, const char *name, const char *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    store_bind_text (stmt, index, value);
}

static inline void
vw_store_bind_scope (sqlite3_stmt *stmt, const VwStoreScope *scope)
{
  int index = sqlite3_bind_parameter_index (stmt, ":scope");

  if (index > 0)
    sqlite3_bind_int (stmt, index, scope->kind);
  vw_store_bind_named_text (stmt, ":scope_account", scope->account);
  vw_store_bind_named_text (stmt, ":scope_center", scope->center);
  vw_store_bind_named_text (stmt, ":scope_province", scope->province);
}

/* Whether @scope names what its kind needs. */
static inline gboolean
vw_store_scope_is_complete (const VwStoreScope *scope)
{
  switch (scope->kind) {
  case VW_STORE_SCOPE_ALL:
    return TRUE;
  case VW_STORE_SCOPE_ACCOUNT:
    return scope->account != NULL;
  case VW_STORE_SCOPE_CENTER:
    return scope->center != NULL;
  case VW_STORE_SCOPE_PROVINCE:
    return scope->province != NULL;
  default:
    return FALSE;
  }
}

G_END_DECLS
