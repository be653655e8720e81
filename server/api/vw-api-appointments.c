/* vw-api-appointments.c: appointments (我要约) under /api/slots and
 * /api/appointments (see server/API.md; the store's side and the rules are
 * in vw-store-appointments.h and vw-slots.h):
 *
 *   GET    /api/slots?item=&center=&province=&from=&to=   anyone: slots not over yet
 *   POST   /api/slots                                     admins, the centre's supervisors
 *   POST   /api/appointments                              anyone: book a place
 *   GET    /api/appointments?codes=A,B                    anyone: their own, by code
 *   GET    /api/appointments?center=&date=                agents and supervisors, in scope
 *   GET    /api/appointments/CODE                         anyone with the code
 *   DELETE /api/appointments/CODE                         anyone with the code: cancel
 *
 * Clerks and enterprises have no account: the code a booking returns is
 * their only key to it.  Creating a slot is audited ("create-slot").
 *
 * A code is 79 random bits (vw-store-appointments.h), and guessing is
 * slowed down besides: per remote address, each code that matches no
 * booking is a failure (vw-throttle.h); after CODE_FREE_FAILURES the
 * address waits (429).  What a code shows of its holder is masked (a
 * citizen's name, the contact); the staff of the centre see them whole. */
#include "vw-api-sessions-private.h"
#include "vw-api-private.h"
#include "vw-api-guess.h"
#include "vw-store-appointments.h"
#include "vw-store-items.h"
#include "vw-calendar.h"
#include "vw-slots.h"

#include <string.h>

#define SLOTS_PATH "/api/slots"
#define APPOINTMENTS_PATH "/api/appointments"
#define CODES_MAX 20
#define CODE_FREE_FAILURES 10    /* unknown codes of an address before a wait */
#define CODE_THROTTLE "vw-codes-address"

static const char *const creator_roles[] = { "admin", "supervisor", NULL };
static const char *const provinces[] = { "shanghai", "jiangsu", "zhejiang", "anhui", NULL };

/* ---- JSON out ---- */

static void
set_time (JsonObject *o, const char *name, const char *iso_name, gint64 ms)
{
  g_autofree char *iso = vw_slot_format_iso (ms);

  json_object_set_int_member (o, name, ms);
  json_object_set_string_member (o, iso_name, iso);
}

static void
set_nullable_ms (JsonObject *o, const char *name, gint64 ms)
{
  if (ms)
    json_object_set_int_member (o, name, ms);
  else
    json_object_set_null_member (o, name);
}

/* SLOT of server/API.md, bookable as of @now.  (transfer full) */
static JsonObject *
slot_json (const VwStoreSlot *s, gint64 now)
{
  JsonObject *o = json_object_new ();
  guint remaining = vw_slot_remaining (s->capacity, s->booked);

  json_object_set_int_member (o, "id", s->id);
  json_object_set_string_member (o, "center", s->center);
  json_object_set_string_member (o, "province", s->province);
  json_object_set_string_member (o, "item", s->item);
  vw_api_set_nullable_string (o, "item_name", s->item_name);
  set_time (o, "starts_at", "starts_at_iso", s->starts_at);
  set_time (o, "ends_at", "ends_at_iso", s->ends_at);
  json_object_set_int_member (o, "capacity", s->capacity);
  json_object_set_int_member (o, "booked", s->booked);
  json_object_set_int_member (o, "remaining", remaining);
  json_object_set_boolean_member (o, "bookable",
      remaining > 0 && vw_slot_can_cancel (now, s->starts_at));
  return o;
}

typedef enum {
  SHOW_WHOLE,    /* to the centre's staff, and to who just booked */
  SHOW_MASKED,   /* to anyone with the code */
} Show;

