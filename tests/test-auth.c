/* test-auth.c: unit tests for password hashes (server/auth/vw-password.c)
 * and signed tokens (server/auth/vw-token.c), table-driven.
 *
 * The accounts are those of the cross-province window: agent zhangmin
 * (张敏, 黄浦区政务服务中心, Shanghai) and supervisor wangfang (王芳, whose
 * scope is the whole province).
 */
#include "vw-password.h"
#include "vw-token.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define NOW ((gint64) 1795317066900)   /* unix ms, 2026-11-22 */
#define HOUR_MS ((gint64) 3600 * 1000)

static const guint8 key[VW_TOKEN_KEY_SIZE] = "0123456789abcdef0123456789abcdef";
static const guint8 other_key[VW_TOKEN_KEY_SIZE] = "fedcba9876543210fedcba9876543210";

/* ---- passwords ---- */

typedef struct {
  const char *password;
  int error;            /* -1: accepted, else a VwPasswordError */
} NewPasswordCase;

static const NewPasswordCase new_password_cases[] = {
  { "correct horse battery staple", -1 },
  { "12345678", -1 },                        /* exactly the minimum */
  { "黄浦区政务服务中心", -1 },              /* 9 characters, 27 bytes */
  { "", VW_PASSWORD_ERROR_WEAK },
  { "1234567", VW_PASSWORD_ERROR_WEAK },
  { "黄浦区政务服务", VW_PASSWORD_ERROR_WEAK },  /* 7 characters, 21 bytes */
  { "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7", VW_PASSWORD_ERROR_INVALID },
};

static void
test_password_new (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (new_password_cases); i++) {
    const NewPasswordCase *c = &new_password_cases[i];
    g_autoptr (GError) error = NULL;
    g_autofree char *hash = vw_password_hash (c->password, &error);

    g_autofree char *shown = g_strescape (c->password, NULL);

    g_test_message ("case %u: \"%s\"", i, shown);
    if (c->error < 0) {
      g_assert_no_error (error);
      g_assert_nonnull (hash);
      g_assert_true (g_str_has_prefix (hash, "$y$"));        /* yescrypt */
      g_assert_null (strstr (hash, c->password));           /* never the plain text */
      g_assert_true (vw_password_verify (c->password, hash));
    } else {
      g_assert_error (error, VW_PASSWORD_ERROR, c->error);
      g_assert_null (hash);
    }
  }
}

static void
test_password_too_long (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *long_password = g_strnfill (VW_PASSWORD_MAX_LENGTH + 1, 'a');
  g_autofree char *max_password = g_strnfill (VW_PASSWORD_MAX_LENGTH, 'a');
  g_autofree char *hash = vw_password_hash (long_password, &error);

  g_assert_error (error, VW_PASSWORD_ERROR, VW_PASSWORD_ERROR_INVALID);
  g_assert_null (hash);
  g_clear_error (&error);
  hash = vw_password_hash (max_password, &error);
  g_assert_no_error (error);
  g_assert_true (vw_password_verify (max_password, hash));
  g_assert_false (vw_password_verify (long_password, hash));
}

typedef struct {
  const char *attempt;
  gboolean opens;
} VerifyCase;

#define PASSWORD "correct horse battery staple"

static const VerifyCase verify_cases[] = {
  { PASSWORD, TRUE },
  { "correct horse battery stapl", FALSE },    /* a prefix */
  { PASSWORD "!", FALSE },
  { PASSWORD "\n", FALSE },
  { "Correct horse battery staple", FALSE },
  { "", FALSE },
  { "wrong password", FALSE },
};

static void
test_password_verify (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = vw_password_hash (PASSWORD, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (verify_cases); i++) {
    g_test_message ("case %u: '%s'", i, verify_cases[i].attempt);
    g_assert_cmpint (vw_password_verify (verify_cases[i].attempt, hash), ==,
        verify_cases[i].opens);
  }
}

static void
test_password_salted (void)
{
  g_autofree char *a = vw_password_hash (PASSWORD, NULL);
  g_autofree char *b = vw_password_hash (PASSWORD, NULL);

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (a, !=, b);   /* a fresh salt each time */
  g_assert_true (vw_password_verify (PASSWORD, a));
  g_assert_true (vw_password_verify (PASSWORD, b));
}

