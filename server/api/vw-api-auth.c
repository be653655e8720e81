/* vw-api-auth.c: signing in, POST /api/login (see server/API.md).
 *
 * A wrong password, an unknown username and a disabled account get the
 * same 401 with the same body, after the same work: an unknown username is
 * checked against a dummy hash, so that timing does not tell which
 * usernames exist either.
 *
 * Guessing is slowed down (vw-throttle.h): per account (the username as
 * given, known or not) and per remote address, failures beyond an
 * allowance make the next attempt wait, answered at once with 429 and
 * Retry-After, the right password included.  A sign-in counts as a failure
 * from when it starts until its password turns out right, so that many
 * sent at once are not all tried.  A success forgets the account's
 * failures (not the address's).
 *
 * So that someone guessing at an account from elsewhere cannot keep its
 * owner out, the account's wait does not hold at an address the account
 * signed in from in the last KNOWN_FOR_MS (the address's own limit still
 * does): the owner at their usual desk, or behind their centre's NAT,
 * gets in.
 *
 * Passwords are hashed (yescrypt: tens of milliseconds each) on a few
 * worker threads, never on the main context: the message is paused
 * meanwhile, and signalling and other requests go on.  Beyond the
 * workers and a bounded queue, a sign-in is answered 503 busy at once. */
#include "vw-api.h"
#include "vw-api-private.h"
#include "vw-api-guess.h"
#include "vw-password.h"
#include "vw-store-accounts.h"

#include <string.h>

#define ACCOUNT_FREE_FAILURES 5    /* wrong passwords of an account before a wait */
#define ADDRESS_FREE_FAILURES 20   /* of an address (a centre's NAT is many people) */
#define DEFAULT_WORKERS 2
#define DEFAULT_QUEUE 16
#define SIGN_IN_KEY "vw-sign-in"   /* the SignIn of a SoupServer */
#define KNOWN_FOR_MS (30 * 24 * 3600 * G_GINT64_CONSTANT (1000))
#define KNOWN_MAX 10000            /* account-address pairs remembered at most */

/* The sign-ins of one server: its workers, how many are in flight. */
typedef struct {
  GThreadPool *pool;       /* of Attempt*, hashing */
  guint in_flight;         /* started and not answered (main context) */
  guint limit;             /* workers + queue */
  VwThrottle *by_account;
  VwThrottle *by_address;
  GHashTable *known;       /* "username\naddress" -> gint64*: its last success */
  char *dummy_hash;        /* a yescrypt hash of no one's password */
} SignIn;

/* One sign-in while its password is hashed. */
typedef struct {
  SignIn *sign_in;               /* a reference */
  SoupServerMessage *msg;        /* a reference */
  GMainContext *main_context;    /* where it is answered */
  gboolean opens;                /* the worker's verdict */
  gboolean gone;                 /* the client left, the message is over */
  char *password;                /* wiped when freed */
  const char *hash;              /* the account's, or the dummy */
  VwStoreAccount *account;       /* (nullable) unknown username */
  char *account_key, *address_key;
  char *user_shown;              /* the username as a log line may show it */
  guint8 token_key[VW_TOKEN_KEY_SIZE];
  guint token_lifetime_s;
} Attempt;

static const char *
string_member (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (!node || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
account_json (const VwTokenClaims *c)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "username", c->username);
  json_object_set_string_member (o, "role", c->role);
  json_object_set_string_member (o, "name", c->name);
  json_object_set_string_member (o, "province", c->province);
  json_object_set_string_member (o, "center", c->center);
  json_object_set_string_member (o, "scope", c->scope);
  return o;
}

/* The HttpOnly cookie that lets <video> elements fetch recordings. */
static void
set_token_cookie (SoupServerMessage *msg, const char *token, guint lifetime_s)
{
  gboolean https = g_str_equal (g_uri_get_scheme (soup_server_message_get_uri (msg)),
      "https");
  g_autofree char *cookie = g_strdup_printf (
      "vw_token=%s; Path=/api/; Max-Age=%u; HttpOnly; SameSite=Strict%s",
      token, lifetime_s, https ? "; Secure" : "");

  soup_message_headers_append (soup_server_message_get_response_headers (msg),
      "Set-Cookie", cookie);
}

