/* test-guessing: guessing secrets against a real vw-server (rows 6 and 10
 * of "the front door").
 *
 * Sign-in: after 5 wrong passwords an account waits (429 with Retry-After
 * and too-many-attempts), the right password too, until the wait is over;
 * an unknown username is answered exactly like a wrong password, and waits
 * alike; an address waits after 20 failures, whichever accounts they were
 * for; guessing from elsewhere does not keep the owner out at an address
 * they signed in from before; passwords are hashed off the main loop, so that /api/status is
 * answered while many sign-ins are still being checked; beyond the
 * workers and their queue a sign-in is answered 503 busy at once.
 *
 * Booking codes: 16 characters of the alphabet without 0, O, 1, I, L, in
 * groups of four; what a code shows of its holder is masked; after 10
 * unknown codes an address waits (429), for a known code too, for a list
 * of codes, for a cancellation, until the wait is over.
 *
 * The server runs with --backoff-ms 300 (the first wait, so that it ends
 * within the test) and one password worker. */
#include "vw-test-util.h"

#include <string.h>

#define HUANGPU "黄浦区政务服务中心"

typedef struct {
  VwTestServer *server;
  char *password;   /* zhangmin's */
} Fixture;

static void
start (Fixture *f, const char *queue)
{
  const char *args[] = { "--backoff-ms", "300", "--hash-workers", "1", "--hash-queue",
    queue, NULL };
  g_autoptr (GError) error = NULL;

  f->server = vw_test_server_start (args);
  g_autofree char *file = vw_test_server_add_account (f->server, "zhangmin", "agent",
      "张敏", "shanghai", HUANGPU, NULL);
  g_file_get_contents (file, &f->password, NULL, &error);
  g_assert_no_error (error);
  g_strchomp (f->password);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  start (f, data ? data : "64");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_test_server_stop (f->server);
  g_free (f->password);
}

/* POST /api/login; the status, the body (transfer full) and the
 * Retry-After header (0 if none). */
static JsonObject *
login (Fixture *f, const char *user, const char *password, guint *status,
    guint *retry_after)
{
  g_autofree char *url = g_strconcat (f->server->url, "api/login", NULL);
  g_autofree char *body = g_strdup_printf ("{\"username\": \"%s\", \"password\": \"%s\"}",
      user, password);
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autoptr (GBytes) response = vw_test_http ("POST", url, NULL, body, -1, status,
      &headers);
  const char *after = soup_message_headers_get_one (headers, "Retry-After");

  if (retry_after)
    *retry_after = after ? (guint) g_ascii_strtoull (after, NULL, 10) : 0;
  return vw_test_json_object (g_steal_pointer (&response));
}

static void
assert_refused (JsonObject *o, guint status, guint retry_after)
{
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, "too-many-attempts");
  g_assert_cmpuint (retry_after, >=, 1);
  g_assert_cmpint (json_object_get_int_member (o, "retry_after"), ==, retry_after);
}

/* Five wrong passwords, then a wait: the right password is refused during
 * it, and works after it; a success forgets the account's failures. */