static const char *const bad_hashes[] = {
  "", "*", "!", "!$y$j9T$abc$def", "$y$", "$y$j9T$", "$y$garbage", "not a hash",
  "abJnggxhB/yJU",   /* traditional DES of "password": refused, too weak */
  PASSWORD,          /* a plain-text "hash" */
};

static void
test_password_bad_hashes (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_hashes); i++) {
    g_test_message ("hash '%s'", bad_hashes[i]);
    g_assert_false (vw_password_verify (PASSWORD, bad_hashes[i]));
    g_assert_false (vw_password_verify ("password", bad_hashes[i]));
  }
}

/* ---- tokens ---- */

static VwTokenClaims *
claims_new (const char *username, const char *role, gint64 issued_at, gint64 expires_at)
{
  VwTokenClaims *c = g_new0 (VwTokenClaims, 1);

  c->username = g_strdup (username);
  c->role = g_strdup (role);
  c->name = g_strdup (g_str_equal (role, "agent") ? "张敏" : "王芳");
  c->province = g_strdup ("shanghai");
  c->center = g_strdup ("黄浦区政务服务中心");
  c->scope = g_strdup (g_str_equal (role, "agent") ? "center" : "province");
  c->issued_at = issued_at;
  c->expires_at = expires_at;
  return c;
}

static char *
sign (const guint8 *with_key, const char *role, gint64 expires_at)
{
  g_autoptr (VwTokenClaims) c = claims_new ("zhangmin", role, NOW - HOUR_MS, expires_at);

  return vw_token_sign (with_key, c);
}

/* A valid token for the agent, one hour left. */
static char *
valid_token (void)
{
  return sign (key, "agent", NOW + HOUR_MS);
}

typedef char *(*MakeToken) (void);

static char *
make_expired (void)
{
  return sign (key, "agent", NOW - 1);
}

static char *
make_expiring_now (void)
{
  return sign (key, "agent", NOW);
}

static char *
make_other_key (void)
{
  return sign (other_key, "agent", NOW + HOUR_MS);
}

/* The agent's signature on a payload that says "supervisor". */
static char *
make_altered_payload (void)
{
  g_autofree char *agent = valid_token ();
  g_autofree char *supervisor = sign (key, "supervisor", NOW + HOUR_MS);
  g_auto (GStrv) a = g_strsplit (agent, ".", -1);
  g_auto (GStrv) s = g_strsplit (supervisor, ".", -1);

  g_assert_cmpuint (g_strv_length (a), ==, 3);
  return g_strjoin (".", a[0], s[1], a[2], NULL);
}

/* One character of the payload changed (still base64url). */
static char *
make_flipped_payload (void)
{
  char *t = valid_token ();

  t[10] = t[10] == 'A' ? 'B' : 'A';
  return t;
}

/* One character in the middle of the signature changed. */
static char *
make_flipped_signature (void)
{
  char *t = valid_token ();
  gsize n = strlen (t);

  t[n - 10] = t[n - 10] == 'A' ? 'B' : 'A';
  return t;
}

static char *
make_truncated (void)
{
  char *t = valid_token ();

  t[strlen (t) - 5] = '\0';
  return t;
}

static char *
make_without_signature (void)
{
  char *t = valid_token ();

  *strrchr (t, '.') = '\0';
  return t;
}

static char *
make_empty_signature (void)
{
  char *t = valid_token ();

  strrchr (t, '.')[1] = '\0';
  return t;
}

static char *
make_empty_payload (void)
{
  g_autofree char *t = valid_token ();

  return g_strconcat ("v1.", strrchr (t, '.'), NULL);
}

static char *
make_padded (void)
{
  g_autofree char *t = valid_token ();

  return g_strconcat (t, "=", NULL);
}

static char *
make_extra_part (void)
{
  g_autofree char *t = valid_token ();

  return g_strconcat (t, ".AAAA", NULL);
}

static char *
make_garbage (void)
{
  return g_strdup ("hello, I am a token");
}

static char *
make_empty (void)
{
  return g_strdup ("");
}

static char *
make_too_long (void)
{
  g_autofree char *t = valid_token ();
  g_autofree char *filler = g_strnfill (4096, 'A');

  return g_strconcat ("v1.", filler, strchr (t + 3, '.'), NULL);
}

static char *
make_wrong_version (void)
{
  char *t = valid_token ();

  t[1] = '2';
  return t;
}

static char *
make_no_version (void)
{
  g_autofree char *t = valid_token ();

  return g_strdup (t + 3);
}

