/* test-store-accounts.c: unit tests for accounts (vw-store-accounts.c) and
 * the audit log (vw-store-audit.c) of the server's store.
 *
 * Every test works on a fresh store in its own temporary directory.  The
 * accounts are those of the cross-province window: agent zhangmin (张敏,
 * 黄浦区政务服务中心, Shanghai), supervisor wangfang (王芳, the whole
 * province of Shanghai) and administrator admin.
 */
#include "vw-store-accounts.h"
#include "store-test-util.h"
#include "vw-store-audit.h"
#include "vw-store-private.h"

#include <glib/gstdio.h>
#include <string.h>

#define T0 ((gint64) 1795317066900)   /* unix ms, 2026-11-22 */
#define HASH "$y$j9T$abcdefghijklmnopqrstuv$0123456789abcdefghijklmnopqrstuvwxyzABCD"

/* ---- fixture ---- */

typedef VwStoreFixture Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  vw_store_fixture_init (f, "vw-accounts", TRUE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_store_fixture_clear (f);
}

/* ---- helpers ---- */

static VwStoreAccount
agent (void)
{
  return (VwStoreAccount) {
    .username = (char *) "zhangmin", .role = (char *) "agent", .name = (char *) "张敏",
    .province = (char *) "shanghai", .center = (char *) "黄浦区政务服务中心",
    .password_hash = (char *) HASH, .created_at = T0,
  };
}

static void
add (VwStore *store, const VwStoreAccount *account)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (vw_store_add_account (store, account, &error));
  g_assert_no_error (error);
}

static VwStoreAccount *
get (VwStore *store, const char *username)
{
  g_autoptr (GError) error = NULL;
  VwStoreAccount *a = vw_store_get_account (store, username, &error);

  g_assert_no_error (error);
  g_assert_nonnull (a);
  return a;
}

static guint
count_accounts (VwStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = vw_store_list_accounts (store, &error);

  g_assert_no_error (error);
  return all->len;
}

/* ---- accounts ---- */

static void
test_add_get (Fixture *f, gconstpointer data)
{
  VwStoreAccount a = agent ();

  add (f->store, &a);
  g_autoptr (VwStoreAccount) got = get (f->store, "zhangmin");
  g_assert_cmpstr (got->username, ==, "zhangmin");
  g_assert_cmpstr (got->role, ==, "agent");
  g_assert_cmpstr (got->name, ==, "张敏");
  g_assert_cmpstr (got->province, ==, "shanghai");
  g_assert_cmpstr (got->center, ==, "黄浦区政务服务中心");
  g_assert_cmpstr (got->scope, ==, "center");   /* the default */
  g_assert_cmpstr (got->password_hash, ==, HASH);
  g_assert_false (got->disabled);
  g_assert_cmpint (got->created_at, ==, T0);
}

static void
test_add_supervisor_disabled (Fixture *f, gconstpointer data)
{
  VwStoreAccount a = agent ();

  a.username = (char *) "wangfang";
  a.role = (char *) "supervisor";
  a.name = (char *) "王芳";
  a.scope = (char *) "province";
  a.disabled = TRUE;
  add (f->store, &a);
  g_autoptr (VwStoreAccount) got = get (f->store, "wangfang");
  g_assert_cmpstr (got->role, ==, "supervisor");
  g_assert_cmpstr (got->scope, ==, "province");
  g_assert_true (got->disabled);
}

