/* test-appointments.c: appointments (我要约) through the HTTP API of a real
 * vw-server: who may create slots (administrators; supervisors for the
 * centres of their scope), bad slots refused, anyone lists and books them
 * up to capacity, holders list, read and cancel their bookings by code, a
 * centre's staff list its day within their scope, and a slot that has
 * started (made in the store while the server is down, since the API
 * refuses slots in the past) can no longer be booked or cancelled, while
 * one that ended is swept to no-show when the server starts.
 *
 * The accounts: administrator admin-sh (陈刚); agent zhangmin (张敏) and
 * supervisor wangfang (王芳, scope centre), both of 黄浦区政务服务中心;
 * supervisor liuyang (刘洋, scope province Shanghai, 青浦区行政服务中心);
 * supervisor zhoujie (周杰, scope centre, 嘉善县行政服务中心, Zhejiang).
 * The slots are tomorrow (CST) for 企业设立 (QY-SL-001).
 */
#include "vw-store-appointments.h"
#include "vw-store-audit.h"
#include "vw-calendar.h"
#include "vw-test-util.h"

#include <string.h>

#define HUANGPU "黄浦区政务服务中心"
#define QINGPU "青浦区行政服务中心"
#define JIASHAN "嘉善县行政服务中心"
#define MINUTE ((gint64) 60 * 1000)
#define HOUR (60 * MINUTE)

typedef struct {
  VwTestServer *server;
  char *admin, *agent, *supervisor, *province_supervisor, *zhejiang;   /* tokens */
  gint64 tomorrow;      /* unix ms of tomorrow's 00:00 CST */
  char *tomorrow_date;  /* YYYY-MM-DD */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->server = vw_test_server_start (NULL);
  g_free (vw_test_server_add_account (f->server, "admin-sh", "admin", "陈刚",
      "shanghai", HUANGPU, NULL));
  g_free (vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", HUANGPU, NULL));
  g_free (vw_test_server_add_account (f->server, "wangfang", "supervisor", "王芳",
      "shanghai", HUANGPU, "center"));
  g_free (vw_test_server_add_account (f->server, "liuyang", "supervisor", "刘洋",
      "shanghai", QINGPU, "province"));
  g_free (vw_test_server_add_account (f->server, "zhoujie", "supervisor", "周杰",
      "zhejiang", JIASHAN, "center"));
  f->admin = vw_test_server_token (f->server, "admin-sh");
  f->agent = vw_test_server_token (f->server, "zhangmin");
  f->supervisor = vw_test_server_token (f->server, "wangfang");
  f->province_supervisor = vw_test_server_token (f->server, "liuyang");
  f->zhejiang = vw_test_server_token (f->server, "zhoujie");
  f->tomorrow = vw_calendar_day_start (vw_calendar_day_of (g_get_real_time () / 1000) + 1);
  f->tomorrow_date = vw_calendar_format_date (f->tomorrow);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->server)
    vw_test_server_stop (f->server);
  g_free (f->admin);
  g_free (f->agent);
  g_free (f->supervisor);
  g_free (f->province_supervisor);
  g_free (f->zhejiang);
  g_free (f->tomorrow_date);
}

/* One request with @token (nullable) as Bearer; the body as a JSON object
 * (or NULL if none); the status in @status. */
static JsonObject *
call (VwTestServer *server, const char *method, const char *path, const char *token,
    const char *body, guint *status)
{
  g_autofree char *u = g_strconcat (server->url, path, NULL);   /* url ends with '/' */
  g_autofree char *bearer = token ? g_strconcat ("Bearer ", token, NULL) : NULL;
  const char *headers[] = { "Authorization", bearer, NULL };
  g_autoptr (GBytes) response = vw_test_http (method, u, token ? headers : NULL, body,
      -1, status, NULL);
  gsize len = 0;

  g_bytes_get_data (response, &len);
  return len ? vw_test_json_object (g_steal_pointer (&response)) : NULL;
}

/* The body of a slot at @center of @province tomorrow from @hour:@minute for
 * @minutes, for @capacity.  (transfer full) */