/* Signed with our key, but the claims are not ours: what a leaked key
 * would let through must still be parsed safely. */
static char *
make_signed_garbage_claims (void)
{
  const char *json = "[1, 2, 3]";
  g_autofree char *payload = g_base64_encode ((const guchar *) json, strlen (json));
  g_strdelimit (payload, "=", '\0');
  g_autofree char *signed_part = g_strconcat ("v1.", payload, NULL);
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, VW_TOKEN_KEY_SIZE);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_hmac_update (hmac, (const guchar *) signed_part, -1);
  g_hmac_get_digest (hmac, digest, &len);
  g_autofree char *sig = g_base64_encode (digest, len);
  g_strdelimit (sig, "=", '\0');
  g_strdelimit (sig, "+", '-');
  g_strdelimit (sig, "/", '_');
  return g_strconcat (signed_part, ".", sig, NULL);
}

typedef struct {
  const char *name;
  MakeToken make;
  int error;        /* -1: valid, else a VwTokenError */
} TokenCase;

static const TokenCase token_cases[] = {
  { "round trip", valid_token, -1 },
  { "expired", make_expired, VW_TOKEN_ERROR_EXPIRED },
  { "expiring this millisecond", make_expiring_now, VW_TOKEN_ERROR_EXPIRED },
  { "signed with another key", make_other_key, VW_TOKEN_ERROR_FORGED },
  { "payload swapped for a supervisor's", make_altered_payload, VW_TOKEN_ERROR_FORGED },
  { "payload altered", make_flipped_payload, VW_TOKEN_ERROR_FORGED },
  { "signature altered", make_flipped_signature, VW_TOKEN_ERROR_FORGED },
  { "truncated", make_truncated, VW_TOKEN_ERROR_MALFORMED },
  { "no signature", make_without_signature, VW_TOKEN_ERROR_MALFORMED },
  { "empty signature", make_empty_signature, VW_TOKEN_ERROR_MALFORMED },
  { "empty payload", make_empty_payload, VW_TOKEN_ERROR_MALFORMED },
  { "padded", make_padded, VW_TOKEN_ERROR_MALFORMED },
  { "a fourth part", make_extra_part, VW_TOKEN_ERROR_MALFORMED },
  { "garbage", make_garbage, VW_TOKEN_ERROR_MALFORMED },
  { "empty", make_empty, VW_TOKEN_ERROR_MALFORMED },
  { "over 4 KiB", make_too_long, VW_TOKEN_ERROR_MALFORMED },
  { "wrong version prefix", make_wrong_version, VW_TOKEN_ERROR_MALFORMED },
  { "no version prefix", make_no_version, VW_TOKEN_ERROR_MALFORMED },
  { "signed claims that are not an object", make_signed_garbage_claims,
    VW_TOKEN_ERROR_MALFORMED },
};

static void
test_token_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (token_cases); i++) {
    const TokenCase *c = &token_cases[i];
    g_autofree char *token = c->make ();
    g_autoptr (GError) error = NULL;

    g_test_message ("case '%s': %s", c->name, token);
    g_autoptr (VwTokenClaims) claims = vw_token_verify (key, token, NOW, &error);
    if (c->error < 0) {
      g_assert_no_error (error);
      g_assert_nonnull (claims);
    } else {
      g_assert_error (error, VW_TOKEN_ERROR, c->error);
      g_assert_null (claims);
    }
  }
}

static void
test_token_round_trip (void)
{
  g_autoptr (VwTokenClaims) in = claims_new ("wangfang", "supervisor", NOW,
      NOW + VW_TOKEN_DEFAULT_LIFETIME_S * (gint64) 1000);
  g_autofree char *token = vw_token_sign (key, in);
  g_autoptr (GError) error = NULL;
  g_autoptr (VwTokenClaims) out = vw_token_verify (key, token, NOW + 1, &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (token, "v1."));
  g_assert_null (strchr (token, '='));   /* no padding */
  g_assert_null (strchr (token, '+'));
  g_assert_null (strchr (token, '/'));
  g_assert_cmpstr (out->username, ==, "wangfang");
  g_assert_cmpstr (out->role, ==, "supervisor");
  g_assert_cmpstr (out->name, ==, "王芳");
  g_assert_cmpstr (out->province, ==, "shanghai");
  g_assert_cmpstr (out->center, ==, "黄浦区政务服务中心");
  g_assert_cmpstr (out->scope, ==, "province");
  g_assert_cmpint (out->issued_at, ==, NOW);
  g_assert_cmpint (out->expires_at, ==, NOW + 8 * HOUR_MS);

  g_autoptr (VwTokenClaims) copy = vw_token_claims_copy (out);
  g_assert_cmpstr (copy->center, ==, out->center);
  g_assert_true (copy->center != out->center);
  g_assert_cmpint (copy->expires_at, ==, out->expires_at);

  /* Valid until the last millisecond before expires_at. */
  g_autoptr (VwTokenClaims) late = vw_token_verify (key, token, out->expires_at - 1, NULL);
  g_assert_nonnull (late);
}