static void
respond_token (const Attempt *attempt, SoupServerMessage *msg,
    const VwStoreAccount *account)
{
  gint64 now = g_get_real_time () / 1000;
  VwTokenClaims claims = {
    .username = account->username, .role = account->role, .name = account->name,
    .province = account->province, .center = account->center, .scope = account->scope,
    .issued_at = now, .expires_at = now + (gint64) attempt->token_lifetime_s * 1000,
  };
  g_autofree char *token = vw_token_sign (attempt->token_key, &claims);
  g_autoptr (JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "token", token);
  json_object_set_int_member (body, "expires_at", claims.expires_at);
  json_object_set_object_member (body, "account", account_json (&claims));
  set_token_cookie (msg, token, attempt->token_lifetime_s);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* ---- the sign-ins of a server ---- */

static void
sign_in_clear (SignIn *sign_in)
{
  /* Last reference, on the main context: no job is left (each holds one). */
  g_thread_pool_free (sign_in->pool, TRUE, TRUE);
  vw_throttle_free (sign_in->by_account);
  vw_throttle_free (sign_in->by_address);
  g_hash_table_unref (sign_in->known);
  g_free (sign_in->dummy_hash);
}

static void
sign_in_release (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) sign_in_clear);
}

static void
attempt_free (Attempt *attempt)
{
  g_signal_handlers_disconnect_by_data (attempt->msg, attempt);
  g_object_unref (attempt->msg);
  g_main_context_unref (attempt->main_context);
  explicit_bzero (attempt->password, strlen (attempt->password));
  g_free (attempt->password);
  g_clear_pointer (&attempt->account, vw_store_account_free);
  g_free (attempt->account_key);
  g_free (attempt->address_key);
  g_free (attempt->user_shown);
  explicit_bzero (attempt->token_key, sizeof attempt->token_key);
  sign_in_release (attempt->sign_in);
  g_free (attempt);
}

/* ---- where accounts signed in lately ---- */

static char *
pair_key (const char *account_key, const char *address_key)
{
  return g_strconcat (account_key, "\n", address_key, NULL);
}

/* Whether the account of @account_key signed in from @address_key in the
 * last KNOWN_FOR_MS. */
static gboolean
is_known (SignIn *sign_in, const char *account_key, const char *address_key, gint64 now)
{
  g_autofree char *key = pair_key (account_key, address_key);
  gint64 *at = g_hash_table_lookup (sign_in->known, key);

  return at && now - *at <= KNOWN_FOR_MS;
}

/* Remembers a success; when full, drops pairs too old, then the oldest. */
static void
remember (SignIn *sign_in, const char *account_key, const char *address_key, gint64 now)
{
  char *key = pair_key (account_key, address_key);
  GHashTableIter iter;
  gpointer k, v;
  const char *oldest = NULL;
  gint64 oldest_at = G_MAXINT64;

  if (!g_hash_table_contains (sign_in->known, key)
      && g_hash_table_size (sign_in->known) >= KNOWN_MAX) {
    g_hash_table_iter_init (&iter, sign_in->known);
    while (g_hash_table_iter_next (&iter, &k, &v)) {
      gint64 at = *(gint64 *) v;
      if (now - at > KNOWN_FOR_MS)
        g_hash_table_iter_remove (&iter);
      else if (at < oldest_at) {
        oldest = k;
        oldest_at = at;
      }
    }
    if (g_hash_table_size (sign_in->known) >= KNOWN_MAX && oldest)
      g_hash_table_remove (sign_in->known, oldest);
  }
  g_hash_table_replace (sign_in->known, key, g_memdup2 (&now, sizeof now));
}

static gboolean on_hashed (gpointer data);

/* A worker: whether the password matches the hash (the dummy's for an
 * unknown username: the same work, always FALSE); the rest on the main
 * context, where everything of the attempt is freed. */
