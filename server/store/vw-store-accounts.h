/* vw-store-accounts.h: accounts of agents, supervisors and administrators
 * (schema version 2; see vw-store.h for the conventions).
 *
 * An account is made and changed by the admin tool (vw-admin) and read by
 * the HTTP API when someone signs in or presents a token.  It keeps a
 * password hash (server/auth/vw-password.h), never the password; an
 * account is disabled rather than deleted, so that the audit log and the
 * reviews keep naming someone who existed. */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

#define VW_STORE_USERNAME_MAX 64   /* bytes */

typedef struct {
  char *username;       /* 1..64 bytes of UTF-8, no spaces or control characters */
  char *role;           /* "agent", "supervisor" or "admin" */
  char *name;           /* display name, e.g. "张敏" */
  char *province;       /* e.g. "shanghai" */
  char *center;         /* e.g. "黄浦区政务服务中心" */
  char *scope;          /* "center" or "province"; NULL on add: "center" */
  char *password_hash;  /* e.g. "$y$j9T$..." */
  gboolean disabled;
  gint64 created_at;
  gint64 signed_out_at; /* unix ms: tokens given before it are void; 0: never
                         * (schema version 6; ignored by add) */
} VwStoreAccount;

void vw_store_account_free (VwStoreAccount *account);

/* Records a new account (all fields read; scope NULL means "center").
 * CONFLICT if the username is taken; INVALID for a bad username, an
 * unknown role or scope, an empty name, province, center or password hash,
 * or no created_at. */
gboolean vw_store_add_account (VwStore *store, const VwStoreAccount *account,
                               GError **error);

/* (transfer full) the account; NOT_FOUND if unknown. */
VwStoreAccount *vw_store_get_account (VwStore *store, const char *username,
                                      GError **error);

/* (transfer full) VwStoreAccount* of every account, by username. */
GPtrArray *vw_store_list_accounts (VwStore *store, GError **error);

/* Replaces the password hash (non-empty, INVALID otherwise).  NOT_FOUND if
 * unknown. */
gboolean vw_store_set_account_password_hash (VwStore *store, const char *username,
                                             const char *password_hash,
                                             GError **error);

/* The account signed out at @at_ms (unix ms, > 0): every token given to
 * it before then is void (the API and hello check signed_out_at).  A time
 * earlier than the one kept changes nothing.  NOT_FOUND if unknown,
 * INVALID for @at_ms <= 0. */
gboolean vw_store_sign_out_account (VwStore *store, const char *username,
                                    gint64 at_ms, GError **error);

/* Disables or enables an account (idempotent).  NOT_FOUND if unknown. */
gboolean vw_store_set_account_disabled (VwStore *store, const char *username,
                                        gboolean disabled, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreAccount, vw_store_account_free)

G_END_DECLS
