/* vw-store-accounts.c: accounts of agents, supervisors and administrators
 * (see vw-store-accounts.h). */
#include "vw-store-accounts.h"
#include "vw-store-db.h"

#include <string.h>

static gboolean
is_one_of (const char *value, const char *const *names)
{
  for (guint i = 0; value && names[i]; i++)
    if (g_str_equal (value, names[i]))
      return TRUE;
  return FALSE;
}

/* A username goes into tokens, logs and URLs: printable, no spaces. */
static gboolean
check_username (const char *username, GError **error)
{
  if (!store_require_text (username, "username", error))
    return FALSE;
  gsize len = strlen (username);
  gboolean ok = len <= VW_STORE_USERNAME_MAX && g_utf8_validate (username, len, NULL);

  for (const char *p = username; ok && *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    ok = !g_unichar_isspace (c) && g_unichar_isprint (c);
  }
  if (ok)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_INVALID,
      "username '%s' must be 1..%d bytes of UTF-8 without spaces or control characters",
      username, VW_STORE_USERNAME_MAX);
}

static gboolean
check_account (const VwStoreAccount *a, GError **error)
{
  static const char *const roles[] = { "agent", "supervisor", "admin", NULL };
  static const char *const scopes[] = { "center", "province", NULL };

  if (!check_username (a->username, error))
    return FALSE;
  if (!is_one_of (a->role, roles))
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "role '%s' is none of agent, supervisor, admin", a->role ? a->role : "(null)");
  if (a->scope && !is_one_of (a->scope, scopes))
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "scope '%s' is neither center nor province", a->scope);
  return store_require_text (a->name, "name", error)
      && store_require_text (a->province, "province", error)
      && store_require_text (a->center, "center", error)
      && store_require_text (a->password_hash, "password hash", error)
      && store_require_time (a->created_at, "created_at", error);
}

static gboolean
account_insert (VwStore *store, const VwStoreAccount *a, GError **error)
{
  gboolean taken;

  if (!store_exists (store, "SELECT 1 FROM accounts WHERE username = ?1", a->username,
          &taken, error))
    return FALSE;
  if (taken)
    return store_fail (error, VW_STORE_ERROR_CONFLICT, "account '%s' exists already",
        a->username);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO accounts (username, role, name, province, center, scope,"
      " password_hash, disabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, a->username);
  store_bind_text (stmt, 2, a->role);
  store_bind_text (stmt, 3, a->name);
  store_bind_text (stmt, 4, a->province);
  store_bind_text (stmt, 5, a->center);
  store_bind_text (stmt, 6, a->scope ? a->scope : "center");
  store_bind_text (stmt, 7, a->password_hash);
  sqlite3_bind_int (stmt, 8, a->disabled ? 1 : 0);
  sqlite3_bind_int64 (stmt, 9, a->created_at);
  return store_step_done (store, stmt, "recording the account", error);
}

gboolean
vw_store_add_account (VwStore *store, const VwStoreAccount *account, GError **error)
{
  g_return_val_if_fail (store != NULL && account != NULL, FALSE);

  if (!check_account (account, error) || !store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, account_insert (store, account, error), error);
}

#define ACCOUNT_COLUMNS \
  "username, role, name, province, center, scope, password_hash, disabled, created_at, " \
  "signed_out_at"

static gpointer
account_from_row (sqlite3_stmt *stmt)
{
  VwStoreAccount *a = g_new0 (VwStoreAccount, 1);

  a->username = store_column_dup (stmt, 0);
  a->role = store_column_dup (stmt, 1);
  a->name = store_column_dup (stmt, 2);
  a->province = store_column_dup (stmt, 3);
  a->center = store_column_dup (stmt, 4);
  a->scope = store_column_dup (stmt, 5);
  a->password_hash = store_column_dup (stmt, 6);
  a->disabled = sqlite3_column_int (stmt, 7) != 0;
  a->created_at = sqlite3_column_int64 (stmt, 8);
  a->signed_out_at = sqlite3_column_int64 (stmt, 9);
  return a;
}

VwStoreAccount *
vw_store_get_account (VwStore *store, const char *username, GError **error)
{
  g_return_val_if_fail (store != NULL && username != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE username = ?1", error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, username);
  if (!store_step_row (store, stmt, &has_row, "reading the account", error))
    return NULL;
  if (!has_row) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no account '%s'", username);
    return NULL;
  }
  return account_from_row (stmt);
}

GPtrArray *
vw_store_list_accounts (VwStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY username", error);
  if (!stmt)
    return NULL;
  return store_collect (store, stmt, account_from_row,
      (GDestroyNotify) vw_store_account_free, error);
}

/* Runs an UPDATE of one account (?1 the username, ?2 the value); NOT_FOUND
 * if no row changed. */
static gboolean
account_update (VwStore *store, const char *sql, const char *username,
    const char *text, gint64 number, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, sql, error);

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, username);
  if (text)
    store_bind_text (stmt, 2, text);
  else
    sqlite3_bind_int64 (stmt, 2, number);
  if (!store_step_done (store, stmt, "changing the account", error))
    return FALSE;
  if (sqlite3_changes (store->db) == 1)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no account '%s'", username);
}

gboolean
vw_store_set_account_password_hash (VwStore *store, const char *username,
    const char *password_hash, GError **error)
{
  g_return_val_if_fail (store != NULL && username != NULL, FALSE);

  if (!store_require_text (password_hash, "password hash", error)
      || !store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, account_update (store,
          "UPDATE accounts SET password_hash = ?2 WHERE username = ?1", username,
          password_hash, 0, error), error);
}

gboolean
vw_store_sign_out_account (VwStore *store, const char *username, gint64 at_ms,
    GError **error)
{
  g_return_val_if_fail (store != NULL && username != NULL, FALSE);

  if (at_ms <= 0)
    return store_fail (error, VW_STORE_ERROR_INVALID, "no sign-out time");
  if (!store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, account_update (store,
          "UPDATE accounts SET signed_out_at = max (signed_out_at, ?2) WHERE username = ?1",
          username, NULL, at_ms, error), error);
}

gboolean
vw_store_set_account_disabled (VwStore *store, const char *username,
    gboolean disabled, GError **error)
{
  g_return_val_if_fail (store != NULL && username != NULL, FALSE);

  if (!store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, account_update (store,
          "UPDATE accounts SET disabled = ?2 WHERE username = ?1", username, NULL,
          disabled ? 1 : 0, error), error);
}

void
vw_store_account_free (VwStoreAccount *a)
{
  if (!a)
    return;
  g_free (a->username);
  g_free (a->role);
  g_free (a->name);
  g_free (a->province);
  g_free (a->center);
  g_free (a->scope);
  if (a->password_hash)
    explicit_bzero (a->password_hash, strlen (a->password_hash));
  g_free (a->password_hash);
  g_free (a);
}
