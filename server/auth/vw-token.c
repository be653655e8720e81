/* vw-token.c: signed, expiring bearer tokens (see vw-token.h).
 *
 * "v1." PAYLOAD "." SIGNATURE, where PAYLOAD is the base64url (no padding)
 * of a JSON object {"username", "role", "name", "province", "center",
 * "scope", "iat", "exp"} and SIGNATURE the base64url of
 * HMAC-SHA256(key, "v1." PAYLOAD).  The signature is checked, in constant
 * time, before the claims are parsed. */
#include "vw-token.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_PREFIX "v1."
#define TOKEN_MAX_LENGTH 4096
#define MAC_SIZE 32   /* SHA-256 */
#define KEY_FILE "token.key"

G_DEFINE_QUARK (vw-token-error-quark, vw_token_error)

/* ---- claims ---- */

void
vw_token_claims_free (VwTokenClaims *claims)
{
  if (!claims)
    return;
  g_free (claims->username);
  g_free (claims->role);
  g_free (claims->name);
  g_free (claims->province);
  g_free (claims->center);
  g_free (claims->scope);
  g_free (claims);
}

VwTokenClaims *
vw_token_claims_copy (const VwTokenClaims *claims)
{
  g_return_val_if_fail (claims != NULL, NULL);

  VwTokenClaims *copy = g_new0 (VwTokenClaims, 1);
  copy->username = g_strdup (claims->username);
  copy->role = g_strdup (claims->role);
  copy->name = g_strdup (claims->name);
  copy->province = g_strdup (claims->province);
  copy->center = g_strdup (claims->center);
  copy->scope = g_strdup (claims->scope);
  copy->issued_at = claims->issued_at;
  copy->expires_at = claims->expires_at;
  return copy;
}

/* ---- base64url without padding ---- */

static char *
b64url_encode (const guint8 *data, gsize len)
{
  char *s = g_base64_encode (data, len);

  g_strdelimit (s, "+", '-');
  g_strdelimit (s, "/", '_');
  char *pad = strchr (s, '=');
  if (pad)
    *pad = '\0';
  return s;
}

static gboolean
is_b64url_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

/* Decodes exactly the canonical base64url of some bytes (no padding, no
 * stray bits), so that no two strings decode the same.  (transfer full)
 * or NULL. */
static guint8 *
b64url_decode (const char *s, gsize len, gsize *out_len)
{
  if (len % 4 == 1)
    return NULL;
  g_autoptr (GString) std = g_string_sized_new (len + 3);
  for (gsize i = 0; i < len; i++) {
    if (!is_b64url_char (s[i]))
      return NULL;
    g_string_append_c (std, s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i]);
  }
  while (std->len % 4)
    g_string_append_c (std, '=');

  g_autofree guint8 *data = g_base64_decode (std->str, out_len);
  g_autofree char *again = b64url_encode (data, *out_len);
  if (strlen (again) != len || memcmp (again, s, len) != 0)
    return NULL;
  return g_steal_pointer (&data);
}

/* ---- signing ---- */

static void
mac (const guint8 key[VW_TOKEN_KEY_SIZE], const char *data, gsize len,
    guint8 out[MAC_SIZE])
{
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, VW_TOKEN_KEY_SIZE);
  gsize out_len = MAC_SIZE;

  g_hmac_update (hmac, (const guchar *) data, len);
  g_hmac_get_digest (hmac, out, &out_len);
  g_assert (out_len == MAC_SIZE);
}

static char *
claims_to_json (const VwTokenClaims *c)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, c->username);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, c->role);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, c->name);
  json_builder_set_member_name (b, "province");
  json_builder_add_string_value (b, c->province);
  json_builder_set_member_name (b, "center");
  json_builder_add_string_value (b, c->center);
  if (c->scope) {
    json_builder_set_member_name (b, "scope");
    json_builder_add_string_value (b, c->scope);
  }
  json_builder_set_member_name (b, "iat");
  json_builder_add_int_value (b, c->issued_at);
  json_builder_set_member_name (b, "exp");
  json_builder_add_int_value (b, c->expires_at);
  json_builder_end_object (b);

  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