static void
hash_in_worker (gpointer data, gpointer pool_data)
{
  Attempt *attempt = data;
  gboolean match = vw_password_verify (attempt->password, attempt->hash);

  attempt->opens = match && attempt->account && !attempt->account->disabled;
  g_main_context_invoke (attempt->main_context, on_hashed, attempt);
}

static void
on_msg_gone (SoupServerMessage *msg, gpointer data)
{
  ((Attempt *) data)->gone = TRUE;
}

/* Back on the main context: the account's failures are forgotten after
 * the right password, the one counted for the address taken back; the
 * answer, unless the client left. */
static gboolean
on_hashed (gpointer data)
{
  Attempt *attempt = data;
  SignIn *sign_in = attempt->sign_in;

  sign_in->in_flight--;
  if (attempt->opens) {
    vw_throttle_reset (sign_in->by_account, attempt->account_key);
    vw_throttle_forgive (sign_in->by_address, attempt->address_key);
    remember (sign_in, attempt->account_key, attempt->address_key,
        vw_api_guess_now_ms ());
  }
  if (!attempt->gone && !attempt->opens) {
    g_message ("sign-in refused for '%.64s' from %s", attempt->user_shown,
        attempt->address_key);
    vw_api_send_error (attempt->msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
        "wrong username or password");
  } else if (!attempt->gone) {
    g_message ("%s (%s) signed in", attempt->account->username, attempt->account->role);
    respond_token (attempt, attempt->msg, attempt->account);
  }
  if (!attempt->gone)
    soup_server_message_unpause (attempt->msg);
  attempt_free (attempt);
  return G_SOURCE_REMOVE;
}

/* (transfer none) the sign-ins of @server, made on first use. */
static SignIn *
get_sign_in (SoupServer *server, VwApiContext *context)
{
  SignIn *sign_in = g_object_get_data (G_OBJECT (server), SIGN_IN_KEY);
  g_autoptr (GError) error = NULL;

  if (sign_in)
    return sign_in;
  guint workers = context->hash_workers ? context->hash_workers : DEFAULT_WORKERS;
  guint queue = context->hash_queue ? context->hash_queue : DEFAULT_QUEUE;
  sign_in = g_rc_box_new0 (SignIn);
  sign_in->limit = workers + queue;
  sign_in->pool = g_thread_pool_new (hash_in_worker, NULL, workers, FALSE, &error);
  if (!sign_in->pool)
    g_error ("cannot start the password workers: %s", error->message);
  sign_in->by_account = vw_api_guess_throttle_new (context, ACCOUNT_FREE_FAILURES);
  sign_in->by_address = vw_api_guess_throttle_new (context, ADDRESS_FREE_FAILURES);
  sign_in->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* Only timing matters: no account has this hash. */
  sign_in->dummy_hash = vw_password_hash ("no account has this password", &error);
  if (!sign_in->dummy_hash)
    g_error ("cannot hash a password: %s", error->message);   /* libxcrypt broken */
  g_object_set_data_full (G_OBJECT (server), SIGN_IN_KEY, sign_in, sign_in_release);
  return sign_in;
}

/* The throttle's key of a username: itself, or a digest of a long one
 * (keys are kept; a username has at most 64 bytes). */
static char *
account_key (const char *username)
{
  if (strlen (username) <= 64)
    return g_strdup (username);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, username, -1);
}