static void
test_account_back_off (Fixture *f, gconstpointer data)
{
  guint status = 0, retry_after = 0;
  g_autofree char *wrong_body = NULL;

  for (guint i = 0; i < 5; i++) {
    g_autoptr (JsonObject) o = login (f, "zhangmin", "not the password", &status,
        &retry_after);
    g_assert_cmpuint (status, ==, 401);
    g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, "unauthorized");
    g_assert_cmpuint (retry_after, ==, 0);
    if (!wrong_body)
      wrong_body = json_to_string (json_node_init_object (json_node_alloc (), o), FALSE);
  }
  g_autoptr (JsonObject) sixth = login (f, "zhangmin", "not the password either", &status,
      &retry_after);
  assert_refused (sixth, status, retry_after);
  g_autoptr (JsonObject) right = login (f, "zhangmin", f->password, &status, &retry_after);
  assert_refused (right, status, retry_after);
  g_assert_null (json_object_get_member (right, "token"));

  /* After the wait the server named, the right password opens. */
  vw_test_run_for (retry_after * 1000);
  g_autoptr (JsonObject) later = login (f, "zhangmin", f->password, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (json_object_get_string_member (later, "token"));
  /* ... and the account starts again from 0: a wrong password is a 401. */
  g_autoptr (JsonObject) again = login (f, "zhangmin", "not the password", &status, NULL);
  g_assert_cmpuint (status, ==, 401);

  /* An unknown username: the same answer as a wrong password, byte for
   * byte, and the same wait after five. */
  for (guint i = 0; i < 5; i++) {
    g_autoptr (JsonObject) o = login (f, "nobody", "not the password", &status, NULL);
    g_assert_cmpuint (status, ==, 401);
    g_autofree char *text = json_to_string (json_node_init_object (json_node_alloc (), o),
        FALSE);
    g_assert_cmpstr (text, ==, wrong_body);
  }
  g_autoptr (JsonObject) unknown = login (f, "nobody", "x", &status, &retry_after);
  assert_refused (unknown, status, retry_after);
  /* Other accounts are not held up by it. */
  g_autoptr (JsonObject) other = login (f, "zhangmin", f->password, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
}

/* One address, twenty usernames: the address waits after 20 failures,
 * for any account, the right password included. */
static void
test_address_back_off (Fixture *f, gconstpointer data)
{
  guint status = 0, retry_after = 0;

  for (guint i = 0; i < 20; i++) {
    g_autofree char *user = g_strdup_printf ("guess%02u", i);
    g_autoptr (JsonObject) o = login (f, user, "123456", &status, NULL);
    g_assert_cmpuint (status, ==, 401);
  }
  g_autoptr (JsonObject) next = login (f, "guess20", "123456", &status, &retry_after);
  assert_refused (next, status, retry_after);
  g_autoptr (JsonObject) right = login (f, "zhangmin", f->password, &status, &retry_after);
  assert_refused (right, status, retry_after);
  vw_test_run_for (retry_after * 1000);
  g_autoptr (JsonObject) later = login (f, "zhangmin", f->password, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
}

/* POST /api/login from the loopback address @local ("127.0.0.2"); the
 * status. */
static guint
login_from (Fixture *f, const char *local, const char *user, const char *password)
{
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string (local, 0);
  g_autoptr (SoupSession) session = soup_session_new_with_options ("local-address",
      address, NULL);
  g_autofree char *url = g_strconcat (f->server->url, "api/login", NULL);
  g_autofree char *body = g_strdup_printf ("{\"username\": \"%s\", \"password\": \"%s\"}",
      user, password);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GError) error = NULL;
  response = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (msg);
}

/* Someone guessing at zhangmin's password from elsewhere makes the account
 * wait, but not at the address zhangmin signed in from before: the owner
 * is not kept out. */
static void
test_known_address (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (login_from (f, "127.0.0.1", "zhangmin", f->password), ==, 200);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (login_from (f, "127.0.0.2", "zhangmin", "123456"), ==, 401);
  g_assert_cmpuint (login_from (f, "127.0.0.2", "zhangmin", "1234567"), ==, 429);
  /* A third address: the account waits there, the right password too. */
  g_assert_cmpuint (login_from (f, "127.0.0.3", "zhangmin", f->password), ==, 429);
  /* Where zhangmin signed in before: in. */
  g_assert_cmpuint (login_from (f, "127.0.0.1", "zhangmin", f->password), ==, 200);
}

/* ---- many sign-ins at once ---- */

typedef struct {
  guint sent, written, answered;
  guint order;          /* answers so far */
  guint status_order;   /* the place of /api/status among the answers, 0: not yet */
  guint statuses[600];  /* by HTTP status: how many */
} Flight;

static void
on_wrote_body (SoupMessage *msg, gpointer data)
{
  ((Flight *) data)->written++;
}

static void
on_sign_in_done (GObject *session, GAsyncResult *res, gpointer data)
{
  Flight *flight = data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (session), res);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (session), res,
      &error);

  g_assert_no_error (error);
  flight->order++;
  flight->answered++;
  flight->statuses[MIN (soup_message_get_status (msg), 599)]++;
}

static void
on_status_done (GObject *session, GAsyncResult *res, gpointer data)
{
  Flight *flight = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (session), res,
      &error);

  g_assert_no_error (error);
  flight->order++;
  flight->status_order = flight->order;
}

static gboolean
all_written (gpointer data)
{
  Flight *flight = data;
  return flight->written == flight->sent;
}

static gboolean
all_answered (gpointer data)
{
  Flight *flight = data;
  return flight->answered == flight->sent && flight->status_order;
}

/* @n sign-ins of unknown usernames sent at once on their own connections
 * (each is a password to hash), then, once they are all sent, GET
 * /api/status. */