char *
vw_token_sign (const guint8 key[VW_TOKEN_KEY_SIZE], const VwTokenClaims *claims)
{
  guint8 sig[MAC_SIZE];

  g_return_val_if_fail (key != NULL && claims != NULL, NULL);
  g_return_val_if_fail (claims->username && claims->role && claims->name
      && claims->province && claims->center, NULL);

  g_autofree char *json = claims_to_json (claims);
  g_autofree char *payload = b64url_encode ((const guint8 *) json, strlen (json));
  g_autofree char *signed_part = g_strconcat (TOKEN_PREFIX, payload, NULL);
  mac (key, signed_part, strlen (signed_part), sig);
  g_autofree char *signature = b64url_encode (sig, sizeof sig);
  return g_strconcat (signed_part, ".", signature, NULL);
}

/* ---- verifying ---- */

static gboolean
fail (GError **error, VwTokenError code, const char *message)
{
  g_set_error_literal (error, VW_TOKEN_ERROR, code, message);
  return FALSE;
}

static gboolean
equal_constant_time (const guint8 *a, const guint8 *b, gsize len)
{
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

/* Checks the form and the signature; points @payload (of @payload_len
 * bytes) into @token. */
static gboolean
check_signature (const guint8 key[VW_TOKEN_KEY_SIZE], const char *token,
    const char **payload, gsize *payload_len, GError **error)
{
  gsize len = strlen (token), sig_len = 0;
  guint8 expected[MAC_SIZE];

  if (len == 0 || len > TOKEN_MAX_LENGTH)
    return fail (error, VW_TOKEN_ERROR_MALFORMED, "the token is empty or too long");
  if (!g_str_has_prefix (token, TOKEN_PREFIX))
    return fail (error, VW_TOKEN_ERROR_MALFORMED, "not a v1 token");
  *payload = token + strlen (TOKEN_PREFIX);
  const char *dot = strchr (*payload, '.');
  if (!dot || dot == *payload)
    return fail (error, VW_TOKEN_ERROR_MALFORMED, "the token has no signature");
  *payload_len = dot - *payload;

  const char *sig_text = dot + 1;
  g_autofree guint8 *sig = b64url_decode (sig_text, strlen (sig_text), &sig_len);
  if (!sig || sig_len != MAC_SIZE)
    return fail (error, VW_TOKEN_ERROR_MALFORMED, "the token's signature is malformed");
  mac (key, token, dot - token, expected);
  if (!equal_constant_time (sig, expected, MAC_SIZE))
    return fail (error, VW_TOKEN_ERROR_FORGED, "the token's signature does not match");
  return TRUE;
}

static char *
dup_string_member (JsonObject *o, const char *name, gboolean required)
{
  JsonNode *node = json_object_get_member (o, name);

  if (!node || JSON_NODE_HOLDS_NULL (node))
    return required ? NULL : g_strdup ("");
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  const char *s = json_node_get_string (node);
  return *s || !required ? g_strdup (s) : NULL;
}

static gboolean
get_int_member (JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *node = json_object_get_member (o, name);

  if (!node || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

/* The claims in a (signed, so ours) JSON payload, or NULL. */
static VwTokenClaims *
claims_from_json (const char *json, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, json, len, NULL)
      || !json_parser_get_root (parser)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  g_autoptr (VwTokenClaims) c = g_new0 (VwTokenClaims, 1);
  c->username = dup_string_member (o, "username", TRUE);
  c->role = dup_string_member (o, "role", TRUE);
  c->name = dup_string_member (o, "name", TRUE);
  c->province = dup_string_member (o, "province", TRUE);
  c->center = dup_string_member (o, "center", TRUE);
  c->scope = dup_string_member (o, "scope", FALSE);
  if (c->scope && !*c->scope)
    g_clear_pointer (&c->scope, g_free);
  if (!c->username || !c->role || !c->name || !c->province || !c->center
      || !get_int_member (o, "iat", &c->issued_at)
      || !get_int_member (o, "exp", &c->expires_at))
    return NULL;
  return g_steal_pointer (&c);
}

VwTokenClaims *
vw_token_verify (const guint8 key[VW_TOKEN_KEY_SIZE], const char *token,
    gint64 now_ms, GError **error)
{
  const char *payload_text = NULL;
  gsize payload_text_len = 0, json_len = 0;

  g_return_val_if_fail (key != NULL && token != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_signature (key, token, &payload_text, &payload_text_len, error))
    return NULL;
  g_autofree guint8 *json = b64url_decode (payload_text, payload_text_len, &json_len);
  g_autoptr (VwTokenClaims) claims = json
      ? claims_from_json ((const char *) json, json_len) : NULL;
  if (!claims) {
    fail (error, VW_TOKEN_ERROR_MALFORMED, "the token's claims are malformed");
    return NULL;
  }
  if (now_ms >= claims->expires_at) {
    fail (error, VW_TOKEN_ERROR_EXPIRED, "the token has expired");
    return NULL;
  }
  return g_steal_pointer (&claims);
}

/* ---- the key file ---- */

/* "@path: @what: strerror"; @path nullable. */
static gboolean
key_error (GError **error, const char *path, const char *what, int errsv)
{
  g_set_error (error, VW_TOKEN_ERROR, VW_TOKEN_ERROR_KEY, "%s%s%s: %s",
      path ? path : "", path ? ": " : "", what, g_strerror (errsv));
  return FALSE;
}

/* Reads the key from an open file: exactly VW_TOKEN_KEY_SIZE bytes, a
 * regular file nobody else may read. */
static gboolean
read_key_fd (int fd, guint8 key[VW_TOKEN_KEY_SIZE], GError **error)
{
  struct stat st;
  gsize got = 0;

  if (fstat (fd, &st) != 0)
    return key_error (error, NULL, "cannot read it", errno);
  if (!S_ISREG (st.st_mode) || st.st_size != VW_TOKEN_KEY_SIZE)
    return fail (error, VW_TOKEN_ERROR_KEY,
        "the token key file must hold exactly 32 bytes; remove it to make a new one");
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return fail (error, VW_TOKEN_ERROR_KEY,
        "the token key file is open to other users; chmod 600 it (or remove it: "
        "everybody signs in again)");
  while (got < VW_TOKEN_KEY_SIZE) {
    ssize_t n = read (fd, key + got, VW_TOKEN_KEY_SIZE - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return key_error (error, NULL, "cannot read it", n < 0 ? errno : EIO);
    got += n;
  }
  return TRUE;
}

/* FALSE with @missing set if there is no key file yet. */
static gboolean
read_key (const char *path, guint8 key[VW_TOKEN_KEY_SIZE], gboolean *missing,
    GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  *missing = fd < 0 && errno == ENOENT;
  if (fd < 0)
    return *missing ? FALSE : key_error (error, path, "cannot open it", errno);
  gboolean ok = read_key_fd (fd, key, error);
  close (fd);
  if (!ok)
    g_prefix_error (error, "%s: ", path);
  return ok;
}

static gboolean
random_bytes (guint8 *buf, gsize len, GError **error)
{
  gsize got = 0;

  while (got < len) {
    ssize_t n = getrandom (buf + got, len - got, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return key_error (error, "getrandom", "no random bytes", errno);
    got += n;
  }
  return TRUE;
}

static gboolean
write_all (int fd, const guint8 *buf, gsize len)
{
  while (len > 0) {
    ssize_t n = write (fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    buf += n;
    len -= n;
  }
  return TRUE;
}

/* Writes @key to a private temporary file and links it to @path, which
 * never replaces a key another process made meanwhile (@raced then). */
static gboolean
create_key (const char *path, const guint8 key[VW_TOKEN_KEY_SIZE], gboolean *raced,
    GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  int errsv;

  *raced = FALSE;
  if (fd < 0)
    return key_error (error, path, "cannot create it", errno);
  gboolean ok = write_all (fd, key, VW_TOKEN_KEY_SIZE) && fsync (fd) == 0;
  errsv = errno;
  close (fd);
  if (ok && link (tmp, path) != 0) {
    errsv = errno;
    *raced = errsv == EEXIST;
    ok = FALSE;
  }
  g_unlink (tmp);
  if (!ok && !*raced)
    return key_error (error, path, "cannot write it", errsv);
  return ok;
}

gboolean
vw_token_load_key (const char *data_dir, guint8 key_out[VW_TOKEN_KEY_SIZE],
    GError **error)
{
  g_return_val_if_fail (data_dir != NULL && key_out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_autofree char *path = g_build_filename (data_dir, KEY_FILE, NULL);
  guint8 fresh[VW_TOKEN_KEY_SIZE];
  gboolean missing, raced;

  if (read_key (path, key_out, &missing, error))
    return TRUE;
  if (!missing)
    return FALSE;
  if (!random_bytes (fresh, sizeof fresh, error))
    return FALSE;
  if (create_key (path, fresh, &raced, error)) {
    memcpy (key_out, fresh, sizeof fresh);
    explicit_bzero (fresh, sizeof fresh);
    return TRUE;
  }
  explicit_bzero (fresh, sizeof fresh);
  /* Another process made the key first: use theirs. */
  return raced && read_key (path, key_out, &missing, error);
}