/* APPOINTMENT of server/API.md.  (transfer full) */
static JsonObject *
booking_json (const VwStoreBooking *b, Show show)
{
  JsonObject *o = json_object_new ();
  g_autofree char *grouped = vw_store_booking_code_group (b->code);

  json_object_set_string_member (o, "code", b->code);
  json_object_set_string_member (o, "code_shown", grouped);
  json_object_set_int_member (o, "slot", b->slot_id);
  json_object_set_string_member (o, "item", b->item);
  vw_api_set_nullable_string (o, "item_name", b->item_name);
  json_object_set_string_member (o, "center", b->center);
  json_object_set_string_member (o, "province", b->province);
  set_time (o, "starts_at", "starts_at_iso", b->starts_at);
  set_time (o, "ends_at", "ends_at_iso", b->ends_at);
  /* When its holder may come (request with the code), so pages need not
   * know the server's window. */
  set_time (o, "checkin_opens_at", "checkin_opens_at_iso",
      b->starts_at - VW_SLOT_EARLY_DEFAULT_MS);
  if (show == SHOW_MASKED) {
    g_autofree char *name = vw_store_booking_mask_name (b->holder_name, b->holder_kind);
    g_autofree char *contact = b->contact ? vw_store_booking_mask_contact (b->contact)
        : NULL;
    json_object_set_string_member (o, "name", name);
    vw_api_set_nullable_string (o, "contact", contact);
  } else {
    json_object_set_string_member (o, "name", b->holder_name);
    vw_api_set_nullable_string (o, "contact", b->contact);
  }
  json_object_set_string_member (o, "kind", b->holder_kind);
  json_object_set_string_member (o, "state", vw_store_booking_state_name (b->state));
  json_object_set_int_member (o, "created_at", b->created_at);
  set_nullable_ms (o, "cancelled_at", b->cancelled_at);
  set_nullable_ms (o, "arrived_at", b->arrived_at);
  vw_api_set_nullable_string (o, "session_id", b->session_id);
  return o;
}

static JsonArray *
bookings_json (GPtrArray *list, Show show)
{
  JsonArray *a = json_array_new ();

  for (guint i = 0; i < list->len; i++)
    json_array_add_object_element (a, booking_json (g_ptr_array_index (list, i), show));
  return a;
}

/* ---- requests ---- */

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* A body without a member outside @known; FALSE after responding 400. */
static gboolean
check_members (SoupServerMessage *msg, JsonObject *body, const char *const *known)
{
  g_autoptr (GList) members = json_object_get_members (body);

  for (GList *l = members; l; l = l->next)
    if (!g_strv_contains (known, l->data)) {
      g_autofree char *shown = g_strescape (l->data, NULL);
      g_autofree char *message = g_strdup_printf ("unknown field '%.40s'", shown);
      vw_api_bad_request (msg, message);
      return FALSE;
    }
  return TRUE;
}

/* The string member @name, trimmed (NULL when absent and not @required);
 * FALSE after responding 400. */
static gboolean
string_member (SoupServerMessage *msg, JsonObject *o, const char *name,
    gboolean required, char **out)
{
  JsonNode *node = json_object_get_member (o, name);

  if ((!node || JSON_NODE_HOLDS_NULL (node)) && !required)
    return TRUE;
  if (!node || json_node_get_value_type (node) != G_TYPE_STRING) {
    g_autofree char *message = g_strdup_printf ("%s must be a string", name);
    vw_api_bad_request (msg, message);
    return FALSE;
  }
  *out = g_strstrip (g_strdup (json_node_get_string (node)));
  return TRUE;
}

static gboolean
int_member (SoupServerMessage *msg, JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *node = json_object_get_member (o, name);

  if (!node || json_node_get_value_type (node) != G_TYPE_INT64) {
    g_autofree char *message = g_strdup_printf ("%s must be an integer", name);
    vw_api_bad_request (msg, message);
    return FALSE;
  }
  *out = json_node_get_int (node);
  return TRUE;
}

/* ISO 8601 text as a time, UTC+8 unless it says otherwise; also
 * "YYYY-MM-DDTHH:MM" and "YYYY-MM-DD HH:MM", which GLib wants with
 * seconds.  (transfer full) or NULL. */