static void
test_add_conflict (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreAccount a = agent ();

  add (f->store, &a);
  a.name = (char *) "另一个张敏";
  g_assert_false (vw_store_add_account (f->store, &a, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_autoptr (VwStoreAccount) got = get (f->store, "zhangmin");
  g_assert_cmpstr (got->name, ==, "张敏");   /* the first one is kept */
}

typedef struct {
  const char *what;
  const char *username;
  const char *role;
  const char *scope;
  const char *name;
  const char *password_hash;
  gint64 created_at;
} BadAccountCase;

static const BadAccountCase bad_accounts[] = {
  { "clerks have no account", "zhangmin", "clerk", NULL, "张敏", HASH, T0 },
  { "unknown role", "zhangmin", "root", NULL, "张敏", HASH, T0 },
  { "no role", "zhangmin", NULL, NULL, "张敏", HASH, T0 },
  { "unknown scope", "zhangmin", "supervisor", "country", "张敏", HASH, T0 },
  { "empty username", "", "agent", NULL, "张敏", HASH, T0 },
  { "space in username", "zhang min", "agent", NULL, "张敏", HASH, T0 },
  { "newline in username", "zhangmin\n", "agent", NULL, "张敏", HASH, T0 },
  { "username over 64 bytes",
    "a123456789b123456789c123456789d123456789e123456789f123456789g1234",
    "agent", NULL, "张敏", HASH, T0 },
  { "empty name", "zhangmin", "agent", NULL, "", HASH, T0 },
  { "no password hash", "zhangmin", "agent", NULL, "张敏", NULL, T0 },
  { "empty password hash", "zhangmin", "agent", NULL, "张敏", "", T0 },
  { "no created_at", "zhangmin", "agent", NULL, "张敏", HASH, 0 },
};

static void
test_add_invalid (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_accounts); i++) {
    const BadAccountCase *c = &bad_accounts[i];
    g_autoptr (GError) error = NULL;
    VwStoreAccount a = agent ();

    g_test_message ("case: %s", c->what);
    a.username = (char *) c->username;
    a.role = (char *) c->role;
    a.scope = (char *) c->scope;
    a.name = (char *) c->name;
    a.password_hash = (char *) c->password_hash;
    a.created_at = c->created_at;
    g_assert_false (vw_store_add_account (f->store, &a, &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  }
  g_assert_cmpuint (count_accounts (f->store), ==, 0);   /* nothing written */
}

static void
test_get_unknown (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreAccount a = agent ();

  add (f->store, &a);
  g_autoptr (VwStoreAccount) got = vw_store_get_account (f->store, "ZHANGMIN", &error);
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_assert_null (got);
}

static void
test_list (Fixture *f, gconstpointer data)
{
  const char *const names[] = { "zhangmin", "admin", "wangfang" };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    VwStoreAccount a = agent ();
    a.username = (char *) names[i];
    add (f->store, &a);
  }
  g_autoptr (GPtrArray) all = vw_store_list_accounts (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (((VwStoreAccount *) all->pdata[0])->username, ==, "admin");
  g_assert_cmpstr (((VwStoreAccount *) all->pdata[1])->username, ==, "wangfang");
  g_assert_cmpstr (((VwStoreAccount *) all->pdata[2])->username, ==, "zhangmin");
}

static void
test_list_empty (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (count_accounts (f->store), ==, 0);
}

static void
test_set_password_hash (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreAccount a = agent ();

  add (f->store, &a);
  g_assert_true (vw_store_set_account_password_hash (f->store, "zhangmin", "$y$new",
      &error));
  g_assert_no_error (error);
  g_autoptr (VwStoreAccount) got = get (f->store, "zhangmin");
  g_assert_cmpstr (got->password_hash, ==, "$y$new");

  g_assert_false (vw_store_set_account_password_hash (f->store, "lihua", "$y$x", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_set_account_password_hash (f->store, "zhangmin", "", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_autoptr (VwStoreAccount) again = get (f->store, "zhangmin");
  g_assert_cmpstr (again->password_hash, ==, "$y$new");
}

static gboolean
is_disabled (VwStore *store, const char *username)
{
  g_autoptr (VwStoreAccount) a = get (store, username);

  return a->disabled;
}

static void
test_set_disabled (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreAccount a = agent ();

  add (f->store, &a);
  for (guint i = 0; i < 2; i++) {   /* twice: idempotent */
    g_assert_true (vw_store_set_account_disabled (f->store, "zhangmin", TRUE, &error));
    g_assert_no_error (error);
    g_assert_true (is_disabled (f->store, "zhangmin"));
  }
  g_assert_true (vw_store_set_account_disabled (f->store, "zhangmin", FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (is_disabled (f->store, "zhangmin"));

  g_assert_false (vw_store_set_account_disabled (f->store, "lihua", TRUE, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
}

/* Signing out keeps the latest time: a late, older one changes nothing. */
static void
test_sign_out (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreAccount a = agent ();

  add (f->store, &a);
  g_autoptr (VwStoreAccount) fresh = get (f->store, "zhangmin");
  g_assert_cmpint (fresh->signed_out_at, ==, 0);
  g_assert_true (vw_store_sign_out_account (f->store, "zhangmin", T0 + 5000, &error));
  g_assert_true (vw_store_sign_out_account (f->store, "zhangmin", T0 + 1000, &error));
  g_assert_no_error (error);
  g_autoptr (VwStoreAccount) got = get (f->store, "zhangmin");
  g_assert_cmpint (got->signed_out_at, ==, T0 + 5000);

  g_assert_false (vw_store_sign_out_account (f->store, "lihua", T0, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_sign_out_account (f->store, "zhangmin", 0, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
}

static void
test_kept_across_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreAccount a = agent ();

  add (f->store, &a);
  g_assert_true (vw_store_set_account_disabled (f->store, "zhangmin", TRUE, &error));
  vw_store_close (f->store);
  f->store = vw_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (is_disabled (f->store, "zhangmin"));
}

/* ---- audit log ---- */

static gint64
audit (VwStore *store, gint64 at, const char *actor, const char *action,
    const char *session_id, const char *detail)
{
  g_autoptr (GError) error = NULL;
  gint64 id = 0;

  g_assert_true (vw_store_add_audit (store, at, actor, action, session_id, detail, &id,
      &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static GPtrArray *
list_audit (VwStore *store, gint64 from, gint64 to, const char *session_id)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *entries = vw_store_list_audit (store, from, to, session_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entries);
  return entries;
}

#define ENTRY(entries, i) ((VwStoreAuditEntry *) (entries)->pdata[i])

static void
test_audit_add_list (Fixture *f, gconstpointer data)
{
  gint64 a = audit (f->store, T0 + 2000, "wangfang", "play-track", "s-1",
      "{\"track\":3}");
  gint64 b = audit (f->store, T0, "wangfang", "view-session", "s-1", NULL);
  gint64 c = audit (f->store, T0 + 1000, NULL, "purge", "s-2", "{\"files\":12}");
  gint64 d = audit (f->store, T0 + 1000, "wangfang", "sample", NULL,
      "{\"seed\":42,\"sessions\":[\"s-1\"]}");

  g_assert_cmpint (a, <, b);   /* ids in order of adding */
  g_assert_cmpint (c, <, d);

  g_autoptr (GPtrArray) all = list_audit (f->store, 0, G_MAXINT64, NULL);
  g_assert_cmpuint (all->len, ==, 4);
  /* By time, then in order of adding. */
  g_assert_cmpint (ENTRY (all, 0)->id, ==, b);
  g_assert_cmpint (ENTRY (all, 1)->id, ==, c);
  g_assert_cmpint (ENTRY (all, 2)->id, ==, d);
  g_assert_cmpint (ENTRY (all, 3)->id, ==, a);

  VwStoreAuditEntry *e = ENTRY (all, 3);
  g_assert_cmpint (e->at, ==, T0 + 2000);
  g_assert_cmpstr (e->actor, ==, "wangfang");
  g_assert_cmpstr (e->action, ==, "play-track");
  g_assert_cmpstr (e->session_id, ==, "s-1");
  g_assert_cmpstr (e->detail, ==, "{\"track\":3}");
  g_assert_null (ENTRY (all, 1)->actor);        /* the server itself */
  g_assert_null (ENTRY (all, 2)->session_id);
  g_assert_null (ENTRY (all, 0)->detail);
}

static void
test_audit_filters (Fixture *f, gconstpointer data)
{
  audit (f->store, T0, "wangfang", "view-session", "s-1", NULL);
  audit (f->store, T0 + 1000, "wangfang", "view-session", "s-2", NULL);
  audit (f->store, T0 + 2000, "wangfang", "play-track", "s-1", NULL);

  /* from inclusive, to exclusive */
  g_autoptr (GPtrArray) range = list_audit (f->store, T0, T0 + 2000, NULL);
  g_assert_cmpuint (range->len, ==, 2);
  g_assert_cmpstr (ENTRY (range, 0)->session_id, ==, "s-1");
  g_assert_cmpstr (ENTRY (range, 1)->session_id, ==, "s-2");

  g_autoptr (GPtrArray) s1 = list_audit (f->store, 0, G_MAXINT64, "s-1");
  g_assert_cmpuint (s1->len, ==, 2);
  g_assert_cmpstr (ENTRY (s1, 1)->action, ==, "play-track");

  g_autoptr (GPtrArray) both = list_audit (f->store, T0 + 1, G_MAXINT64, "s-1");
  g_assert_cmpuint (both->len, ==, 1);

  g_autoptr (GPtrArray) none = list_audit (f->store, 0, G_MAXINT64, "s-9");
  g_assert_cmpuint (none->len, ==, 0);
}

typedef struct {
  const char *what;
  gint64 at;
  const char *actor;
  const char *action;
  const char *detail;
} BadAuditCase;

static const BadAuditCase bad_audits[] = {
  { "no action", T0, "wangfang", NULL, NULL },
  { "empty action", T0, "wangfang", "", NULL },
  { "no time", 0, "wangfang", "view-session", NULL },
  { "empty actor", T0, "", "view-session", NULL },
  { "detail not JSON", T0, "wangfang", "view-session", "{track: 3}" },
  { "detail an array", T0, "wangfang", "view-session", "[1, 2]" },
  { "detail a string", T0, "wangfang", "view-session", "\"s-1\"" },
};

static void
test_audit_invalid (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_audits); i++) {
    const BadAuditCase *c = &bad_audits[i];
    g_autoptr (GError) error = NULL;
    gint64 id = -7;

    g_test_message ("case: %s", c->what);
    g_assert_false (vw_store_add_audit (f->store, c->at, c->actor, c->action, "s-1",
        c->detail, &id, &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_assert_cmpint (id, ==, -7);   /* untouched */
  }
  g_autoptr (GPtrArray) all = list_audit (f->store, 0, G_MAXINT64, NULL);
  g_assert_cmpuint (all->len, ==, 0);
}

static void
test_audit_append_only (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  audit (f->store, T0, "wangfang", "view-session", "s-1", NULL);
  g_assert_false (vw_store_exec_for_test (f->store,
      "UPDATE audit SET actor = 'someone-else'", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (vw_store_exec_for_test (f->store, "DELETE FROM audit", &error));
  g_assert_nonnull (error);

  g_autoptr (GPtrArray) all = list_audit (f->store, 0, G_MAXINT64, NULL);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (ENTRY (all, 0)->actor, ==, "wangfang");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/accounts/add-get", test_add_get);
  ADD ("/accounts/add-supervisor-disabled", test_add_supervisor_disabled);
  ADD ("/accounts/add-conflict", test_add_conflict);
  ADD ("/accounts/add-invalid", test_add_invalid);
  ADD ("/accounts/get-unknown", test_get_unknown);
  ADD ("/accounts/list", test_list);
  ADD ("/accounts/list-empty", test_list_empty);
  ADD ("/accounts/set-password-hash", test_set_password_hash);
  ADD ("/accounts/set-disabled", test_set_disabled);
  ADD ("/accounts/sign-out", test_sign_out);
  ADD ("/accounts/kept-across-reopen", test_kept_across_reopen);
  ADD ("/audit/add-list", test_audit_add_list);
  ADD ("/audit/filters", test_audit_filters);
  ADD ("/audit/invalid", test_audit_invalid);
  ADD ("/audit/append-only", test_audit_append_only);
#undef ADD
  return g_test_run ();
}
