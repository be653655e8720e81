/* vw-store-items.h: the catalogue of service items (事项清单), schema
 * version 4 (see vw-store.h for the conventions).
 *
 * Each item has a code (e.g. "QY-SL-001"), a name (企业设立), its service
 * mode (服务方式: remote window, online, on site), the responsible
 * department (责任部门) and the provinces, and optionally the centres,
 * that handle it through the remote window.  The server loads a starter
 * list from data/catalogue.json into an empty catalogue; administrators
 * edit it through PUT and DELETE /api/catalogue/CODE. */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

#define VW_STORE_ITEM_CODE_MAX 32    /* bytes */
#define VW_STORE_ITEM_TEXT_MAX 200   /* bytes of a name, department or centre */

typedef struct {
  char *code;           /* 1..32 of A-Z, 0-9 and '-', starting with a letter */
  char *name;           /* e.g. "企业设立" */
  char *mode;           /* "remote", "online" or "onsite" */
  char *department;     /* e.g. "市场监督管理局" */
  GStrv provinces;      /* wire names, e.g. "shanghai"; no duplicates; may be empty */
  GStrv centers;        /* (nullable on upsert: none) centre names; no duplicates */
  gint64 updated_at;    /* set by upsert from its @at */
} VwStoreItem;

void vw_store_item_free (VwStoreItem *item);

/* TRUE if @code is a valid item code. */
gboolean vw_store_item_code_is_valid (const char *code);

/* Checks @item as upsert does (INVALID: a bad code, an empty name or
 * department, an unknown mode, an unknown or repeated province, an empty,
 * over-long or repeated centre). */
gboolean vw_store_item_check (const VwStoreItem *item, GError **error);

/* Creates the item, or replaces the one with its code; updated_at becomes
 * @at.  @created_out (nullable): whether it is new. */
gboolean vw_store_upsert_item (VwStore *store, const VwStoreItem *item, gint64 at,
                               gboolean *created_out, GError **error);

/* (transfer full) the item; NOT_FOUND if unknown. */
VwStoreItem *vw_store_get_item (VwStore *store, const char *code, GError **error);

/* (transfer full) VwStoreItem* of every item, by code. */
GPtrArray *vw_store_list_items (VwStore *store, GError **error);

/* The number of items. */
gboolean vw_store_count_items (VwStore *store, guint *n_out, GError **error);

/* Removes the item; NOT_FOUND if unknown.  (Sessions keep the item as
 * text, so nothing refers to the row.) */
gboolean vw_store_delete_item (VwStore *store, const char *code, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreItem, vw_store_item_free)

G_END_DECLS