static GDateTime *
parse_time (const char *text)
{
  g_autoptr (GTimeZone) cst = g_time_zone_new_offset (8 * 3600);
  GDateTime *dt = g_date_time_new_from_iso8601 (text, cst);

  if (!dt && strlen (text) == 16 && (text[10] == 'T' || text[10] == ' ')) {
    g_autofree char *full = g_strdup_printf ("%.10sT%s:00", text, text + 11);
    dt = g_date_time_new_from_iso8601 (full, cst);
  }
  return dt;
}

/* A time: unix ms, or text as parse_time() reads it. */
static gboolean
time_member (SoupServerMessage *msg, JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node && json_node_get_value_type (node) == G_TYPE_STRING) {
    g_autoptr (GDateTime) dt = parse_time (json_node_get_string (node));
    if (dt) {
      *out = g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
      return TRUE;
    }
  } else if (node && json_node_get_value_type (node) == G_TYPE_INT64) {
    *out = json_node_get_int (node);
    return TRUE;
  }
  g_autofree char *message = g_strdup_printf ("%s must be unix milliseconds or a time"
      " such as \"2026-11-23T09:30\" (UTC+8)", name);
  vw_api_bad_request (msg, message);
  return FALSE;
}

static void
send_store_error (SoupServerMessage *msg, const char *what, const GError *error)
{
  if (g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID))
    vw_api_bad_request (msg, error->message);
  else
    vw_api_store_failed (msg, what, error);
}

static void
no_appointment (SoupServerMessage *msg)
{
  vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no appointment with this code");
}

/* ---- GET /api/slots ---- */

static void
list_slots (VwApiContext *context, SoupServerMessage *msg, GHashTable *query)
{
  static const char *const params[] = { "item", "center", "province", "from", "to", NULL };
  VwStoreSlotFilter filter = { 0 };
  g_autoptr (GError) error = NULL;
  gint64 now = now_ms ();

  if (!vw_api_check_query_names (msg, query, params)
      || !vw_api_query_date (msg, "from", vw_api_query_value (query, "from"), FALSE,
          &filter.from_ms)
      || !vw_api_query_date (msg, "to", vw_api_query_value (query, "to"), TRUE,
          &filter.to_ms))
    return;
  if (filter.from_ms && filter.to_ms && filter.to_ms <= filter.from_ms) {
    vw_api_bad_request (msg, "to is before from");
    return;
  }
  filter.item = vw_api_query_value (query, "item");
  filter.center = vw_api_query_value (query, "center");
  filter.province = vw_api_query_value (query, "province");
  filter.ending_after_ms = now;
  g_autoptr (GPtrArray) list = vw_store_list_slots (context->store, &filter, &error);
  if (!list) {
    vw_api_store_failed (msg, "listing slots", error);
    return;
  }
  g_autoptr (JsonObject) body = json_object_new ();
  JsonArray *slots = json_array_new ();
  for (guint i = 0; i < list->len; i++)
    json_array_add_object_element (slots, slot_json (g_ptr_array_index (list, i), now));
  json_object_set_array_member (body, "slots", slots);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* ---- POST /api/slots ---- */

/* Whether @claims may create slots at @center of @province: admins
 * anywhere, supervisors in their scope (their centre, or their province).
 * FALSE after responding 403. */
static gboolean
may_create_at (SoupServerMessage *msg, const VwTokenClaims *claims, const char *center,
    const char *province)
{
  gboolean ok = g_str_equal (claims->role, "admin");

  if (!ok && g_strcmp0 (claims->scope, "province") == 0)
    ok = g_strcmp0 (province, claims->province) == 0;
  else if (!ok)
    ok = g_strcmp0 (province, claims->province) == 0
        && g_strcmp0 (center, claims->center) == 0;
  if (!ok)
    vw_api_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
        "a supervisor creates slots only for the centres of their scope");
  return ok;
}

/* The catalogue's item @slot->item exists and is handled in the slot's
 * province; FALSE after responding 400 or 500. */