/* ---- the key file ---- */

typedef struct {
  char *dir;
  char *key_path;
} KeyFixture;

static void
key_setup (KeyFixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("vw-auth-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->key_path = g_build_filename (f->dir, "token.key", NULL);
}

static void
key_teardown (KeyFixture *f, gconstpointer data)
{
  g_unlink (f->key_path);
  g_rmdir (f->dir);
  g_free (f->key_path);
  g_free (f->dir);
}

static void
test_key_made_once (KeyFixture *f, gconstpointer data)
{
  guint8 first[VW_TOKEN_KEY_SIZE], second[VW_TOKEN_KEY_SIZE];
  g_autoptr (GError) error = NULL;
  struct stat st;

  g_assert_true (vw_token_load_key (f->dir, first, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (f->key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, VW_TOKEN_KEY_SIZE);

  g_assert_true (vw_token_load_key (f->dir, second, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (first, sizeof first, second, sizeof second);

  /* Nothing but the key was left behind (no temporary file). */
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (dir), ==, "token.key");
  g_assert_null (g_dir_read_name (dir));

  /* A token signed with the key verifies with the key read back. */
  g_autofree char *token = sign (first, "agent", NOW + HOUR_MS);
  g_autoptr (VwTokenClaims) claims = vw_token_verify (second, token, NOW, &error);
  g_assert_no_error (error);
}

static void
test_key_refused (KeyFixture *f, gconstpointer data)
{
  guint8 out[VW_TOKEN_KEY_SIZE];
  g_autoptr (GError) error = NULL;

  /* Wrong size. */
  g_assert_true (g_file_set_contents_full (f->key_path, "short", -1,
      G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  g_assert_false (vw_token_load_key (f->dir, out, &error));
  g_assert_error (error, VW_TOKEN_ERROR, VW_TOKEN_ERROR_KEY);
  g_assert_nonnull (strstr (error->message, f->key_path));
  g_clear_error (&error);

  /* Right size, readable by others. */
  g_assert_true (g_file_set_contents_full (f->key_path, (const char *) key,
      VW_TOKEN_KEY_SIZE, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  g_assert_cmpint (g_chmod (f->key_path, 0644), ==, 0);
  g_assert_false (vw_token_load_key (f->dir, out, &error));
  g_assert_error (error, VW_TOKEN_ERROR, VW_TOKEN_ERROR_KEY);
  g_clear_error (&error);

  /* Fixed: the key is read as it is. */
  g_assert_cmpint (g_chmod (f->key_path, 0600), ==, 0);
  g_assert_true (vw_token_load_key (f->dir, out, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out, sizeof out, key, sizeof key);
}

static void
test_key_no_dir (void)
{
  guint8 out[VW_TOKEN_KEY_SIZE];
  g_autoptr (GError) error = NULL;

  g_assert_false (vw_token_load_key ("/nonexistent/vw-data", out, &error));
  g_assert_error (error, VW_TOKEN_ERROR, VW_TOKEN_ERROR_KEY);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/password/new", test_password_new);
  g_test_add_func ("/password/too-long", test_password_too_long);
  g_test_add_func ("/password/verify", test_password_verify);
  g_test_add_func ("/password/salted", test_password_salted);
  g_test_add_func ("/password/bad-hashes", test_password_bad_hashes);
  g_test_add_func ("/token/cases", test_token_cases);
  g_test_add_func ("/token/round-trip", test_token_round_trip);
  g_test_add ("/token/key/made-once", KeyFixture, NULL, key_setup, test_key_made_once,
      key_teardown);
  g_test_add ("/token/key/refused", KeyFixture, NULL, key_setup, test_key_refused,
      key_teardown);
  g_test_add_func ("/token/key/no-dir", test_key_no_dir);
  return g_test_run ();
}