static char *
slot_body (Fixture *f, const char *center, const char *province, const char *item,
    int hour, int minute, int minutes, int capacity)
{
  gint64 starts = f->tomorrow + hour * HOUR + minute * MINUTE;

  return g_strdup_printf ("{\"center\": \"%s\", \"province\": \"%s\", \"item\": \"%s\","
      " \"starts_at\": %" G_GINT64_FORMAT ", \"ends_at\": %" G_GINT64_FORMAT ","
      " \"capacity\": %d}", center, province, item, starts, starts + minutes * MINUTE,
      capacity);
}

/* Creates a slot as @token expecting @want; its id (0 unless 201). */
static gint64
create_slot (Fixture *f, const char *token, const char *body, guint want)
{
  guint status = 0;
  g_autoptr (JsonObject) o = call (f->server, "POST", "api/slots", token, body, &status);

  if (status != want)
    g_test_message ("%s", o ? json_object_get_string_member_with_default (o, "message",
            "") : "");
  g_assert_cmpuint (status, ==, want);
  if (want != 201) {
    g_assert_nonnull (o);
    g_assert_true (json_object_has_member (o, "error"));
    g_assert_true (json_object_has_member (o, "message"));
    return 0;
  }
  return json_object_get_int_member (o, "id");
}

/* Books @slot; the answer (transfer full), the status in @status. */
static JsonObject *
book (Fixture *f, gint64 slot, const char *name, const char *kind, guint *status)
{
  g_autofree char *body = g_strdup_printf ("{\"slot\": %" G_GINT64_FORMAT ","
      " \"name\": \"%s\", \"kind\": \"%s\"}", slot, name, kind);

  return call (f->server, "POST", "api/appointments", NULL, body, status);
}

/* Books @slot expecting 201; the code (transfer full). */
static char *
book_code (Fixture *f, gint64 slot, const char *name)
{
  guint status = 0;
  g_autoptr (JsonObject) o = book (f, slot, name, "citizen", &status);

  g_assert_cmpuint (status, ==, 201);
  return g_strdup (json_object_get_string_member (o, "code"));
}

static JsonObject *
find_slot (JsonObject *list, gint64 id)
{
  JsonArray *slots = json_object_get_array_member (list, "slots");

  for (guint i = 0; i < json_array_get_length (slots); i++) {
    JsonObject *s = json_array_get_object_element (slots, i);
    if (json_object_get_int_member (s, "id") == id)
      return s;
  }
  return NULL;
}

static const char *
error_code (JsonObject *o)
{
  return json_object_get_string_member (o, "error");
}

/* ---- slots ---- */