static gboolean
check_item (VwApiContext *context, SoupServerMessage *msg, const VwStoreSlot *slot)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreItem) item = vw_store_get_item (context->store, slot->item, &error);

  if (!item && g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    g_autofree char *message = g_strdup_printf ("no item '%.40s' in the catalogue",
        slot->item);
    vw_api_bad_request (msg, message);
    return FALSE;
  }
  if (!item) {
    vw_api_store_failed (msg, "reading an item", error);
    return FALSE;
  }
  if (!g_strv_contains ((const char *const *) item->provinces, slot->province)) {
    g_autofree char *message = g_strdup_printf ("item %s (%s) is not handled in %s",
        item->code, item->name, slot->province);
    vw_api_bad_request (msg, message);
    return FALSE;
  }
  return TRUE;
}

/* 400 for a broken rule of vw-slots.h: `slot-out-of-range` for times
 * outside the years a slot may have, `bad-request` for the others. */
static void
send_slot_error (SoupServerMessage *msg, const GError *error)
{
  if (g_error_matches (error, VW_SLOT_ERROR, VW_SLOT_ERROR_OUT_OF_RANGE))
    vw_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "slot-out-of-range", error->message);
  else
    vw_api_bad_request (msg, error->message);
}

/* Reads the slot of @body; FALSE after responding 400. */
static gboolean
parse_slot (SoupServerMessage *msg, JsonObject *body, VwStoreSlot *slot)
{
  static const char *const known[] = { "center", "province", "item", "starts_at",
    "ends_at", "capacity", NULL };
  g_autoptr (GError) error = NULL;
  gint64 capacity;

  if (!check_members (msg, body, known)
      || !string_member (msg, body, "center", TRUE, &slot->center)
      || !string_member (msg, body, "province", TRUE, &slot->province)
      || !string_member (msg, body, "item", TRUE, &slot->item)
      || !time_member (msg, body, "starts_at", &slot->starts_at)
      || !time_member (msg, body, "ends_at", &slot->ends_at)
      || !int_member (msg, body, "capacity", &capacity))
    return FALSE;
  if (!g_strv_contains (provinces, slot->province)) {
    g_autofree char *shown = g_strescape (slot->province, NULL);
    g_autofree char *message = g_strdup_printf ("province '%.40s' is none of shanghai,"
        " jiangsu, zhejiang, anhui", shown);
    vw_api_bad_request (msg, message);
    return FALSE;
  }
  if (!vw_slot_check (slot->starts_at, slot->ends_at, capacity, &error)) {
    send_slot_error (msg, error);
    return FALSE;
  }
  slot->capacity = capacity;
  return TRUE;
}

static void
create_slot (VwApiContext *context, SoupServerMessage *msg)
{
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg, creator_roles);
  g_autoptr (VwStoreSlot) slot = g_new0 (VwStoreSlot, 1);
  g_autoptr (GError) error = NULL;
  gint64 now = now_ms (), id;

  if (!claims)
    return;
  g_autoptr (JsonObject) body = vw_api_read_json_object (msg);
  if (!body || !parse_slot (msg, body, slot)
      || !may_create_at (msg, claims, slot->center, slot->province)
      || !check_item (context, msg, slot))
    return;
  if (slot->starts_at <= now) {
    vw_api_bad_request (msg, "the slot starts in the past");
    return;
  }
  if (!vw_slot_check_horizon (now, slot->starts_at, &error)) {
    send_slot_error (msg, error);
    return;
  }
  slot->created_by = g_strdup (claims->username);
  slot->created_at = now;
  if (!vw_store_create_slot (context->store, slot, &id, &error)) {
    send_store_error (msg, "creating a slot", error);
    return;
  }
  g_autoptr (VwStoreSlot) stored = vw_store_get_slot (context->store, id, &error);
  if (!stored) {
    vw_api_store_failed (msg, "reading a slot", error);
    return;
  }
  g_autoptr (JsonObject) answer = slot_json (stored, now);
  if (!vw_api_audit (context, claims->username, "create-slot", NULL, answer)) {
    vw_api_store_failed (msg, "auditing create-slot", NULL);
    return;
  }
  g_autofree char *center_shown = vw_log_escape (stored->center);
  g_autofree char *item_shown = vw_log_escape (stored->item);
  g_message ("%s created slot %" G_GINT64_FORMAT " (%s, %s, %d places)",
      claims->username, id, center_shown, item_shown, stored->capacity);
  vw_api_send_json (msg, SOUP_STATUS_CREATED, answer);
}

