/* vw-store-audit.h: the audit log (schema version 2; see vw-store.h for
 * the conventions).
 *
 * It records who looked at what: every access to a recording, every sample
 * drawn, every retention purge.  It is append only: the database refuses
 * updates and deletes of its rows, and entries name sessions without a
 * foreign key, so that the log outlives the recordings it speaks of. */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64 id;            /* set by the store, in order of adding */
  gint64 at;
  char *actor;          /* (nullable) username; NULL for the server itself */
  char *action;         /* e.g. "view-session", "play-track", "sample" */
  char *session_id;     /* (nullable) */
  char *detail;         /* (nullable) a JSON object, as text */
} VwStoreAuditEntry;

void vw_store_audit_entry_free (VwStoreAuditEntry *entry);

/* Appends an entry; its id goes to @id_out (nullable).  @action non-empty
 * and @at > 0 (INVALID otherwise); @detail_json, if given, must be a JSON
 * object (INVALID otherwise).  @session_id need not name a session in the
 * store. */
gboolean vw_store_add_audit (VwStore *store, gint64 at, const char *actor,
                             const char *action, const char *session_id,
                             const char *detail_json, gint64 *id_out,
                             GError **error);

/* (transfer full) VwStoreAuditEntry* with @from_ms <= at < @to_ms, of
 * @session_id only unless NULL, by at then id.  Pass 0 and G_MAXINT64 for
 * the whole log. */
GPtrArray *vw_store_list_audit (VwStore *store, gint64 from_ms, gint64 to_ms,
                                const char *session_id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreAuditEntry, vw_store_audit_entry_free)

G_END_DECLS