static void
on_login (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwApiContext *context = user_data;
  SignIn *sign_in = get_sign_in (server, context);
  g_autoptr (GError) error = NULL;

  if (!vw_api_require_method (msg, SOUP_METHOD_POST))
    return;
  g_autoptr (JsonObject) body = vw_api_read_json_object (msg);
  if (!body)
    return;
  const char *username = string_member (body, "username");
  const char *password = string_member (body, "password");
  if (!username || !password) {
    vw_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
        "username and password must be strings");
    return;
  }

  g_autofree char *by_account = account_key (username);
  g_autofree char *by_address = vw_api_guess_address_key (msg);
  gint64 now = vw_api_guess_now_ms ();
  gint64 wait = vw_throttle_wait_ms (sign_in->by_address, by_address, now);
  if (!is_known (sign_in, by_account, by_address, now))
    wait = MAX (wait, vw_throttle_wait_ms (sign_in->by_account, by_account, now));
  if (wait > 0) {
    g_autofree char *shown = vw_log_escape (username);
    g_message ("sign-in for '%.64s' from %s refused for %" G_GINT64_FORMAT
        " ms: too many failures", shown, by_address, wait);
    vw_api_guess_refuse (msg, wait);
    return;
  }
  if (sign_in->in_flight >= sign_in->limit) {
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
        "Retry-After", "1");
    vw_api_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy",
        "too many sign-ins at once: try again in a moment");
    return;
  }

  g_autoptr (VwStoreAccount) account = vw_store_get_account (context->store, username,
      &error);
  if (!account && !g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    g_warning ("sign-in: %s", error->message);
    vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
        "the store failed");
    return;
  }

  Attempt *attempt = g_new0 (Attempt, 1);
  attempt->sign_in = g_rc_box_acquire (sign_in);
  attempt->msg = g_object_ref (msg);
  attempt->password = g_strdup (password);
  attempt->account = g_steal_pointer (&account);
  attempt->hash = attempt->account ? attempt->account->password_hash
      : sign_in->dummy_hash;
  attempt->account_key = g_steal_pointer (&by_account);
  attempt->user_shown = vw_log_escape (username);
  attempt->address_key = g_steal_pointer (&by_address);
  memcpy (attempt->token_key, context->token_key, sizeof attempt->token_key);
  attempt->token_lifetime_s = context->token_lifetime_s;
  g_signal_connect (msg, "finished", G_CALLBACK (on_msg_gone), attempt);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_msg_gone), attempt);

  /* A failure until the password turns out right. */
  vw_throttle_fail (sign_in->by_account, attempt->account_key, now);
  vw_throttle_fail (sign_in->by_address, attempt->address_key, now);
  sign_in->in_flight++;
  attempt->main_context = g_main_context_ref_thread_default ();
  soup_server_message_pause (msg);
  if (!g_thread_pool_push (sign_in->pool, attempt, &error)) {
    g_warning ("sign-in: no worker: %s", error->message);
    attempt->opens = FALSE;
    g_main_context_invoke (attempt->main_context, on_hashed, attempt);
  }
}

/* POST /api/logout: the browser forgets its cookie (Max-Age=0), and when
 * the request carries a current token, its account is signed out: every
 * token given to it until now is void (a copy kept elsewhere included;
 * the account's other open pages must sign in again).  Without a token it
 * only clears the cookie. */
static void
on_logout (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwApiContext *context = user_data;
  g_autoptr (GError) error = NULL;

  if (!vw_api_require_method (msg, SOUP_METHOD_POST))
    return;
  g_autoptr (VwTokenClaims) claims = vw_api_peek_token (context, msg);
  if (claims && !vw_store_sign_out_account (context->store, claims->username,
          MAX (g_get_real_time () / 1000, claims->issued_at + 1), &error)
      && !g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    g_warning ("signing %s out: %s", claims->username, error->message);
    vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
        "the store failed");
    return;
  }
  if (claims)
    g_message ("%s (%s) signed out", claims->username, claims->role);
  soup_message_headers_append (soup_server_message_get_response_headers (msg),
      "Set-Cookie", "vw_token=; Path=/api/; HttpOnly; SameSite=Strict; Max-Age=0");
  g_autoptr (JsonObject) body = json_object_new ();
  json_object_set_boolean_member (body, "signed_out", TRUE);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

void
vw_api_auth_register (SoupServer *server, VwApiContext *context)
{
  get_sign_in (server, context);   /* the dummy hash made now, not at the first sign-in */
  vw_api_add_handler (server, "/api/login", on_login, context);
  vw_api_add_handler (server, "/api/logout", on_logout, context);
}