/* ---- POST /api/appointments ---- */

static void
book (VwApiContext *context, SoupServerMessage *msg)
{
  static const char *const known[] = { "slot", "name", "kind", "contact", NULL };
  g_autoptr (JsonObject) body = vw_api_read_json_object (msg);
  g_autofree char *name = NULL, *kind = NULL, *contact = NULL;
  g_autoptr (GError) error = NULL;
  VwStoreBooking *booking = NULL;
  gint64 slot_id, now = now_ms ();

  if (!body || !check_members (msg, body, known)
      || !int_member (msg, body, "slot", &slot_id)
      || !string_member (msg, body, "name", TRUE, &name)
      || !string_member (msg, body, "kind", TRUE, &kind)
      || !string_member (msg, body, "contact", FALSE, &contact))
    return;
  g_autoptr (VwStoreSlot) slot = vw_store_get_slot (context->store, slot_id, &error);
  if (!slot && g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such slot");
    return;
  }
  if (!slot) {
    vw_api_store_failed (msg, "reading a slot", error);
    return;
  }
  if (!vw_slot_can_cancel (now, slot->starts_at)) {
    vw_api_send_error (msg, SOUP_STATUS_CONFLICT, "slot-started",
        "the slot has started: choose a later one");
    return;
  }
  if (!vw_store_book (context->store, slot_id, name, kind, contact, now, &booking,
          &error)) {
    /* Not started at @now (checked above): full. */
    if (g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT))
      vw_api_send_error (msg, SOUP_STATUS_CONFLICT, "slot-full", error->message);
    else
      send_store_error (msg, "booking", error);
    return;
  }
  g_message ("slot %" G_GINT64_FORMAT " booked (%s)", slot_id, booking->holder_kind);
  g_autoptr (JsonObject) answer = booking_json (booking, SHOW_WHOLE);   /* as just sent */
  vw_store_booking_free (booking);
  vw_api_send_json (msg, SOUP_STATUS_CREATED, answer);
}

/* ---- GET /api/appointments ---- */

/* Guessing codes: the throttle and the address of @msg. */
typedef struct {
  VwThrottle *throttle;   /* borrowed: the server's */
  char *address;
} Guard;

static void
guard_clear (Guard *guard)
{
  g_free (guard->address);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Guard, guard_clear)

static void
guard_init (Guard *guard, SoupServer *server, VwApiContext *context,
    SoupServerMessage *msg)
{
  guard->throttle = vw_api_guess_throttle (server, context, CODE_THROTTLE,
      CODE_FREE_FAILURES);
  guard->address = vw_api_guess_address_key (msg);
}

/* FALSE after responding 429 when the address must wait. */
static gboolean
guard_allows (Guard *guard, SoupServerMessage *msg)
{
  gint64 wait = vw_throttle_wait_ms (guard->throttle, guard->address,
      vw_api_guess_now_ms ());

  if (wait <= 0)
    return TRUE;
  g_message ("booking codes from %s refused for %" G_GINT64_FORMAT " ms: too many"
      " unknown codes", guard->address, wait);
  vw_api_guess_refuse (msg, wait);
  return FALSE;
}

/* A code that matched no booking: one failure of the address. */
static void
guard_miss (Guard *guard)
{
  vw_throttle_fail (guard->throttle, guard->address, vw_api_guess_now_ms ());
}

/* ?codes=A,B,C: the caller's own bookings; codes that are not known are
 * left out (a code is a secret: nothing tells which exist).  Each unknown
 * code is a failure of the address; when they make it wait, the request
 * is answered 429, not with what the codes before found. */
