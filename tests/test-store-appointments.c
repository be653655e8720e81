/* test-store-appointments.c: unit tests for appointments (我要约) in the
 * store (vw-store-appointments.c): slots and their listing, booking up to
 * capacity (also from two connections at once), cancelling until the
 * start, the check-in window, the session of an arrival, no-shows marked
 * and audited, and codes that are unique and readable.
 *
 * Every test works on a fresh store in its own temporary directory.  The
 * slots are at 黄浦区政务服务中心 (Shanghai) for 企业设立 (QY-SL-001) and at
 * 嘉善县行政服务中心 (Zhejiang) for 公积金跨省提取 (GJJ-TQ-006), on Monday
 * 2026-11-23 (CST); the holders are 李华 and 嘉兴禾丰食品有限公司.
 */
#include "vw-store-appointments.h"
#include "store-test-util.h"
#include "vw-store-audit.h"
#include "vw-store-items.h"
#include "vw-store-private.h"
#include "vw-slots.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#define MINUTE ((gint64) 60 * 1000)
#define HOUR (60 * MINUTE)
#define HUANGPU "黄浦区政务服务中心"
#define JIASHAN "嘉善县行政服务中心"

typedef struct {
  char *dir;
  char *path;
  VwStore *store;
  gint64 t0;   /* 2026-11-23 09:30 CST: the first slot's start */
} Fixture;