static void
test_create_slots (Fixture *f, gconstpointer data)
{
  g_autofree char *huangpu = slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 30, 30, 5);
  g_autofree char *qingpu = slot_body (f, QINGPU, "shanghai", "QY-SL-001", 10, 0, 30, 3);
  guint status = 0;

  /* Administrators anywhere; supervisors within their scope. */
  gint64 by_admin = create_slot (f, f->admin, huangpu, 201);
  gint64 by_supervisor = create_slot (f, f->supervisor, huangpu, 201);
  gint64 by_province = create_slot (f, f->province_supervisor, huangpu, 201);
  gint64 at_qingpu = create_slot (f, f->province_supervisor, qingpu, 201);
  create_slot (f, f->supervisor, qingpu, 403);      /* another centre */
  create_slot (f, f->zhejiang, huangpu, 403);       /* another province */
  create_slot (f, f->agent, huangpu, 403);
  create_slot (f, NULL, huangpu, 401);
  create_slot (f, "forged", huangpu, 401);

  /* Times may be ISO 8601 text, UTC+8 unless it says otherwise. */
  g_autofree char *iso = g_strdup_printf ("{\"center\": \"" HUANGPU "\", \"province\":"
      " \"shanghai\", \"item\": \"QY-SL-001\", \"starts_at\": \"%sT14:00\","
      " \"ends_at\": \"%sT06:30:00Z\", \"capacity\": 1}", f->tomorrow_date,
      f->tomorrow_date);
  gint64 by_text = create_slot (f, f->admin, iso, 201);

  /* Anyone lists them, by start. */
  g_autoptr (JsonObject) list = call (f->server, "GET", "api/slots", NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "slots")),
      ==, 5);
  JsonObject *s = find_slot (list, by_admin);
  g_assert_nonnull (s);
  g_assert_cmpstr (json_object_get_string_member (s, "center"), ==, HUANGPU);
  g_assert_cmpstr (json_object_get_string_member (s, "province"), ==, "shanghai");
  g_assert_cmpstr (json_object_get_string_member (s, "item"), ==, "QY-SL-001");
  g_assert_cmpstr (json_object_get_string_member (s, "item_name"), ==, "企业设立");
  g_assert_cmpint (json_object_get_int_member (s, "starts_at"), ==,
      f->tomorrow + 9 * HOUR + 30 * MINUTE);
  g_autofree char *starts_iso = g_strdup_printf ("%sT09:30:00+08:00", f->tomorrow_date);
  g_assert_cmpstr (json_object_get_string_member (s, "starts_at_iso"), ==, starts_iso);
  g_assert_cmpint (json_object_get_int_member (s, "capacity"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (s, "booked"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (s, "remaining"), ==, 5);
  g_assert_true (json_object_get_boolean_member (s, "bookable"));
  JsonObject *t = find_slot (list, by_text);
  g_assert_cmpint (json_object_get_int_member (t, "starts_at"), ==, f->tomorrow + 14 * HOUR);
  g_assert_cmpint (json_object_get_int_member (t, "ends_at"), ==,
      f->tomorrow + 14 * HOUR + 30 * MINUTE);
  g_assert_nonnull (find_slot (list, by_supervisor));
  g_assert_nonnull (find_slot (list, by_province));

  /* Filters. */
  const struct { const char *query; guint n; } filters[] = {
    { "api/slots?center=" QINGPU, 1 },
    { "api/slots?item=QY-SL-001&province=shanghai", 5 },
    { "api/slots?item=SP-JY-004", 0 },
    { "api/slots?province=zhejiang", 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++) {
    g_autoptr (JsonObject) l = call (f->server, "GET", filters[i].query, NULL, NULL,
        &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (l, "slots")),
        ==, filters[i].n);
  }
  g_autofree char *dated = g_strdup_printf ("api/slots?from=%s&to=%s", f->tomorrow_date,
      f->tomorrow_date);
  g_autoptr (JsonObject) day = call (f->server, "GET", dated, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (day, "slots")),
      ==, 5);
  g_assert_nonnull (find_slot (day, at_qingpu));

  /* Bad queries. */
  const char *bad_queries[] = { "api/slots?when=today", "api/slots?from=2026-13-01",
    "api/slots?from=2026-11-23&to=2026-11-22" };
  for (guint i = 0; i < G_N_ELEMENTS (bad_queries); i++) {
    g_autoptr (JsonObject) o = call (f->server, "GET", bad_queries[i], NULL, NULL, &status);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (error_code (o), ==, "bad-request");
  }
  g_autoptr (JsonObject) put = call (f->server, "PUT", "api/slots", f->admin, huangpu,
      &status);
  g_assert_cmpuint (status, ==, 405);
}

static void
test_bad_slots (Fixture *f, gconstpointer data)
{
  g_autofree char *past = g_strdup_printf ("{\"center\": \"" HUANGPU "\", \"province\":"
      " \"shanghai\", \"item\": \"QY-SL-001\", \"starts_at\": %" G_GINT64_FORMAT ","
      " \"ends_at\": %" G_GINT64_FORMAT ", \"capacity\": 5}", f->tomorrow - 48 * HOUR,
      f->tomorrow - 47 * HOUR);
  struct { const char *what; char *body; const char *words; } cases[] = {
    { "not JSON", g_strdup ("{"), NULL },
    { "unknown item", slot_body (f, HUANGPU, "shanghai", "XX-404", 9, 0, 30, 5),
      "no item" },
    { "not handled in the province", slot_body (f, "吴江区政务服务中心", "jiangsu",
        "CS-YJS-007", 9, 0, 30, 5), "not handled in jiangsu" },
    { "unknown province", slot_body (f, HUANGPU, "beijing", "QY-SL-001", 9, 0, 30, 5),
      "none of shanghai" },
    { "ends before it starts", slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 0, -30,
        5), "end after" },
    { "five hours", slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 0, 300, 5),
      "4 hours" },
    { "capacity 0", slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 0, 30, 0),
      "capacity" },
    { "capacity 101", slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 0, 30, 101),
      "capacity" },
    { "in the past", g_steal_pointer (&past), "past" },
    { "no centre", g_strdup ("{\"province\": \"shanghai\", \"item\": \"QY-SL-001\","
        " \"starts_at\": 1, \"ends_at\": 2, \"capacity\": 1}"), "center" },
    { "time as words", g_strdup ("{\"center\": \"" HUANGPU "\", \"province\": \"shanghai\","
        " \"item\": \"QY-SL-001\", \"starts_at\": \"tomorrow 9am\", \"ends_at\": 2,"
        " \"capacity\": 1}"), "starts_at" },
    { "an unknown field", g_strdup ("{\"center\": \"" HUANGPU "\", \"province\":"
        " \"shanghai\", \"item\": \"QY-SL-001\", \"starts_at\": 1, \"ends_at\": 2,"
        " \"capacity\": 1, \"agent\": \"zhangmin\"}"), "unknown field" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint status = 0;
    g_test_message ("%s", cases[i].what);
    g_autoptr (JsonObject) o = call (f->server, "POST", "api/slots", f->admin,
        cases[i].body, &status);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (error_code (o), ==, "bad-request");
    g_test_message ("  %s", json_object_get_string_member (o, "message"));
    if (cases[i].words)
      g_assert_nonnull (strstr (json_object_get_string_member (o, "message"),
          cases[i].words));
    g_free (cases[i].body);
  }
  guint status = 0;
  g_autoptr (JsonObject) list = call (f->server, "GET", "api/slots", NULL, NULL, &status);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "slots")),
      ==, 0);
}