static void
fly (Fixture *f, SoupSession *session, Flight *flight, guint n)
{
  g_autofree char *url = g_strconcat (f->server->url, "api/login", NULL);

  for (guint i = 0; i < n; i++) {
    g_autofree char *body = g_strdup_printf ("{\"username\": \"many%02u\","
        " \"password\": \"not the password\"}", i);
    g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    g_signal_connect (msg, "wrote-body", G_CALLBACK (on_wrote_body), flight);
    soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
        on_sign_in_done, flight);
    flight->sent++;
  }
  g_assert_true (vw_test_wait_until (all_written, flight, 20000));
  g_autofree char *status_url = g_strconcat (f->server->url, "api/status", NULL);
  g_autoptr (SoupMessage) status = soup_message_new ("GET", status_url);
  soup_session_send_and_read_async (session, status, G_PRIORITY_DEFAULT, NULL,
      on_status_done, flight);
  g_assert_true (vw_test_wait_until (all_answered, flight, 30000));
}

static SoupSession *
wide_session (void)
{
  return soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 64,
      "timeout", 30, NULL);
}

/* Sixteen passwords to hash, one worker: /api/status is answered before
 * they are all checked (the main loop never hashes). */
static void
test_off_main_loop (Fixture *f, gconstpointer data)
{
  g_autoptr (SoupSession) session = wide_session ();
  Flight flight = { 0 };

  fly (f, session, &flight, 16);
  g_test_message ("/api/status was answer %u of %u", flight.status_order, flight.order);
  g_assert_cmpuint (flight.status_order, <, flight.order);
  g_assert_cmpuint (flight.statuses[401], ==, 16);
}

/* One worker, a queue of 2: of sixteen sent at once, those beyond three
 * are answered 503 busy (not counted as failures), the others 401. */
static void
test_busy (Fixture *f, gconstpointer data)
{
  g_autoptr (SoupSession) session = wide_session ();
  Flight flight = { 0 };
  guint status = 0, retry_after = 0;

  fly (f, session, &flight, 16);
  g_test_message ("401: %u, 503: %u", flight.statuses[401], flight.statuses[503]);
  g_assert_cmpuint (flight.statuses[401] + flight.statuses[503], ==, 16);
  g_assert_cmpuint (flight.statuses[401], >=, 3);
  g_assert_cmpuint (flight.statuses[503], >=, 1);
  g_assert_cmpuint (flight.status_order, <, flight.order);
  /* The right password works at once after (busy is no failure). */
  g_autoptr (JsonObject) o = login (f, "zhangmin", f->password, &status, &retry_after);
  g_assert_cmpuint (status, ==, 200);
}

/* ---- booking codes ---- */

/* One request; the body (nullable), the status and Retry-After. */
static JsonObject *
call (Fixture *f, const char *method, const char *path, const char *token,
    const char *body, guint *status, guint *retry_after)
{
  g_autofree char *url = g_strconcat (f->server->url, path, NULL);
  g_autofree char *bearer = token ? g_strconcat ("Bearer ", token, NULL) : NULL;
  const char *headers[] = { "Authorization", bearer, NULL };
  g_autoptr (SoupMessageHeaders) response_headers = NULL;
  g_autoptr (GBytes) response = vw_test_http (method, url, token ? headers : NULL, body,
      -1, status, &response_headers);
  const char *after = soup_message_headers_get_one (response_headers, "Retry-After");
  gsize len = 0;

  if (retry_after)
    *retry_after = after ? (guint) g_ascii_strtoull (after, NULL, 10) : 0;
  g_bytes_get_data (response, &len);
  return len ? vw_test_json_object (g_steal_pointer (&response)) : NULL;
}

/* A slot tomorrow and 张敏's booking of it: its code (transfer full). */
static char *
book_zhang (Fixture *f)
{
  g_free (vw_test_server_add_account (f->server, "admin-sh", "admin", "陈刚", "shanghai",
      HUANGPU, NULL));
  g_autofree char *admin = vw_test_server_token (f->server, "admin-sh");
  gint64 tomorrow = (g_get_real_time () / 1000 / 60000 + 24 * 60) * 60000;
  g_autofree char *slot = g_strdup_printf ("{\"center\": \"" HUANGPU "\","
      " \"province\": \"shanghai\", \"item\": \"QY-SL-001\", \"starts_at\": %"
      G_GINT64_FORMAT ", \"ends_at\": %" G_GINT64_FORMAT ", \"capacity\": 5}",
      tomorrow, tomorrow + 30 * 60000);
  guint status = 0;
  g_autoptr (JsonObject) made = call (f, "POST", "api/slots", admin, slot, &status, NULL);
  g_assert_cmpuint (status, ==, 201);
  g_autofree char *booking = g_strdup_printf ("{\"slot\": %" G_GINT64_FORMAT ","
      " \"name\": \"张敏\", \"kind\": \"citizen\", \"contact\": \"13812345678\"}",
      json_object_get_int_member (made, "id"));
  g_autoptr (JsonObject) booked = call (f, "POST", "api/appointments", NULL, booking,
      &status, NULL);
  g_assert_cmpuint (status, ==, 201);
  /* Who booked sees what they sent. */
  g_assert_cmpstr (json_object_get_string_member (booked, "name"), ==, "张敏");
  g_assert_cmpstr (json_object_get_string_member (booked, "contact"), ==, "13812345678");
  return g_strdup (json_object_get_string_member (booked, "code"));
}