/* Unix ms of a CST wall-clock time. */
static gint64
cst (int year, int month, int day, int hour, int minute)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
  g_autoptr (GDateTime) dt = g_date_time_new (tz, year, month, day, hour, minute, 0);

  return g_date_time_to_unix (dt) * 1000;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;   /* the item's upsert */
  char *provinces[] = { "shanghai", "zhejiang", NULL };
  VwStoreItem item = { .code = "QY-SL-001", .name = "企业设立", .mode = "remote",
    .department = "市场监督管理局", .provinces = provinces };

  f->dir = vw_store_test_make_dir ("vw-appointments");
  f->store = vw_store_test_open (f->dir, &f->path);
  f->t0 = cst (2026, 11, 23, 9, 30);
  g_assert_true (vw_store_upsert_item (f->store, &item, f->t0 - 48 * HOUR, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_store_close (f->store);
  vw_store_test_remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* A slot of @minutes from @starts for @capacity, created a day earlier. */
static gint64
add_slot (Fixture *f, const char *center, const char *province, const char *item,
    gint64 starts, gint64 minutes, guint capacity)
{
  g_autoptr (GError) error = NULL;
  VwStoreSlot slot = { .center = (char *) center, .province = (char *) province,
    .item = (char *) item, .starts_at = starts, .ends_at = starts + minutes * MINUTE,
    .capacity = capacity, .created_by = "admin-sh", .created_at = starts - 24 * HOUR };
  gint64 id = 0;

  g_assert_true (vw_store_create_slot (f->store, &slot, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* Books slot @slot at @now; the code (transfer full). */
static char *
book (VwStore *store, gint64 slot, const char *name, gint64 now)
{
  g_autoptr (GError) error = NULL;
  VwStoreBooking *b = NULL;

  g_assert_true (vw_store_book (store, slot, name, "citizen", NULL, now, &b, &error));
  g_assert_no_error (error);
  g_assert_nonnull (b);
  char *code = g_strdup (b->code);
  vw_store_booking_free (b);
  return code;
}

static VwStoreBookingState
state_of (Fixture *f, const char *code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreBooking) b = vw_store_get_booking (f->store, code, &error);

  g_assert_no_error (error);
  return b->state;
}

/* ---- slots ---- */

static void
test_slots (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 a = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0, 30, 5);
  gint64 b = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0 + 24 * HOUR, 60, 2);
  gint64 c = add_slot (f, JIASHAN, "zhejiang", "GJJ-TQ-006", f->t0 + HOUR, 30, 3);

  g_autoptr (VwStoreSlot) got = vw_store_get_slot (f->store, a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->center, ==, HUANGPU);
  g_assert_cmpstr (got->province, ==, "shanghai");
  g_assert_cmpstr (got->item, ==, "QY-SL-001");
  g_assert_cmpstr (got->item_name, ==, "企业设立");   /* from the catalogue */
  g_assert_cmpint (got->starts_at, ==, f->t0);
  g_assert_cmpint (got->ends_at, ==, f->t0 + 30 * MINUTE);
  g_assert_cmpuint (got->capacity, ==, 5);
  g_assert_cmpuint (got->booked, ==, 0);
  g_assert_cmpstr (got->created_by, ==, "admin-sh");
  g_assert_cmpint (got->created_at, ==, f->t0 - 24 * HOUR);

  g_autoptr (VwStoreSlot) other = vw_store_get_slot (f->store, c, &error);
  g_assert_no_error (error);
  g_assert_null (other->item_name);   /* not in this catalogue */

  g_assert_null (vw_store_get_slot (f->store, 999, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A booking counts on its slot. */
  g_autofree char *code = book (f->store, a, "李华", f->t0 - HOUR);
  struct {
    const char *what;
    VwStoreSlotFilter filter;
    gint64 ids[4];
  } cases[] = {
    { "everything, by start", { 0 }, { a, c, b } },
    { "one item", { .item = "QY-SL-001" }, { a, b } },
    { "one centre", { .center = JIASHAN }, { c } },
    { "one province", { .province = "shanghai" }, { a, b } },
    { "from the next day", { .from_ms = f->t0 + 2 * HOUR }, { b } },
    { "starting before 10:30", { .to_ms = f->t0 + HOUR }, { a } },
    { "not over at 10:00", { .ending_after_ms = f->t0 + 30 * MINUTE }, { c, b } },
    { "nothing", { .item = "SP-JY-004" }, { 0 } },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("%s", cases[i].what);
    g_autoptr (GPtrArray) list = vw_store_list_slots (f->store, &cases[i].filter, &error);
    g_assert_no_error (error);
    guint n = 0;
    while (n < G_N_ELEMENTS (cases[i].ids) && cases[i].ids[n])
      n++;
    g_assert_cmpuint (list->len, ==, n);
    for (guint j = 0; j < n; j++) {
      VwStoreSlot *s = g_ptr_array_index (list, j);
      g_assert_cmpint (s->id, ==, cases[i].ids[j]);
      g_assert_cmpuint (s->booked, ==, s->id == a ? 1 : 0);
    }
  }
}

static void
test_bad_slots (Fixture *f, gconstpointer data)
{
  const struct {
    const char *what;
    const char *center, *province, *item;
    gint64 starts_off, length;   /* ms */
    gint64 capacity;
    const char *created_by;
  } cases[] = {
    { "no centre", NULL, "shanghai", "QY-SL-001", 0, 30 * MINUTE, 5, "admin-sh" },
    { "empty centre", "", "shanghai", "QY-SL-001", 0, 30 * MINUTE, 5, "admin-sh" },
    { "centre with a newline", "黄浦区\n中心", "shanghai", "QY-SL-001", 0, 30 * MINUTE, 5,
      "admin-sh" },
    { "unknown province", HUANGPU, "beijing", "QY-SL-001", 0, 30 * MINUTE, 5, "admin-sh" },
    { "no province", HUANGPU, NULL, "QY-SL-001", 0, 30 * MINUTE, 5, "admin-sh" },
    { "item name, not code", HUANGPU, "shanghai", "企业设立", 0, 30 * MINUTE, 5, "admin-sh" },
    { "no item", HUANGPU, "shanghai", NULL, 0, 30 * MINUTE, 5, "admin-sh" },
    { "ends before it starts", HUANGPU, "shanghai", "QY-SL-001", 0, -30 * MINUTE, 5,
      "admin-sh" },
    { "five hours", HUANGPU, "shanghai", "QY-SL-001", 0, 5 * HOUR, 5, "admin-sh" },
    { "not on a minute", HUANGPU, "shanghai", "QY-SL-001", 30 * 1000, 30 * MINUTE, 5,
      "admin-sh" },
    { "capacity 0", HUANGPU, "shanghai", "QY-SL-001", 0, 30 * MINUTE, 0, "admin-sh" },
    { "capacity 101", HUANGPU, "shanghai", "QY-SL-001", 0, 30 * MINUTE, 101, "admin-sh" },
    { "nobody created it", HUANGPU, "shanghai", "QY-SL-001", 0, 30 * MINUTE, 5, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    VwStoreSlot slot = { .center = (char *) cases[i].center,
      .province = (char *) cases[i].province, .item = (char *) cases[i].item,
      .starts_at = f->t0 + cases[i].starts_off,
      .ends_at = f->t0 + cases[i].starts_off + cases[i].length,
      .capacity = cases[i].capacity, .created_by = (char *) cases[i].created_by,
      .created_at = f->t0 - HOUR };

    g_assert_false (vw_store_create_slot (f->store, &slot, NULL, &error));
    g_test_message ("%s: %s", cases[i].what, error->message);
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  }
  VwStoreSlotFilter all = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = vw_store_list_slots (f->store, &all, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
}

/* ---- booking and capacity ---- */

static void
test_book (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 slot = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0, 30, 3);
  VwStoreBooking *b = NULL;

  g_assert_true (vw_store_book (f->store, slot, "嘉兴禾丰食品有限公司", "enterprise",
          "0573-84012345", f->t0 - 2 * HOUR, &b, &error));
  g_assert_no_error (error);
  g_autoptr (VwStoreBooking) booking = b;
  g_assert_true (vw_store_booking_code_is_valid (booking->code));
  g_assert_cmpint (booking->slot_id, ==, slot);
  g_assert_cmpstr (booking->holder_name, ==, "嘉兴禾丰食品有限公司");
  g_assert_cmpstr (booking->holder_kind, ==, "enterprise");
  g_assert_cmpstr (booking->contact, ==, "0573-84012345");
  g_assert_cmpint (booking->state, ==, VW_STORE_BOOKING_BOOKED);
  g_assert_cmpint (booking->created_at, ==, f->t0 - 2 * HOUR);
  g_assert_cmpint (booking->cancelled_at, ==, 0);
  g_assert_cmpint (booking->arrived_at, ==, 0);
  g_assert_null (booking->session_id);
  g_assert_cmpstr (booking->center, ==, HUANGPU);
  g_assert_cmpstr (booking->province, ==, "shanghai");
  g_assert_cmpstr (booking->item, ==, "QY-SL-001");
  g_assert_cmpstr (booking->item_name, ==, "企业设立");
  g_assert_cmpint (booking->starts_at, ==, f->t0);
  g_assert_cmpint (booking->ends_at, ==, f->t0 + 30 * MINUTE);

  /* An empty contact is none; no booking needs @out. */
  g_assert_true (vw_store_book (f->store, slot, "李华", "citizen", "", f->t0 - HOUR, NULL,
          &error));
  g_assert_no_error (error);

  /* Unknown slot; a slot that has started. */
  g_assert_false (vw_store_book (f->store, 999, "李华", "citizen", NULL, f->t0 - HOUR,
          NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_book (f->store, slot, "李华", "citizen", NULL, f->t0, NULL,
          &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "started"));
  g_clear_error (&error);

  /* Bad holders. */
  g_autofree char *name50 = g_strnfill (50, 'x');
  g_autoptr (GString) name51 = g_string_new (NULL);
  for (guint i = 0; i < 17; i++)
    g_string_append (name51, "李华明");   /* 51 characters, 153 bytes */
  g_autofree char *contact101 = g_strnfill (101, '1');
  const struct { const char *what, *name, *kind, *contact; } bad[] = {
    { "no name", NULL, "citizen", NULL },
    { "empty name", "", "citizen", NULL },
    { "51 characters", name51->str, "citizen", NULL },
    { "a tab in the name", "李\t华", "citizen", NULL },
    { "no kind", "李华", NULL, NULL },
    { "unknown kind", "李华", "agent", NULL },
    { "contact of 101", "李华", "citizen", contact101 },
    { "contact with a newline", "李华", "citizen", "138\n0000" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_assert_false (vw_store_book (f->store, slot, bad[i].name, bad[i].kind,
            bad[i].contact, f->t0 - HOUR, NULL, &error));
    g_test_message ("%s: %s", bad[i].what, error->message);
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  /* 50 characters are fine: the slot is full then. */
  g_assert_true (vw_store_book (f->store, slot, name50, "citizen", NULL, f->t0 - HOUR,
          NULL, &error));
  g_assert_no_error (error);
  g_autoptr (VwStoreSlot) s = vw_store_get_slot (f->store, slot, &error);
  g_assert_cmpuint (s->booked, ==, 3);
}

/* Capacity 1: the second booking is refused, also from another
 * connection to the same file; a cancelled place is free again, an
 * arrived one is not. */
static void
test_capacity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 one = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0, 30, 1);
  gint64 two = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0 + HOUR, 30, 2);
  g_autoptr (VwStore) other = vw_store_open (f->path, &error);
  gint64 now = f->t0 - HOUR;

  g_assert_no_error (error);
  g_autofree char *first = book (f->store, one, "李华", now);
  g_assert_false (vw_store_book (other, one, "王强", "citizen", NULL, now, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "full"));
  g_clear_error (&error);
  g_assert_false (vw_store_book (f->store, one, "王强", "citizen", NULL, now, NULL,
          &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Cancelled: free again, taken by the other connection. */
  g_assert_true (vw_store_cancel_booking (f->store, first, now, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *second = book (other, one, "王强", now);
  g_assert_false (vw_store_book (f->store, one, "李华", "citizen", NULL, now, NULL,
          &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Two places from two connections, then full; an arrival keeps its place. */
  g_autofree char *a = book (f->store, two, "李华", now);
  g_autofree char *b = book (other, two, "嘉兴禾丰食品有限公司", now);
  g_assert_true (vw_store_booking_check_in (f->store, a, f->t0 + HOUR - 5 * MINUTE,
          15 * MINUTE, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (vw_store_book (other, two, "王强", "citizen", NULL, f->t0, NULL,
          &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* The database itself refuses one more than the capacity. */
  g_assert_false (vw_store_exec_for_test (f->store,
      "INSERT INTO bookings (slot_id, code, holder_name, holder_kind, created_at)"
      " VALUES (1, 'ZZZZZZZZ', '王强', 'citizen', 1)", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "full"));
  g_clear_error (&error);

  g_autoptr (VwStoreSlot) s1 = vw_store_get_slot (f->store, one, &error);
  g_autoptr (VwStoreSlot) s2 = vw_store_get_slot (f->store, two, &error);
  g_assert_cmpuint (s1->booked, ==, 1);
  g_assert_cmpuint (s2->booked, ==, 2);
}

/* ---- cancelling ---- */

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 slot = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0, 30, 5);
  g_autofree char *a = book (f->store, slot, "李华", f->t0 - 3 * HOUR);
  g_autofree char *b = book (f->store, slot, "王强", f->t0 - 3 * HOUR);
  g_autofree char *c = book (f->store, slot, "赵敏", f->t0 - 3 * HOUR);
  VwStoreBooking *out = NULL;

  /* Until the last millisecond before the start. */
  g_assert_true (vw_store_cancel_booking (f->store, a, f->t0 - 1, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (out->state, ==, VW_STORE_BOOKING_CANCELLED);
  g_assert_cmpint (out->cancelled_at, ==, f->t0 - 1);
  vw_store_booking_free (out);

  const struct { const char *what, *code; gint64 now; gint want; } cases[] = {
    { "twice", a, f->t0 - HOUR, VW_STORE_ERROR_CONFLICT },
    { "as the slot starts", b, f->t0, VW_STORE_ERROR_CONFLICT },
    { "during the slot", b, f->t0 + 10 * MINUTE, VW_STORE_ERROR_CONFLICT },
    { "unknown code", "ABCDEFGH", f->t0 - HOUR, VW_STORE_ERROR_NOT_FOUND },
    { "not a code", "abc", f->t0 - HOUR, VW_STORE_ERROR_NOT_FOUND },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_assert_false (vw_store_cancel_booking (f->store, cases[i].code, cases[i].now, NULL,
            &error));
    g_test_message ("%s: %s", cases[i].what, error->message);
    g_assert_error (error, VW_STORE_ERROR, cases[i].want);
    g_clear_error (&error);
  }
  g_assert_cmpint (state_of (f, b), ==, VW_STORE_BOOKING_BOOKED);

  /* Arrived: no longer cancellable, even before the start. */
  g_assert_true (vw_store_booking_check_in (f->store, c, f->t0 - 10 * MINUTE, 15 * MINUTE, NULL,
          &error));
  g_assert_no_error (error);
  g_assert_false (vw_store_cancel_booking (f->store, c, f->t0 - 5 * MINUTE, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "arrived"));
  g_clear_error (&error);

  /* A booking never goes back to 'booked'. */
  g_assert_false (vw_store_exec_for_test (f->store,
      "UPDATE bookings SET state = 'booked', cancelled_at = NULL WHERE id = 1", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (state_of (f, a), ==, VW_STORE_BOOKING_CANCELLED);
}

/* ---- checking in ---- */

static void
test_check_in (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 slot = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0, 30, 5);
  gint64 early = 15 * MINUTE;
  g_autofree char *a = book (f->store, slot, "李华", f->t0 - 3 * HOUR);
  g_autofree char *cancelled = book (f->store, slot, "王强", f->t0 - 3 * HOUR);

  g_assert_true (vw_store_cancel_booking (f->store, cancelled, f->t0 - 2 * HOUR, NULL,
          &error));
  g_assert_no_error (error);

  const struct {
    const char *what, *code;
    gint64 now;
    gint want;   /* a VwStoreError */
    const char *words;
  } refused[] = {
    { "an hour early", a, f->t0 - HOUR, VW_STORE_ERROR_CONFLICT, "opens at 2026-11-23 09:15" },
    { "1 ms before it opens", a, f->t0 - early - 1, VW_STORE_ERROR_CONFLICT, "09:15" },
    { "as the slot ends", a, f->t0 + 30 * MINUTE, VW_STORE_ERROR_CONFLICT, "ended at" },
    { "cancelled", cancelled, f->t0, VW_STORE_ERROR_NOT_FOUND, "cancelled" },
    { "unknown", "ABCDEFGH", f->t0, VW_STORE_ERROR_NOT_FOUND, NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    VwStoreBooking *out = NULL;
    g_assert_false (vw_store_booking_check_in (f->store, refused[i].code, refused[i].now,
            early, &out, &error));
    g_test_message ("%s: %s", refused[i].what, error->message);
    g_assert_error (error, VW_STORE_ERROR, refused[i].want);
    g_assert_null (out);
    if (refused[i].words)
      g_assert_nonnull (strstr (error->message, refused[i].words));
    g_clear_error (&error);
  }
  g_assert_cmpint (state_of (f, a), ==, VW_STORE_BOOKING_BOOKED);

  /* A session cannot be set before the arrival. */
  g_assert_false (vw_store_booking_set_session (f->store, a, "s-1", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* The moment check-in opens (a code's case does not matter). */
  VwStoreBooking *out = NULL;
  g_autofree char *lower = g_ascii_strdown (a, -1);
  g_assert_true (vw_store_booking_check_in (f->store, lower, f->t0 - early, early, &out,
          &error));
  g_assert_no_error (error);
  g_autoptr (VwStoreBooking) arrived = out;
  g_assert_cmpstr (arrived->code, ==, a);
  g_assert_cmpint (arrived->state, ==, VW_STORE_BOOKING_ARRIVED);
  g_assert_cmpint (arrived->arrived_at, ==, f->t0 - early);
  g_assert_cmpstr (arrived->item, ==, "QY-SL-001");
  g_assert_cmpstr (arrived->item_name, ==, "企业设立");
  g_assert_cmpstr (arrived->center, ==, HUANGPU);
  g_assert_cmpstr (arrived->province, ==, "shanghai");
  g_assert_cmpint (arrived->starts_at, ==, f->t0);
  g_assert_cmpint (arrived->ends_at, ==, f->t0 + 30 * MINUTE);

  /* Once only. */
  g_assert_false (vw_store_booking_check_in (f->store, a, f->t0, early, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "already"));
  g_clear_error (&error);

  /* The session it was served in. */
  g_assert_true (vw_store_booking_set_session (f->store, a, "sess-0001", &error));
  g_assert_no_error (error);
  g_autoptr (VwStoreBooking) served = vw_store_get_booking (f->store, a, &error);
  g_assert_cmpstr (served->session_id, ==, "sess-0001");
  g_assert_false (vw_store_booking_set_session (f->store, "ABCDEFGH", "sess-0001",
          &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_booking_set_session (f->store, a, "", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* During the slot (late), and with no early check-in at all. */
  g_autofree char *late = book (f->store, slot, "赵敏", f->t0 - HOUR);
  g_assert_true (vw_store_booking_check_in (f->store, late, f->t0 + 30 * MINUTE - 1, 0, NULL,
          &error));
  g_assert_no_error (error);
  g_autofree char *prompt = book (f->store, slot, "孙丽", f->t0 - HOUR);
  g_assert_false (vw_store_booking_check_in (f->store, prompt, f->t0 - 1, 0, NULL,
          &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (vw_store_booking_check_in (f->store, prompt, f->t0, 0, NULL, &error));
  g_assert_no_error (error);
}

/* ---- no-shows ---- */

static guint
count_no_show_audits (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) log = vw_store_list_audit (f->store, 0, G_MAXINT64, NULL, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < log->len; i++) {
    VwStoreAuditEntry *e = g_ptr_array_index (log, i);
    if (!g_str_equal (e->action, "no-show"))
      continue;
    g_assert_null (e->actor);        /* the server itself */
    g_assert_null (e->session_id);
    g_assert_nonnull (strstr (e->detail, "\"booking\":"));
    g_assert_nonnull (strstr (e->detail, "\"center\":\"" HUANGPU "\""));
    g_assert_nonnull (strstr (e->detail, "\"item\":\"QY-SL-001\""));
    g_assert_null (strstr (e->detail, "李华"));   /* no names in the log */
    n++;
  }
  return n;
}

static void
test_no_shows (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 morning = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0, 30, 5);
  gint64 later = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0 + 2 * HOUR, 30, 5);
  gint64 before = f->t0 - 3 * HOUR;
  g_autofree char *missed1 = book (f->store, morning, "李华", before);
  g_autofree char *missed2 = book (f->store, morning, "王强", before);
  g_autofree char *came = book (f->store, morning, "赵敏", before);
  g_autofree char *gave_up = book (f->store, morning, "孙丽", before);
  g_autofree char *waiting = book (f->store, later, "周杰", before);
  guint n = 99;

  g_assert_true (vw_store_booking_check_in (f->store, came, f->t0 + 5 * MINUTE, 15 * MINUTE,
          NULL, &error));
  g_assert_true (vw_store_cancel_booking (f->store, gave_up, f->t0 - HOUR, NULL, &error));
  g_assert_no_error (error);

  /* Not yet: the morning slot has not ended (its last millisecond). */
  g_assert_true (vw_store_mark_no_shows (f->store, f->t0 + 30 * MINUTE - 1, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (count_no_show_audits (f), ==, 0);

  /* As it ends: its two who never came. */
  g_assert_true (vw_store_mark_no_shows (f->store, f->t0 + 30 * MINUTE, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (state_of (f, missed1), ==, VW_STORE_BOOKING_NO_SHOW);
  g_assert_cmpint (state_of (f, missed2), ==, VW_STORE_BOOKING_NO_SHOW);
  g_assert_cmpint (state_of (f, came), ==, VW_STORE_BOOKING_ARRIVED);
  g_assert_cmpint (state_of (f, gave_up), ==, VW_STORE_BOOKING_CANCELLED);
  g_assert_cmpint (state_of (f, waiting), ==, VW_STORE_BOOKING_BOOKED);
  g_assert_cmpuint (count_no_show_audits (f), ==, 2);

  /* Again: nothing more, no second entry. */
  g_assert_true (vw_store_mark_no_shows (f->store, f->t0 + HOUR, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (count_no_show_audits (f), ==, 2);

  /* A no-show neither checks in nor cancels, nor comes back. */
  g_assert_false (vw_store_booking_check_in (f->store, missed1, f->t0 + 20 * MINUTE,
          15 * MINUTE, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "missed"));
  g_clear_error (&error);
  g_assert_false (vw_store_cancel_booking (f->store, missed1, f->t0 - HOUR, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* The later slot, once over. */
  g_assert_true (vw_store_mark_no_shows (f->store, f->t0 + 3 * HOUR, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state_of (f, waiting), ==, VW_STORE_BOOKING_NO_SHOW);
  g_assert_cmpuint (count_no_show_audits (f), ==, 3);
}

/* ---- codes and listings ---- */

static void
test_codes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  gint64 slots[3];

  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    slots[i] = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0 + i * HOUR, 60, 100);
  for (guint i = 0; i < 300; i++) {
    char *code = book (f->store, slots[i % 3], "李华", f->t0 - 4 * HOUR);
    g_assert_true (vw_store_booking_code_is_valid (code));
    for (const char *p = code; *p; p++)
      g_assert_null (strchr ("01OIL", *p));
    g_assert_false (g_hash_table_contains (seen, code));
    g_hash_table_add (seen, code);
  }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 300);

  const struct { const char *code; gboolean valid; } shapes[] = {
    { "K7QMX3TD9WHCRPZA", TRUE }, { "2345678923456789", TRUE },
    { "ABCDEFGH", TRUE }, { "23456789", TRUE },   /* made before: 8 */
    { "ABCDEFG", FALSE }, { "ABCDEFGHJ", FALSE }, { "K7QMX3TD9WHCRPZ", FALSE },
    { "K7QMX3TD9WHCRPZAB", FALSE }, { "abcdefgh", FALSE }, { "ABCDEFG0", FALSE },
    { "K7QMX3TD9WHCRPZO", FALSE }, { "ABCDEFGI", FALSE }, { "ABCD EFG", FALSE },
    { "K7QM-X3TD-9WHC-RPZA", FALSE }, { "", FALSE }, { NULL, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    g_assert_cmpint (vw_store_booking_code_is_valid (shapes[i].code), ==, shapes[i].valid);
  g_assert_null (vw_store_get_booking (f->store, "ABCDEFG0", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);

  /* Codes are 16 characters: 79 bits. */
  g_autofree gpointer *some = g_hash_table_get_keys_as_array (seen, NULL);
  g_assert_cmpuint (strlen (some[0]), ==, VW_STORE_BOOKING_CODE_LEN);
}

/* A store of schema version 6 with a booking of an 8-character code:
 * after migrating to 16-character codes, the old code still reads (in
 * groups too) and cancels. */
static void
test_old_codes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 slot = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0, 30, 5);
  sqlite3 *db = NULL;

  vw_store_close (f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_autofree char *sql = g_strdup_printf ("INSERT INTO bookings (slot_id, code,"
      " holder_name, holder_kind, created_at) VALUES (%" G_GINT64_FORMAT ", 'W7KRESZA',"
      " '李华', 'citizen', %" G_GINT64_FORMAT "); PRAGMA user_version = 6;", slot,
      f->t0 - 24 * HOUR);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  f->store = vw_store_open (f->path, &error);
  g_assert_no_error (error);

  g_autoptr (VwStoreBooking) b = vw_store_get_booking (f->store, "w7kr-esza", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b->code, ==, "W7KRESZA");
  g_assert_cmpstr (b->holder_name, ==, "李华");
  VwStoreBooking *cancelled = NULL;
  g_assert_true (vw_store_cancel_booking (f->store, "W7KRESZA", f->t0 - HOUR, &cancelled,
      &error));
  g_assert_no_error (error);
  g_assert_cmpint (cancelled->state, ==, VW_STORE_BOOKING_CANCELLED);
  vw_store_booking_free (cancelled);
  /* New bookings get 16 characters. */
  g_autofree char *code = book (f->store, slot, "王强", f->t0 - HOUR);
  g_assert_cmpuint (strlen (code), ==, 16);
}

/* Codes as people type them: case, the groups' dashes and spaces. */
static void
test_code_forms (void)
{
  const struct { const char *text, *code; } normal[] = {
    { "K7QMX3TD9WHCRPZA", "K7QMX3TD9WHCRPZA" },
    { "k7qm-x3td-9whc-rpza", "K7QMX3TD9WHCRPZA" },
    { "K7QM X3TD 9WHC RPZA", "K7QMX3TD9WHCRPZA" },
    { "abcd-efgh", "ABCDEFGH" },
    { "K7QM-X3TD-9WHC-RPZ", NULL },
    { "K7QM-X3TD-9WHC-RPZ0", NULL },
    { "K7QM_X3TD_9WHC_RPZA", NULL },
    { "----", NULL },
    { "", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (normal); i++) {
    g_autofree char *code = vw_store_booking_code_normalize (normal[i].text);
    g_assert_cmpstr (code, ==, normal[i].code);
  }
  const struct { const char *code, *grouped; } groups[] = {
    { "K7QMX3TD9WHCRPZA", "K7QM-X3TD-9WHC-RPZA" },
    { "ABCDEFGH", "ABCD-EFGH" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++) {
    g_autofree char *grouped = vw_store_booking_code_group (groups[i].code);
    g_assert_cmpstr (grouped, ==, groups[i].grouped);
    g_assert_cmpuint (strlen (grouped), <=, VW_STORE_BOOKING_CODE_SHOWN_MAX);
  }
}

/* What a code shows of its holder. */
static void
test_masks (void)
{
  const struct { const char *contact, *shown; } contacts[] = {
    { "13812345678", "138****5678" },
    { "138 1234 5678", "138 **** 5678" },
    { "+86 138-1234-5678", "+86 1**-****-5678" },
    { "0573-84012345", "057*-****2345" },
    { "zhang.min@example.com", "z***@example.com" },
    { "李@example.com", "李***@example.com" },
    { "1234567", "1***" },                /* too short for a phone number */
    { "微信 zhangmin88", "微***" },
    { "", "" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (contacts); i++) {
    g_autofree char *shown = vw_store_booking_mask_contact (contacts[i].contact);
    g_assert_cmpstr (shown, ==, contacts[i].shown);
  }
  const struct { const char *name, *kind, *shown; } names[] = {
    { "张敏", "citizen", "张*" },
    { "欧阳娜娜", "citizen", "欧***" },
    { "李", "citizen", "李*" },
    { "Li Hua", "citizen", "L*****" },
    { "嘉兴禾丰食品有限公司", "enterprise", "嘉兴禾丰食品有限公司" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autofree char *shown = vw_store_booking_mask_name (names[i].name, names[i].kind);
    g_assert_cmpstr (shown, ==, names[i].shown);
  }
}

static void
test_listings (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 late = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0 + 5 * HOUR, 30, 5);
  gint64 early = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0, 30, 5);
  gint64 tomorrow = add_slot (f, HUANGPU, "shanghai", "QY-SL-001", f->t0 + 24 * HOUR, 30, 5);
  gint64 jiashan = add_slot (f, JIASHAN, "zhejiang", "QY-SL-001", f->t0, 30, 5);
  gint64 now = f->t0 - 4 * HOUR;
  g_autofree char *a = book (f->store, late, "李华", now);
  g_autofree char *b = book (f->store, early, "王强", now);
  g_autofree char *c = book (f->store, tomorrow, "赵敏", now);
  g_autofree char *d = book (f->store, jiashan, "孙丽", now);
  g_autofree char *e = book (f->store, early, "周杰", now);

  g_assert_true (vw_store_cancel_booking (f->store, e, now, NULL, &error));

  /* By codes: by start; unknown ones and repeats (in any case) left out. */
  g_autofree char *lower = g_ascii_strdown (a, -1);
  const char *codes[] = { a, "ABCDEFGH", c, b, lower, NULL };
  g_autoptr (GPtrArray) mine = vw_store_list_bookings_by_codes (f->store, codes, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mine->len, ==, 3);
  g_assert_cmpstr (((VwStoreBooking *) mine->pdata[0])->code, ==, b);
  g_assert_cmpstr (((VwStoreBooking *) mine->pdata[1])->code, ==, a);
  g_assert_cmpstr (((VwStoreBooking *) mine->pdata[2])->code, ==, c);

  /* A centre's day (cancelled ones too), by start. */
  gint64 day = cst (2026, 11, 23, 0, 0);
  g_autoptr (GPtrArray) huangpu = vw_store_list_center_bookings (f->store, HUANGPU,
      "shanghai", day, day + 24 * HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (huangpu->len, ==, 3);
  g_assert_cmpstr (((VwStoreBooking *) huangpu->pdata[0])->code, ==, b);
  g_assert_cmpstr (((VwStoreBooking *) huangpu->pdata[1])->code, ==, e);
  g_assert_cmpint (((VwStoreBooking *) huangpu->pdata[1])->state, ==,
      VW_STORE_BOOKING_CANCELLED);
  g_assert_cmpstr (((VwStoreBooking *) huangpu->pdata[2])->code, ==, a);

  /* The same centre name under another province: nothing. */
  g_autoptr (GPtrArray) elsewhere = vw_store_list_center_bookings (f->store, HUANGPU,
      "zhejiang", day, day + 24 * HOUR, &error);
  g_assert_cmpuint (elsewhere->len, ==, 0);
  /* A whole province. */
  g_autoptr (GPtrArray) zhejiang = vw_store_list_center_bookings (f->store, NULL,
      "zhejiang", day, day + 48 * HOUR, &error);
  g_assert_cmpuint (zhejiang->len, ==, 1);
  g_assert_cmpstr (((VwStoreBooking *) zhejiang->pdata[0])->code, ==, d);
  /* The next day. */
  g_autoptr (GPtrArray) next = vw_store_list_center_bookings (f->store, HUANGPU, NULL,
      day + 24 * HOUR, day + 48 * HOUR, &error);
  g_assert_cmpuint (next->len, ==, 1);
  g_assert_cmpstr (((VwStoreBooking *) next->pdata[0])->code, ==, c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store-appointments/slots", test_slots);
  ADD ("/store-appointments/bad-slots", test_bad_slots);
  ADD ("/store-appointments/book", test_book);
  ADD ("/store-appointments/capacity", test_capacity);
  ADD ("/store-appointments/cancel", test_cancel);
  ADD ("/store-appointments/check-in", test_check_in);
  ADD ("/store-appointments/no-shows", test_no_shows);
  ADD ("/store-appointments/codes", test_codes);
  ADD ("/store-appointments/listings", test_listings);
  ADD ("/store-appointments/old-codes", test_old_codes);
  g_test_add_func ("/store-appointments/code-forms", test_code_forms);
  g_test_add_func ("/store-appointments/masks", test_masks);
#undef ADD
  return g_test_run ();
}