/* Slots whose times are outside the years a slot may have: 400
 * slot-out-of-range, nothing stored.  The first is the report's: a slot at
 * 9223372036854000000 ms was accepted and bookable. */
static void
test_slot_times (Fixture *f, gconstpointer data)
{
  const gint64 far = G_GINT64_CONSTANT (9223372036854000000);
  const gint64 now = g_get_real_time () / 1000 / MINUTE * MINUTE;
  const gint64 horizon = 731 * 24 * HOUR;
  const struct { const char *what; gint64 starts, ends; } cases[] = {
    { "at the end of gint64", far, far + MINUTE },
    { "in 2100", 4102416000000 + HOUR, 4102416000000 + 2 * HOUR },
    { "ten years ahead", now + 10 * 365 * 24 * HOUR, now + 10 * 365 * 24 * HOUR + HOUR },
    { "two years and a day ahead", now + horizon + 24 * HOUR,
      now + horizon + 25 * HOUR },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint status = 0;
    g_autofree char *body = g_strdup_printf ("{\"center\": \"" HUANGPU "\","
        " \"province\": \"shanghai\", \"item\": \"QY-SL-001\", \"starts_at\": %"
        G_GINT64_FORMAT ", \"ends_at\": %" G_GINT64_FORMAT ", \"capacity\": 5}",
        cases[i].starts, cases[i].ends);
    g_test_message ("%s", cases[i].what);
    g_autoptr (JsonObject) o = call (f->server, "POST", "api/slots", f->admin, body,
        &status);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (error_code (o), ==, "slot-out-of-range");
    g_test_message ("  %s", json_object_get_string_member (o, "message"));
  }
  /* A year ahead is fine. */
  g_autofree char *year = g_strdup_printf ("{\"center\": \"" HUANGPU "\","
      " \"province\": \"shanghai\", \"item\": \"QY-SL-001\", \"starts_at\": %"
      G_GINT64_FORMAT ", \"ends_at\": %" G_GINT64_FORMAT ", \"capacity\": 5}",
      f->tomorrow + 365 * 24 * HOUR, f->tomorrow + 365 * 24 * HOUR + HOUR);
  create_slot (f, f->admin, year, 201);
  guint status = 0;
  g_autoptr (JsonObject) list = call (f->server, "GET", "api/slots", NULL, NULL, &status);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "slots")),
      ==, 1);
}

/* ---- booking ---- */