static void
list_by_codes (VwApiContext *context, SoupServerMessage *msg, Guard *guard,
    const char *codes_text)
{
  g_auto (GStrv) parts = g_strsplit (codes_text, ",", -1);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;

  if (!guard_allows (guard, msg))
    return;
  for (guint i = 0; parts[i]; i++) {
    char *text = g_strstrip (parts[i]);
    if (!*text)
      continue;
    char *code = vw_store_booking_code_normalize (text);
    if (!code) {
      g_autofree char *shown = g_strescape (text, NULL);
      g_autofree char *message = g_strdup_printf ("'%.20s' is not an appointment code",
          shown);
      vw_api_bad_request (msg, message);
      return;
    }
    g_ptr_array_add (codes, code);
  }
  if (codes->len == 0 || codes->len > CODES_MAX) {
    vw_api_bad_request (msg, "codes must list 1 to 20 appointment codes");
    return;
  }
  for (guint i = 0; i < codes->len; i++) {
    g_autoptr (VwStoreBooking) b = vw_store_get_booking (context->store,
        g_ptr_array_index (codes, i), &error);
    if (!b && !g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
      vw_api_store_failed (msg, "reading an appointment", error);
      return;
    }
    g_clear_error (&error);
    if (!b) {
      guard_miss (guard);
      if (!guard_allows (guard, msg))
        return;   /* not even what the codes before found */
    }
  }
  g_ptr_array_add (codes, NULL);
  g_autoptr (GPtrArray) list = vw_store_list_bookings_by_codes (context->store,
      (const char *const *) codes->pdata, &error);
  if (!list) {
    vw_api_store_failed (msg, "listing appointments", error);
    return;
  }
  g_autoptr (JsonObject) body = json_object_new ();
  json_object_set_array_member (body, "appointments", bookings_json (list, SHOW_MASKED));
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* ?center=&date=: a centre's bookings of a day, for its staff.  Agents and
 * centre supervisors see their own centre (the default), province
 * supervisors every centre of their province. */
static void
list_for_center (VwApiContext *context, SoupServerMessage *msg, GHashTable *query)
{
  static const char *const params[] = { "center", "date", NULL };
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_viewer_roles);
  g_autoptr (GError) error = NULL;
  gint64 from = vw_calendar_day_start (vw_calendar_day_of (now_ms ()));

  if (!claims || !vw_api_check_query_names (msg, query, params)
      || !vw_api_query_date (msg, "date", vw_api_query_value (query, "date"), FALSE,
          &from))
    return;
  const char *center = vw_api_query_value (query, "center");
  gboolean whole_province = g_str_equal (claims->role, "supervisor")
      && g_strcmp0 (claims->scope, "province") == 0;
  if (!whole_province && center && !g_str_equal (center, claims->center)) {
    vw_api_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
        "this centre is outside your scope");
    return;
  }
  if (!whole_province)
    center = claims->center;
  g_autoptr (GPtrArray) list = vw_store_list_center_bookings (context->store, center,
      claims->province, from, from + VW_CALENDAR_DAY_MS, &error);
  if (!list) {
    vw_api_store_failed (msg, "listing a centre's appointments", error);
    return;
  }

  JsonObject *by_state = json_object_new ();
  for (VwStoreBookingState state = VW_STORE_BOOKING_BOOKED;
       state <= VW_STORE_BOOKING_NO_SHOW; state++) {
    guint n = 0;
    for (guint i = 0; i < list->len; i++)
      n += ((VwStoreBooking *) g_ptr_array_index (list, i))->state == state;
    json_object_set_int_member (by_state, vw_store_booking_state_name (state), n);
  }
  g_autoptr (JsonObject) body = json_object_new ();
  g_autofree char *date = vw_calendar_format_date (from);
  vw_api_set_nullable_string (body, "center", center);
  json_object_set_string_member (body, "province", claims->province);
  json_object_set_string_member (body, "date", date);
  json_object_set_object_member (body, "counts", by_state);
  json_object_set_array_member (body, "appointments", bookings_json (list, SHOW_WHOLE));
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

static void
list_appointments (VwApiContext *context, SoupServerMessage *msg, Guard *guard,
    GHashTable *query)
{
  const char *codes = query ? g_hash_table_lookup (query, "codes") : NULL;

  if (!codes) {
    list_for_center (context, msg, query);
    return;
  }
  if (g_hash_table_size (query) > 1) {
    vw_api_bad_request (msg, "codes goes alone: no other parameter with it");
    return;
  }
  list_by_codes (context, msg, guard, codes);
}