/* Codes long enough, grouped, and masking what they show. */
static void
test_code_shape (Fixture *f, gconstpointer data)
{
  g_autofree char *code = book_zhang (f);
  guint status = 0;

  g_assert_cmpuint (strlen (code), ==, 16);   /* 16 x log2 (31) = 79 bits */
  for (const char *p = code; *p; p++)
    g_assert_nonnull (strchr ("ABCDEFGHJKMNPQRSTUVWXYZ23456789", *p));
  g_autofree char *grouped = g_strdup_printf ("api/appointments/%.4s-%.4s-%.4s-%.4s", code,
      code + 4, code + 8, code + 12);
  g_autoptr (JsonObject) o = call (f, "GET", grouped, NULL, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "张*");
  g_assert_cmpstr (json_object_get_string_member (o, "contact"), ==, "138****5678");
  g_autofree char *listed = g_strdup_printf ("api/appointments?codes=%s", code);
  g_autoptr (JsonObject) list = call (f, "GET", listed, NULL, NULL, &status, NULL);
  JsonObject *first = json_array_get_object_element (
      json_object_get_array_member (list, "appointments"), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "contact"), ==, "138****5678");
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "张*");
}

/* Ten unknown codes from one address, then a wait for every use of a
 * code, the right one included; after it, the right code works. */
static void
test_code_back_off (Fixture *f, gconstpointer data)
{
  g_autofree char *code = book_zhang (f);
  g_autofree char *path = g_strdup_printf ("api/appointments/%s", code);
  guint status = 0, retry_after = 0;

  for (guint i = 0; i < 10; i++) {
    g_autofree char *guess = g_strdup_printf ("api/appointments/ABCDEFGHJKMNPQ%c%c",
        "23456789"[i % 8], "ABCDEFGHJK"[i]);
    g_autoptr (JsonObject) o = call (f, i % 2 ? "DELETE" : "GET", guess, NULL, NULL,
        &status, NULL);
    g_assert_cmpuint (status, ==, 404);
  }
  g_autoptr (JsonObject) next = call (f, "GET", "api/appointments/ABCDEFGHJKMNPQRS",
      NULL, NULL, &status, &retry_after);
  assert_refused (next, status, retry_after);
  g_autoptr (JsonObject) right = call (f, "GET", path, NULL, NULL, &status, &retry_after);
  assert_refused (right, status, retry_after);
  g_autoptr (JsonObject) cancel = call (f, "DELETE", path, NULL, NULL, &status,
      &retry_after);
  assert_refused (cancel, status, retry_after);
  g_autofree char *listed = g_strdup_printf ("api/appointments?codes=%s", code);
  g_autoptr (JsonObject) list = call (f, "GET", listed, NULL, NULL, &status, &retry_after);
  assert_refused (list, status, retry_after);

  vw_test_run_for (retry_after * 1000);
  g_autoptr (JsonObject) later = call (f, "GET", path, NULL, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (later, "state"), ==, "booked");

  /* A list: its unknown codes count one by one; the one that makes the
   * address wait makes the whole answer a 429, found codes or not. */
  g_autoptr (GString) many = g_string_new ("api/appointments?codes=");
  g_string_append (many, code);
  for (guint i = 0; i < 19; i++)
    g_string_append_printf (many, ",ABCDEFGHJKMNPQ%c%c", "23456789"[i % 8],
        "ABCDEFGHJKMNPQRSTUV"[i]);
  g_autoptr (JsonObject) guesses = call (f, "GET", many->str, NULL, NULL, &status,
      &retry_after);
  assert_refused (guesses, status, retry_after);
  g_assert_null (json_object_get_member (guesses, "appointments"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/guessing/sign-in/account-back-off", NULL, test_account_back_off);
  ADD ("/guessing/sign-in/address-back-off", NULL, test_address_back_off);
  ADD ("/guessing/sign-in/known-address", NULL, test_known_address);
  ADD ("/guessing/sign-in/off-main-loop", NULL, test_off_main_loop);
  ADD ("/guessing/sign-in/busy", "2", test_busy);
  ADD ("/guessing/codes/shape", NULL, test_code_shape);
  ADD ("/guessing/codes/back-off", NULL, test_code_back_off);
#undef ADD
  return g_test_run ();
}