static void
test_book (Fixture *f, gconstpointer data)
{
  g_autofree char *body = slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 30, 30, 2);
  gint64 slot = create_slot (f, f->admin, body, 201);
  guint status = 0;

  g_autofree char *enterprise = g_strdup_printf ("{\"slot\": %" G_GINT64_FORMAT ","
      " \"name\": \"嘉兴禾丰食品有限公司\", \"kind\": \"enterprise\","
      " \"contact\": \"0573-84012345\"}", slot);
  g_autoptr (JsonObject) first = call (f->server, "POST", "api/appointments", NULL,
      enterprise, &status);
  g_assert_cmpuint (status, ==, 201);
  const char *code = json_object_get_string_member (first, "code");
  g_assert_cmpuint (strlen (code), ==, 16);
  g_autofree char *grouped = g_strdup_printf ("%.4s-%.4s-%.4s-%.4s", code, code + 4,
      code + 8, code + 12);
  g_assert_cmpstr (json_object_get_string_member (first, "code_shown"), ==, grouped);
  g_assert_cmpint (json_object_get_int_member (first, "slot"), ==, slot);
  g_assert_cmpstr (json_object_get_string_member (first, "item"), ==, "QY-SL-001");
  g_assert_cmpstr (json_object_get_string_member (first, "center"), ==, HUANGPU);
  g_assert_cmpint (json_object_get_int_member (first, "starts_at"), ==,
      f->tomorrow + 9 * HOUR + 30 * MINUTE);
  g_assert_cmpint (json_object_get_int_member (first, "ends_at"), ==,
      f->tomorrow + 10 * HOUR);
  g_assert_cmpstr (json_object_get_string_member (first, "state"), ==, "booked");
  g_assert_cmpstr (json_object_get_string_member (first, "kind"), ==, "enterprise");
  g_assert_cmpstr (json_object_get_string_member (first, "contact"), ==, "0573-84012345");

  g_autoptr (JsonObject) second = book (f, slot, "李华", "citizen", &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_true (json_object_get_null_member (second, "contact"));
  g_assert_cmpstr (json_object_get_string_member (second, "code"), !=, code);

  /* Full. */
  g_autoptr (JsonObject) third = book (f, slot, "王强", "citizen", &status);
  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpstr (error_code (third), ==, "slot-full");
  g_autoptr (JsonObject) list = call (f->server, "GET", "api/slots", NULL, NULL, &status);
  JsonObject *s = find_slot (list, slot);
  g_assert_cmpint (json_object_get_int_member (s, "booked"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (s, "remaining"), ==, 0);
  g_assert_false (json_object_get_boolean_member (s, "bookable"));

  /* No such slot; bad bodies. */
  g_autoptr (JsonObject) none = book (f, 9999, "王强", "citizen", &status);
  g_assert_cmpuint (status, ==, 404);
  g_autofree char *long_name = g_strnfill (51, 'x');
  g_autofree char *long_contact = g_strnfill (101, '1');
  struct { const char *what; char *body; } bad[] = {
    { "not JSON", g_strdup ("slot=1") },
    { "unknown kind", g_strdup_printf ("{\"slot\": %" G_GINT64_FORMAT ", \"name\": \"王强\","
        " \"kind\": \"agent\"}", slot) },
    { "empty name", g_strdup_printf ("{\"slot\": %" G_GINT64_FORMAT ", \"name\": \"  \","
        " \"kind\": \"citizen\"}", slot) },
    { "51 characters", g_strdup_printf ("{\"slot\": %" G_GINT64_FORMAT ", \"name\": \"%s\","
        " \"kind\": \"citizen\"}", slot, long_name) },
    { "contact of 101", g_strdup_printf ("{\"slot\": %" G_GINT64_FORMAT ", \"name\": \"王强\","
        " \"kind\": \"citizen\", \"contact\": \"%s\"}", slot, long_contact) },
    { "slot as text", g_strdup ("{\"slot\": \"1\", \"name\": \"王强\", \"kind\": \"citizen\"}") },
    { "no slot", g_strdup ("{\"name\": \"王强\", \"kind\": \"citizen\"}") },
    { "unknown field", g_strdup_printf ("{\"slot\": %" G_GINT64_FORMAT ", \"name\": \"王强\","
        " \"kind\": \"citizen\", \"agent\": \"zhangmin\"}", slot) },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_test_message ("%s", bad[i].what);
    g_autoptr (JsonObject) o = call (f->server, "POST", "api/appointments", NULL,
        bad[i].body, &status);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (error_code (o), ==, "bad-request");
    g_free (bad[i].body);
  }
}

/* ---- the holder's own ---- */

static void
test_by_codes (Fixture *f, gconstpointer data)
{
  g_autofree char *early_body = slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 0, 30, 5);
  g_autofree char *late_body = slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 15, 0, 30, 5);
  gint64 early = create_slot (f, f->admin, early_body, 201);
  gint64 late = create_slot (f, f->admin, late_body, 201);
  g_autofree char *a = book_code (f, late, "李华");
  g_autofree char *b = book_code (f, early, "李华");
  g_autofree char *lower = g_ascii_strdown (a, -1);
  guint status = 0;

  /* By start; lower case is fine; unknown codes are left out. */
  g_autofree char *path = g_strdup_printf ("api/appointments?codes=%s,ABCDEFGH,%s", lower, b);
  g_autoptr (JsonObject) mine = call (f->server, "GET", path, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  JsonArray *list = json_object_get_array_member (mine, "appointments");
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
          "code"), ==, b);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1),
          "code"), ==, a);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1),
          "state"), ==, "booked");

  /* One by its code. */
  g_autofree char *one_path = g_strdup_printf ("api/appointments/%s", a);
  g_autoptr (JsonObject) one = call (f->server, "GET", one_path, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (one, "name"), ==, "李*");   /* masked */
  g_autofree char *grouped_path = g_strdup_printf ("api/appointments/%.4s-%.4s-%.4s-%.4s",
      lower, lower + 4, lower + 8, lower + 12);
  g_autoptr (JsonObject) grouped = call (f->server, "GET", grouped_path, NULL, NULL,
      &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (grouped, "code"), ==, a);
  g_autoptr (JsonObject) unknown = call (f->server, "GET", "api/appointments/ABCDEFGH",
      NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpstr (error_code (unknown), ==, "not-found");

  /* At most 20 codes, each one of the right shape, and alone. */
  g_autoptr (GString) many = g_string_new ("api/appointments?codes=");
  for (guint i = 0; i < 21; i++)
    g_string_append_printf (many, "%sABCDEFG%c", i ? "," : "", "ABCDEFGHJKMNPQRSTUVWXYZ"[i]);
  g_autofree char *with_center = g_strdup_printf ("api/appointments?codes=%s&center="
      HUANGPU, a);
  const char *bad[] = { many->str, "api/appointments?codes=ABC", "api/appointments?codes=",
    with_center };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (JsonObject) o = call (f->server, "GET", bad[i], NULL, NULL, &status);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (error_code (o), ==, "bad-request");
  }
}