/* ---- GET and DELETE /api/appointments/CODE ---- */

/* @text as a code; NULL after responding 404 (not a code's shape) or 429
 * (the address must wait). */
static char *
path_code (SoupServerMessage *msg, Guard *guard, const char *text)
{
  g_autofree char *code = vw_store_booking_code_normalize (text);

  if (!code) {
    no_appointment (msg);
    return NULL;
  }
  if (!guard_allows (guard, msg))
    return NULL;
  return g_steal_pointer (&code);
}

static void
get_appointment (VwApiContext *context, SoupServerMessage *msg, Guard *guard,
    const char *text)
{
  g_autofree char *code = path_code (msg, guard, text);
  g_autoptr (GError) error = NULL;

  if (!code)
    return;
  g_autoptr (VwStoreBooking) b = vw_store_get_booking (context->store, code, &error);
  if (!b && g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    guard_miss (guard);
    no_appointment (msg);
  } else if (!b) {
    vw_api_store_failed (msg, "reading an appointment", error);
  } else {
    g_autoptr (JsonObject) body = booking_json (b, SHOW_MASKED);
    vw_api_send_json (msg, SOUP_STATUS_OK, body);
  }
}

static void
cancel_appointment (VwApiContext *context, SoupServerMessage *msg, Guard *guard,
    const char *text)
{
  g_autofree char *code = path_code (msg, guard, text);
  g_autoptr (GError) error = NULL;
  VwStoreBooking *b = NULL;

  if (!code)
    return;
  if (!vw_store_cancel_booking (context->store, code, now_ms (), &b, &error)) {
    if (g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
      guard_miss (guard);
      no_appointment (msg);
    } else if (g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT)) {
      vw_api_send_error (msg, SOUP_STATUS_CONFLICT, "conflict", error->message);
    } else {
      vw_api_store_failed (msg, "cancelling an appointment", error);
    }
    return;
  }
  g_message ("appointment of slot %" G_GINT64_FORMAT " cancelled", b->slot_id);
  g_autoptr (JsonObject) body = booking_json (b, SHOW_MASKED);
  vw_store_booking_free (b);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* ---- routing ---- */

static void
not_allowed (SoupServerMessage *msg, const char *allow)
{
  g_autofree char *message = g_strdup_printf ("this resource takes %s", allow);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
      "Allow", allow);
  vw_api_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed", message);
}

static gboolean
is_get (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  return method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD;
}

static void
on_slots (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  const char *rest = path + strlen (SLOTS_PATH);

  if (*rest && !g_str_equal (rest, "/"))
    vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such resource");
  else if (is_get (msg))
    list_slots (user_data, msg, query);
  else if (soup_server_message_get_method (msg) == SOUP_METHOD_POST)
    create_slot (user_data, msg);
  else
    not_allowed (msg, "GET, POST");
}

static void
on_appointments (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  const char *rest = path + strlen (APPOINTMENTS_PATH);
  const char *method = soup_server_message_get_method (msg);
  g_auto (Guard) guard = { 0 };

  guard_init (&guard, server, user_data, msg);
  if (!*rest || g_str_equal (rest, "/")) {
    if (is_get (msg))
      list_appointments (user_data, msg, &guard, query);
    else if (method == SOUP_METHOD_POST)
      book (user_data, msg);
    else
      not_allowed (msg, "GET, POST");
  } else if (*rest != '/' || strchr (rest + 1, '/')) {
    vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such resource");
  } else if (is_get (msg)) {
    get_appointment (user_data, msg, &guard, rest + 1);
  } else if (method == SOUP_METHOD_DELETE) {
    cancel_appointment (user_data, msg, &guard, rest + 1);
  } else {
    not_allowed (msg, "GET, DELETE");
  }
}

void
vw_api_appointments_register (SoupServer *server, VwApiContext *context)
{
  g_return_if_fail (SOUP_IS_SERVER (server) && context != NULL);

  vw_api_add_handler (server, SLOTS_PATH, on_slots, context);
  vw_api_add_handler (server, APPOINTMENTS_PATH, on_appointments, context);
}