/* ---- a centre's day ---- */

static guint
count_listed (Fixture *f, const char *token, const char *query, guint want_status)
{
  g_autofree char *path = g_strconcat ("api/appointments", query, NULL);
  guint status = 0;
  g_autoptr (JsonObject) o = call (f->server, "GET", path, token, NULL, &status);

  g_assert_cmpuint (status, ==, want_status);
  if (status != 200)
    return 0;
  return json_array_get_length (json_object_get_array_member (o, "appointments"));
}

static void
test_center (Fixture *f, gconstpointer data)
{
  g_autofree char *hp = slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 0, 30, 5);
  g_autofree char *qp = slot_body (f, QINGPU, "shanghai", "QY-SL-001", 9, 0, 30, 5);
  g_autofree char *js = slot_body (f, JIASHAN, "zhejiang", "QY-SL-001", 9, 0, 30, 5);
  gint64 huangpu = create_slot (f, f->admin, hp, 201);
  gint64 qingpu = create_slot (f, f->admin, qp, 201);
  gint64 jiashan = create_slot (f, f->admin, js, 201);
  g_autofree char *a = book_code (f, huangpu, "李华");
  g_autofree char *b = book_code (f, huangpu, "嘉兴禾丰食品有限公司");
  g_autofree char *c = book_code (f, qingpu, "王强");
  g_autofree char *d = book_code (f, jiashan, "赵敏");
  g_autofree char *date = g_strdup_printf ("?date=%s", f->tomorrow_date);
  g_autofree char *hp_date = g_strdup_printf ("?center=" HUANGPU "&date=%s",
      f->tomorrow_date);
  g_autofree char *qp_date = g_strdup_printf ("?center=" QINGPU "&date=%s",
      f->tomorrow_date);

  /* The agent: their own centre, by default or named; not another. */
  g_assert_cmpuint (count_listed (f, f->agent, hp_date, 200), ==, 2);
  g_assert_cmpuint (count_listed (f, f->agent, date, 200), ==, 2);
  count_listed (f, f->agent, qp_date, 403);
  /* Today has none of them. */
  g_assert_cmpuint (count_listed (f, f->agent, "", 200), ==, 0);
  /* The centre's supervisor likewise; the province's sees all of Shanghai. */
  g_assert_cmpuint (count_listed (f, f->supervisor, hp_date, 200), ==, 2);
  count_listed (f, f->supervisor, qp_date, 403);
  g_assert_cmpuint (count_listed (f, f->province_supervisor, hp_date, 200), ==, 2);
  g_assert_cmpuint (count_listed (f, f->province_supervisor, qp_date, 200), ==, 1);
  g_assert_cmpuint (count_listed (f, f->province_supervisor, date, 200), ==, 3);
  /* Zhejiang's supervisor: their own centre only. */
  count_listed (f, f->zhejiang, hp_date, 403);
  g_assert_cmpuint (count_listed (f, f->zhejiang, date, 200), ==, 1);
  /* Nobody else. */
  count_listed (f, NULL, hp_date, 401);
  count_listed (f, f->admin, hp_date, 403);
  count_listed (f, f->agent, "?date=tomorrow", 400);
  count_listed (f, f->agent, "?day=2026-11-23", 400);

  /* What a listing says. */
  guint status = 0;
  g_autofree char *path = g_strconcat ("api/appointments", hp_date, NULL);
  g_autoptr (JsonObject) o = call (f->server, "GET", path, f->agent, NULL, &status);
  g_assert_cmpstr (json_object_get_string_member (o, "center"), ==, HUANGPU);
  g_assert_cmpstr (json_object_get_string_member (o, "date"), ==, f->tomorrow_date);
  JsonObject *counts = json_object_get_object_member (o, "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "booked"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (counts, "cancelled"), ==, 0);
  JsonArray *list = json_object_get_array_member (o, "appointments");
  JsonObject *first = json_array_get_object_element (list, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "李华");
  g_assert_cmpstr (json_object_get_string_member (first, "code"), ==, a);
  g_assert_cmpstr (json_object_get_string_member (first, "state"), ==, "booked");
}

/* ---- cancelling ---- */

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *body = slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 30, 30, 1);
  gint64 slot = create_slot (f, f->admin, body, 201);
  g_autofree char *code = book_code (f, slot, "李华");
  g_autofree char *path = g_strdup_printf ("api/appointments/%s", code);
  guint status = 0;

  g_autoptr (JsonObject) full = book (f, slot, "王强", "citizen", &status);
  g_assert_cmpuint (status, ==, 409);

  g_autoptr (JsonObject) cancelled = call (f->server, "DELETE", path, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (cancelled, "state"), ==, "cancelled");
  g_assert_cmpint (json_object_get_int_member (cancelled, "cancelled_at"), >, 0);

  g_autoptr (JsonObject) again = call (f->server, "DELETE", path, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpstr (error_code (again), ==, "conflict");
  g_autoptr (JsonObject) unknown = call (f->server, "DELETE", "api/appointments/ABCDEFGH",
      NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  g_autoptr (JsonObject) post = call (f->server, "POST", path, NULL, "{}", &status);
  g_assert_cmpuint (status, ==, 405);

  /* The place is free again. */
  g_autofree char *other = book_code (f, slot, "王强");
  g_assert_cmpstr (other, !=, code);
}

/* ---- slots that started or ended ---- */

/* Made in the store of @dir while no server runs on it: a slot at 黄浦 of
 * [@starts, @ends) with a booking made before it; its code (transfer full). */
static char *
past_slot_booking (const char *dir, gint64 starts, gint64 ends, gint64 *slot_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "virtual-window.db", NULL);
  g_autoptr (VwStore) store = vw_store_open (path, &error);
  VwStoreSlot slot = { .center = HUANGPU, .province = "shanghai", .item = "QY-SL-001",
    .starts_at = starts, .ends_at = ends, .capacity = 5, .created_by = "admin-sh",
    .created_at = starts - 24 * HOUR };
  VwStoreBooking *b = NULL;
  gint64 id;

  g_assert_no_error (error);
  g_assert_true (vw_store_create_slot (store, &slot, &id, &error));
  g_assert_no_error (error);
  g_assert_true (vw_store_book (store, id, "李华", "citizen", NULL, starts - HOUR, &b,
          &error));
  g_assert_no_error (error);
  char *code = g_strdup (b->code);
  vw_store_booking_free (b);
  if (slot_out)
    *slot_out = id;
  return code;
}

static guint
count_audit (const char *dir, const char *action)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "virtual-window.db", NULL);
  g_autoptr (VwStore) store = vw_store_open (path, &error);
  guint n = 0;

  g_assert_no_error (error);
  g_autoptr (GPtrArray) entries = vw_store_list_audit (store, 0, G_MAXINT64, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    n += g_str_equal (((VwStoreAuditEntry *) g_ptr_array_index (entries, i))->action,
        action);
  return n;
}

static gboolean
logged_no_show (gpointer server)
{
  return strstr (((VwTestServer *) server)->log->str, "1 booking(s) marked no-show") != NULL;
}

static void
test_past (Fixture *f, gconstpointer data)
{
  g_autofree char *body = slot_body (f, HUANGPU, "shanghai", "QY-SL-001", 9, 30, 30, 5);
  gint64 now = g_get_real_time () / 1000 / MINUTE * MINUTE;
  gint64 running_slot;
  guint status = 0;

  create_slot (f, f->admin, body, 201);
  create_slot (f, f->supervisor, body, 201);

  /* A slot that started 10 minutes ago and one that ended an hour ago. */
  char *dir = vw_test_server_kill (f->server);
  f->server = NULL;
  g_autofree char *running = past_slot_booking (dir, now - 10 * MINUTE, now + 20 * MINUTE,
      &running_slot);
  g_autofree char *ended = past_slot_booking (dir, now - 2 * HOUR, now - HOUR, NULL);
  g_assert_cmpuint (count_audit (dir, "create-slot"), ==, 2);
  g_assert_cmpuint (count_audit (dir, "no-show"), ==, 0);
  f->server = vw_test_server_start_in (dir, NULL);
  g_free (dir);

  /* Started: neither cancelled nor booked any more. */
  g_autofree char *path = g_strdup_printf ("api/appointments/%s", running);
  g_autoptr (JsonObject) cancel = call (f->server, "DELETE", path, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpstr (error_code (cancel), ==, "conflict");
  g_assert_nonnull (strstr (json_object_get_string_member (cancel, "message"), "started"));
  g_autoptr (JsonObject) late = book (f, running_slot, "王强", "citizen", &status);
  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpstr (error_code (late), ==, "slot-started");

  /* Running slots are still listed (not bookable), ended ones not. */
  g_autoptr (JsonObject) list = call (f->server, "GET", "api/slots", NULL, NULL, &status);
  JsonObject *s = find_slot (list, running_slot);
  g_assert_nonnull (s);
  g_assert_false (json_object_get_boolean_member (s, "bookable"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "slots")),
      ==, 3);

  /* The ended one was swept at start-up: a no-show, logged and audited. */
  g_autofree char *codes = g_strdup_printf ("api/appointments?codes=%s,%s", running, ended);
  g_autoptr (JsonObject) mine = call (f->server, "GET", codes, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  JsonArray *bookings = json_object_get_array_member (mine, "appointments");
  g_assert_cmpuint (json_array_get_length (bookings), ==, 2);
  JsonObject *first = json_array_get_object_element (bookings, 0);
  JsonObject *second = json_array_get_object_element (bookings, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "code"), ==, ended);
  g_assert_cmpstr (json_object_get_string_member (first, "state"), ==, "no-show");
  g_assert_cmpstr (json_object_get_string_member (second, "state"), ==, "booked");
  g_assert_true (vw_test_wait_until (logged_no_show, f->server, 5000));
  dir = vw_test_server_kill (f->server);
  f->server = NULL;
  g_assert_cmpuint (count_audit (dir, "no-show"), ==, 1);
  f->server = vw_test_server_start_in (dir, NULL);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/appointments/create-slots", test_create_slots);
  ADD ("/appointments/bad-slots", test_bad_slots);
  ADD ("/appointments/slot-times", test_slot_times);
  ADD ("/appointments/book", test_book);
  ADD ("/appointments/by-codes", test_by_codes);
  ADD ("/appointments/center", test_center);
  ADD ("/appointments/cancel", test_cancel);
  ADD ("/appointments/past", test_past);
#undef ADD
  return g_test_run ();
}
