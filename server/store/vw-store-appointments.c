/* vw-store-appointments.c: slots and bookings (see
 * vw-store-appointments.h; the rules themselves are in vw-slots.c). */
#include "vw-store-appointments.h"
#include "vw-store-db.h"
#include "vw-store-items.h"
#include "vw-slots.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#define CENTER_MAX 200      /* bytes, as a centre of the catalogue */
#define CREATED_BY_MAX 200  /* bytes */
#define CODE_ATTEMPTS 8     /* fresh codes tried before giving up */

/* The wire names of the provinces (the store does not link the protocol). */
static const char *const provinces[] = { "shanghai", "jiangsu", "zhejiang", "anhui", NULL };
static const char *const holder_kinds[] = { "enterprise", "citizen", NULL };
static const char *const state_names[] = { "booked", "cancelled", "arrived", "no-show" };

/* ---- plain helpers ---- */

const char *
vw_store_booking_state_name (VwStoreBookingState state)
{
  return (guint) state < G_N_ELEMENTS (state_names) ? state_names[state] : "booked";
}

static VwStoreBookingState
state_from_name (const char *name)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (name, state_names[i]))
      return i;
  return VW_STORE_BOOKING_BOOKED;
}

gboolean
vw_store_booking_code_is_valid (const char *code)
{
  gsize len = code ? strlen (code) : 0;

  if (len != VW_STORE_BOOKING_CODE_LEN && len != VW_STORE_BOOKING_CODE_OLD_LEN)
    return FALSE;
  for (const char *p = code; *p; p++)
    if (!strchr (VW_STORE_BOOKING_CODE_ALPHABET, *p))
      return FALSE;
  return TRUE;
}

char *
vw_store_booking_code_normalize (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);

  if (strlen (text) > 4 * VW_STORE_BOOKING_CODE_LEN)
    return NULL;
  GString *code = g_string_new (NULL);
  for (const char *p = text; *p; p++)
    if (*p != '-' && *p != ' ')
      g_string_append_c (code, g_ascii_toupper (*p));
  if (!vw_store_booking_code_is_valid (code->str)) {
    g_string_free (code, TRUE);
    return NULL;
  }
  return g_string_free (code, FALSE);
}

char *
vw_store_booking_code_group (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  GString *shown = g_string_new (NULL);
  for (gsize i = 0; code[i]; i++) {
    if (i && i % 4 == 0)
      g_string_append_c (shown, '-');
    g_string_append_c (shown, code[i]);
  }
  return g_string_free (shown, FALSE);
}

/* @text's first character and "***". */
static char *
first_and_stars (const char *text, const char *rest)
{
  const char *next = g_utf8_next_char (text);

  return g_strdup_printf ("%.*s%s", (int) (next - text), text, rest);
}

char *
vw_store_booking_mask_contact (const char *contact)
{
  g_return_val_if_fail (contact != NULL, NULL);

  const char *at = strchr (contact, '@');
  guint digits = 0;
  gboolean phone = *contact != '\0';

  if (!*contact)
    return g_strdup ("");
  if (at && at != contact) {
    g_autofree char *rest = g_strconcat ("***", at, NULL);
    return first_and_stars (contact, rest);
  }
  for (const char *p = contact; *p; p++) {
    if (g_ascii_isdigit (*p))
      digits++;
    else if (!strchr ("+-() ", *p))
      phone = FALSE;
  }
  if (!phone || digits < 8)
    return first_and_stars (contact, "***");
  char *masked = g_strdup (contact);
  guint seen = 0;
  for (char *p = masked; *p; p++)
    if (g_ascii_isdigit (*p)) {
      if (seen >= 3 && seen < digits - 4)
        *p = '*';
      seen++;
    }
  return masked;
}

char *
vw_store_booking_mask_name (const char *name, const char *kind)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (g_strcmp0 (kind, "enterprise") == 0 || !*name)
    return g_strdup (name);
  glong rest = g_utf8_strlen (name, -1) - 1;
  GString *masked = g_string_new_len (name, g_utf8_next_char (name) - name);
  for (glong i = 0; i < MAX (rest, 1); i++)
    g_string_append_c (masked, '*');
  return g_string_free (masked, FALSE);
}

/* A fresh code from the kernel's random bytes (a code is a secret: who
 * has it may cancel), by rejection so that every character is as likely. */
static gboolean
random_code (char code[VW_STORE_BOOKING_CODE_LEN + 1], GError **error)
{
  const guint n = sizeof VW_STORE_BOOKING_CODE_ALPHABET - 1;
  const guint limit = 256 - 256 % n;
  guint got = 0;

  while (got < VW_STORE_BOOKING_CODE_LEN) {
    guint8 bytes[32];
    ssize_t len = getrandom (bytes, sizeof bytes, 0);
    if (len < 0 && errno == EINTR)
      continue;
    if (len <= 0)
      return store_fail (error, VW_STORE_ERROR_SQLITE, "no random bytes for a code: %s",
          g_strerror (errno));
    for (ssize_t i = 0; i < len && got < VW_STORE_BOOKING_CODE_LEN; i++)
      if (bytes[i] < limit)
        code[got++] = VW_STORE_BOOKING_CODE_ALPHABET[bytes[i] % n];
  }
  code[got] = '\0';
  return TRUE;
}

/* Non-empty printable UTF-8 of at most @max_chars characters and
 * @max_bytes bytes. */
static gboolean
check_text (const char *value, const char *what, glong max_chars, gsize max_bytes,
    GError **error)
{
  if (!store_require_text (value, what, error))
    return FALSE;
  gsize len = strlen (value);
  gboolean ok = len <= max_bytes && g_utf8_validate (value, len, NULL)
      && g_utf8_strlen (value, len) <= max_chars;

  for (const char *p = value; ok && *p; p = g_utf8_next_char (p))
    ok = g_unichar_isprint (g_utf8_get_char (p));
  if (ok)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_INVALID,
      "%s must be 1 to %ld printable characters", what, max_chars);
}

/* ---- rows ---- */

#define SLOT_SELECT \
  "SELECT s.id, s.center, s.province, s.item, i.name, s.starts_at, s.ends_at," \
  " s.capacity, (SELECT count(*) FROM bookings b WHERE b.slot_id = s.id" \
  "   AND b.state IN ('booked', 'arrived'))," \
  " s.created_by, s.created_at" \
  " FROM slots s LEFT JOIN items i ON i.code = s.item"

static gpointer
slot_from_row (sqlite3_stmt *stmt)
{
  VwStoreSlot *s = g_new0 (VwStoreSlot, 1);

  s->id = sqlite3_column_int64 (stmt, 0);
  s->center = store_column_dup (stmt, 1);
  s->province = store_column_dup (stmt, 2);
  s->item = store_column_dup (stmt, 3);
  s->item_name = store_column_dup (stmt, 4);
  s->starts_at = sqlite3_column_int64 (stmt, 5);
  s->ends_at = sqlite3_column_int64 (stmt, 6);
  s->capacity = sqlite3_column_int (stmt, 7);
  s->booked = sqlite3_column_int (stmt, 8);
  s->created_by = store_column_dup (stmt, 9);
  s->created_at = sqlite3_column_int64 (stmt, 10);
  return s;
}

#define BOOKING_SELECT \
  "SELECT b.id, b.code, b.slot_id, b.holder_name, b.holder_kind, b.contact, b.state," \
  " b.created_at, b.cancelled_at, b.arrived_at, b.session_id," \
  " s.center, s.province, s.item, i.name, s.starts_at, s.ends_at" \
  " FROM bookings b JOIN slots s ON s.id = b.slot_id" \
  " LEFT JOIN items i ON i.code = s.item"

static gpointer
booking_from_row (sqlite3_stmt *stmt)
{
  VwStoreBooking *b = g_new0 (VwStoreBooking, 1);

  b->id = sqlite3_column_int64 (stmt, 0);
  b->code = store_column_dup (stmt, 1);
  b->slot_id = sqlite3_column_int64 (stmt, 2);
  b->holder_name = store_column_dup (stmt, 3);
  b->holder_kind = store_column_dup (stmt, 4);
  b->contact = store_column_dup (stmt, 5);
  b->state = state_from_name ((const char *) sqlite3_column_text (stmt, 6));
  b->created_at = sqlite3_column_int64 (stmt, 7);
  b->cancelled_at = sqlite3_column_int64 (stmt, 8);   /* NULL reads as 0 */
  b->arrived_at = sqlite3_column_int64 (stmt, 9);
  b->session_id = store_column_dup (stmt, 10);
  b->center = store_column_dup (stmt, 11);
  b->province = store_column_dup (stmt, 12);
  b->item = store_column_dup (stmt, 13);
  b->item_name = store_column_dup (stmt, 14);
  b->starts_at = sqlite3_column_int64 (stmt, 15);
  b->ends_at = sqlite3_column_int64 (stmt, 16);
  return b;
}

void
vw_store_slot_free (VwStoreSlot *s)
{
  if (!s)
    return;
  g_free (s->center);
  g_free (s->province);
  g_free (s->item);
  g_free (s->item_name);
  g_free (s->created_by);
  g_free (s);
}

void
vw_store_booking_free (VwStoreBooking *b)
{
  if (!b)
    return;
  g_free (b->code);
  g_free (b->holder_name);
  g_free (b->holder_kind);
  g_free (b->contact);
  g_free (b->session_id);
  g_free (b->center);
  g_free (b->province);
  g_free (b->item);
  g_free (b->item_name);
  g_free (b);
}

/* ---- slots ---- */

static gboolean
check_slot (const VwStoreSlot *slot, GError **error)
{
  g_autoptr (GError) rule = NULL;

  if (!check_text (slot->center, "centre", CENTER_MAX, CENTER_MAX, error))
    return FALSE;
  if (!slot->province || !g_strv_contains (provinces, slot->province))
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "province '%.40s' is none of shanghai, jiangsu, zhejiang, anhui",
        slot->province ? slot->province : "(null)");
  if (!vw_store_item_code_is_valid (slot->item))
    return store_fail (error, VW_STORE_ERROR_INVALID, "'%.40s' is not an item code",
        slot->item ? slot->item : "(null)");
  if (!vw_slot_check (slot->starts_at, slot->ends_at, slot->capacity, &rule))
    return store_fail (error, VW_STORE_ERROR_INVALID, "%s", rule->message);
  return check_text (slot->created_by, "who creates the slot", CREATED_BY_MAX,
             CREATED_BY_MAX, error)
      && store_require_time (slot->created_at, "created_at", error);
}

static gboolean
slot_insert (VwStore *store, const VwStoreSlot *slot, gint64 *id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO slots (center, province, item, starts_at, ends_at, capacity,"
      " created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, slot->center);
  store_bind_text (stmt, 2, slot->province);
  store_bind_text (stmt, 3, slot->item);
  sqlite3_bind_int64 (stmt, 4, slot->starts_at);
  sqlite3_bind_int64 (stmt, 5, slot->ends_at);
  sqlite3_bind_int (stmt, 6, slot->capacity);
  store_bind_text (stmt, 7, slot->created_by);
  sqlite3_bind_int64 (stmt, 8, slot->created_at);
  if (!store_step_done (store, stmt, "creating the slot", error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (store->db);
  return TRUE;
}

gboolean
vw_store_create_slot (VwStore *store, const VwStoreSlot *slot, gint64 *id_out,
    GError **error)
{
  gint64 id = 0;

  g_return_val_if_fail (store != NULL && slot != NULL, FALSE);

  if (!check_slot (slot, error) || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, slot_insert (store, slot, &id, error), error))
    return FALSE;
  if (id_out)
    *id_out = id;
  return TRUE;
}

VwStoreSlot *
vw_store_get_slot (VwStore *store, gint64 id, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, SLOT_SELECT " WHERE s.id = ?1",
      error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!store_step_row (store, stmt, &has_row, "reading the slot", error))
    return NULL;
  if (!has_row) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no slot %" G_GINT64_FORMAT, id);
    return NULL;
  }
  return slot_from_row (stmt);
}

/* Binds @value to @name, or NULL (no condition) when it is 0. */
static void
bind_time (sqlite3_stmt *stmt, const char *name, gint64 value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0 && value)
    sqlite3_bind_int64 (stmt, index, value);
}

static void
bind_named_text (sqlite3_stmt *stmt, const char *name, const char *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    store_bind_text (stmt, index, value);
}

GPtrArray *
vw_store_list_slots (VwStore *store, const VwStoreSlotFilter *filter, GError **error)
{
  g_return_val_if_fail (store != NULL && filter != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, SLOT_SELECT
      " WHERE (:item IS NULL OR s.item = :item)"
      " AND (:center IS NULL OR s.center = :center)"
      " AND (:province IS NULL OR s.province = :province)"
      " AND (:from IS NULL OR s.starts_at >= :from)"
      " AND (:to IS NULL OR s.starts_at < :to)"
      " AND (:after IS NULL OR s.ends_at > :after)"
      " ORDER BY s.starts_at, s.id LIMIT :limit", error);

  if (!stmt)
    return NULL;
  bind_named_text (stmt, ":item", filter->item);
  bind_named_text (stmt, ":center", filter->center);
  bind_named_text (stmt, ":province", filter->province);
  bind_time (stmt, ":from", filter->from_ms);
  bind_time (stmt, ":to", filter->to_ms);
  bind_time (stmt, ":after", filter->ending_after_ms);
  sqlite3_bind_int (stmt, sqlite3_bind_parameter_index (stmt, ":limit"),
      VW_STORE_SLOTS_MAX);
  return store_collect (store, stmt, slot_from_row, (GDestroyNotify) vw_store_slot_free,
      error);
}

/* ---- reading bookings ---- */

VwStoreBooking *
vw_store_get_booking (VwStore *store, const char *code, GError **error)
{
  g_return_val_if_fail (store != NULL && code != NULL, NULL);

  g_autofree char *upper = vw_store_booking_code_normalize (code);   /* case, groups */
  gboolean has_row = FALSE;

  if (upper) {
    g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
        BOOKING_SELECT " WHERE b.code = ?1", error);
    if (!stmt)
      return NULL;
    store_bind_text (stmt, 1, upper);
    if (!store_step_row (store, stmt, &has_row, "reading the booking", error))
      return NULL;
    if (has_row)
      return booking_from_row (stmt);
  }
  store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no booking with this code");
  return NULL;
}

static gint
by_start (gconstpointer a, gconstpointer b)
{
  const VwStoreBooking *x = *(VwStoreBooking *const *) a;
  const VwStoreBooking *y = *(VwStoreBooking *const *) b;

  if (x->starts_at != y->starts_at)
    return x->starts_at < y->starts_at ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

GPtrArray *
vw_store_list_bookings_by_codes (VwStore *store, const char *const *codes,
    GError **error)
{
  g_return_val_if_fail (store != NULL && codes != NULL, NULL);

  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (
      (GDestroyNotify) vw_store_booking_free);

  for (guint i = 0; codes[i]; i++) {
    g_autoptr (GError) local = NULL;
    g_autoptr (VwStoreBooking) b = vw_store_get_booking (store, codes[i], &local);
    gboolean seen = FALSE;

    if (!b && !g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
    for (guint j = 0; b && j < list->len && !seen; j++)
      seen = ((VwStoreBooking *) g_ptr_array_index (list, j))->id == b->id;
    if (b && !seen)
      g_ptr_array_add (list, g_steal_pointer (&b));
  }
  g_ptr_array_sort (list, by_start);
  return g_steal_pointer (&list);
}

GPtrArray *
vw_store_list_center_bookings (VwStore *store, const char *center,
    const char *province, gint64 from_ms, gint64 to_ms, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, BOOKING_SELECT
      " WHERE (:center IS NULL OR s.center = :center)"
      " AND (:province IS NULL OR s.province = :province)"
      " AND s.starts_at >= :from AND s.starts_at < :to"
      " ORDER BY s.starts_at, s.id, b.id", error);

  if (!stmt)
    return NULL;
  bind_named_text (stmt, ":center", center);
  bind_named_text (stmt, ":province", province);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":from"), from_ms);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":to"), to_ms);
  return store_collect (store, stmt, booking_from_row,
      (GDestroyNotify) vw_store_booking_free, error);
}

/* ---- booking ---- */

/* A code no booking has yet (inside the booking's transaction). */
static gboolean
fresh_code (VwStore *store, char code[VW_STORE_BOOKING_CODE_LEN + 1], GError **error)
{
  for (guint i = 0; i < CODE_ATTEMPTS; i++) {
    gboolean taken;
    if (!random_code (code, error)
        || !store_exists (store, "SELECT 1 FROM bookings WHERE code = ?1", code, &taken,
            error))
      return FALSE;
    if (!taken)
      return TRUE;
  }
  return store_fail (error, VW_STORE_ERROR_CONFLICT, "no free booking code found");
}

static gboolean
book_in_tx (VwStore *store, gint64 slot_id, const char *holder_name,
    const char *holder_kind, const char *contact, gint64 now_ms,
    char code[VW_STORE_BOOKING_CODE_LEN + 1], GError **error)
{
  g_autoptr (VwStoreSlot) slot = vw_store_get_slot (store, slot_id, error);

  if (!slot)
    return FALSE;
  if (!vw_slot_can_cancel (now_ms, slot->starts_at)) {
    g_autofree char *at = vw_slot_format_time (slot->starts_at);
    return store_fail (error, VW_STORE_ERROR_CONFLICT,
        "the slot started at %s (UTC+8): it can no longer be booked", at);
  }
  if (vw_slot_remaining (slot->capacity, slot->booked) == 0)
    return store_fail (error, VW_STORE_ERROR_CONFLICT, "the slot is full");
  if (!fresh_code (store, code, error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO bookings (slot_id, code, holder_name, holder_kind, contact, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, slot_id);
  store_bind_text (stmt, 2, code);
  store_bind_text (stmt, 3, holder_name);
  store_bind_text (stmt, 4, holder_kind);
  store_bind_text (stmt, 5, contact);
  sqlite3_bind_int64 (stmt, 6, now_ms);
  return store_step_done (store, stmt, "booking", error);
}

gboolean
vw_store_book (VwStore *store, gint64 slot_id, const char *holder_name,
    const char *holder_kind, const char *contact, gint64 now_ms, VwStoreBooking **out,
    GError **error)
{
  char code[VW_STORE_BOOKING_CODE_LEN + 1];

  g_return_val_if_fail (store != NULL, FALSE);

  if (contact && !*contact)
    contact = NULL;
  if (!check_text (holder_name, "name", VW_STORE_HOLDER_NAME_MAX,
          VW_STORE_HOLDER_NAME_MAX * 4, error)
      || (contact && !check_text (contact, "contact", VW_STORE_CONTACT_MAX,
              VW_STORE_CONTACT_MAX * 4, error)))
    return FALSE;
  if (!holder_kind || !g_strv_contains (holder_kinds, holder_kind))
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "kind '%.40s' is neither enterprise nor citizen",
        holder_kind ? holder_kind : "(null)");
  if (!store_require_time (now_ms, "booking time", error)
      || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, book_in_tx (store, slot_id, holder_name, holder_kind,
          contact, now_ms, code, error), error))
    return FALSE;
  if (out)
    *out = vw_store_get_booking (store, code, error);
  return !out || *out;
}

/* ---- cancelling ---- */

static gboolean
cancel_in_tx (VwStore *store, const char *code, gint64 now_ms, GError **error)
{
  g_autoptr (VwStoreBooking) b = vw_store_get_booking (store, code, error);

  if (!b)
    return FALSE;
  if (b->state != VW_STORE_BOOKING_BOOKED)
    return store_fail (error, VW_STORE_ERROR_CONFLICT,
        "the booking is %s: it can no longer be cancelled",
        vw_store_booking_state_name (b->state));
  if (!vw_slot_can_cancel (now_ms, b->starts_at)) {
    g_autofree char *at = vw_slot_format_time (b->starts_at);
    return store_fail (error, VW_STORE_ERROR_CONFLICT,
        "the slot started at %s (UTC+8): the booking can no longer be cancelled", at);
  }

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "UPDATE bookings SET state = 'cancelled', cancelled_at = ?2"
      " WHERE code = ?1 AND state = 'booked'", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, b->code);
  sqlite3_bind_int64 (stmt, 2, now_ms);
  return store_step_done (store, stmt, "cancelling the booking", error);
}

gboolean
vw_store_cancel_booking (VwStore *store, const char *code, gint64 now_ms,
    VwStoreBooking **out, GError **error)
{
  g_return_val_if_fail (store != NULL && code != NULL, FALSE);

  if (!store_require_time (now_ms, "cancel time", error) || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, cancel_in_tx (store, code, now_ms, error), error))
    return FALSE;
  if (out)
    *out = vw_store_get_booking (store, code, error);
  return !out || *out;
}

/* ---- checking in ---- */

static gboolean
check_in_refusal (const VwStoreBooking *b, gint64 now_ms, gint64 early_ms,
    GError **error)
{
  switch (b->state) {
  case VW_STORE_BOOKING_CANCELLED:
    return store_fail (error, VW_STORE_ERROR_NOT_FOUND, "the booking was cancelled");
  case VW_STORE_BOOKING_ARRIVED:
    return store_fail (error, VW_STORE_ERROR_CONFLICT, "the booking was checked in already");
  case VW_STORE_BOOKING_NO_SHOW:
    return store_fail (error, VW_STORE_ERROR_CONFLICT,
        "the booking was missed: its slot is over");
  case VW_STORE_BOOKING_BOOKED:
  default:
    break;
  }
  switch (vw_slot_window (now_ms, b->starts_at, b->ends_at, early_ms)) {
  case VW_SLOT_EARLY: {
    g_autofree char *opens = vw_slot_format_time (vw_slot_opens_at (b->starts_at, early_ms));
    g_autofree char *starts = vw_slot_format_time (b->starts_at);
    return store_fail (error, VW_STORE_ERROR_CONFLICT,
        "too early: check-in opens at %s (UTC+8), the slot starts at %s", opens, starts);
  }
  case VW_SLOT_OVER: {
    g_autofree char *ended = vw_slot_format_time (b->ends_at);
    return store_fail (error, VW_STORE_ERROR_CONFLICT,
        "too late: the slot ended at %s (UTC+8)", ended);
  }
  case VW_SLOT_DUE:
  default:
    return TRUE;
  }
}

static gboolean
check_in_tx (VwStore *store, const char *code, gint64 now_ms, gint64 early_ms,
    GError **error)
{
  g_autoptr (VwStoreBooking) b = vw_store_get_booking (store, code, error);

  if (!b || !check_in_refusal (b, now_ms, early_ms, error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "UPDATE bookings SET state = 'arrived', arrived_at = ?2"
      " WHERE code = ?1 AND state = 'booked'", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, b->code);
  sqlite3_bind_int64 (stmt, 2, now_ms);
  return store_step_done (store, stmt, "checking the booking in", error);
}

gboolean
vw_store_booking_check_in (VwStore *store, const char *code, gint64 now_ms,
    gint64 early_ms, VwStoreBooking **out, GError **error)
{
  g_return_val_if_fail (store != NULL && code != NULL, FALSE);

  if (!store_require_time (now_ms, "check-in time", error) || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, check_in_tx (store, code, now_ms, early_ms, error), error))
    return FALSE;
  if (out)
    *out = vw_store_get_booking (store, code, error);
  return !out || *out;
}

static gboolean
set_session_in_tx (VwStore *store, const char *code, const char *session_id,
    GError **error)
{
  g_autoptr (VwStoreBooking) b = vw_store_get_booking (store, code, error);

  if (!b)
    return FALSE;
  if (b->state != VW_STORE_BOOKING_ARRIVED)
    return store_fail (error, VW_STORE_ERROR_CONFLICT,
        "the booking is %s, not arrived", vw_store_booking_state_name (b->state));

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "UPDATE bookings SET session_id = ?2 WHERE code = ?1", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, b->code);
  store_bind_text (stmt, 2, session_id);
  return store_step_done (store, stmt, "recording the booking's session", error);
}

gboolean
vw_store_booking_set_session (VwStore *store, const char *code, const char *session_id,
    GError **error)
{
  g_return_val_if_fail (store != NULL && code != NULL, FALSE);

  if (session_id && !store_require_text (session_id, "session id", error))
    return FALSE;
  if (!store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, set_session_in_tx (store, code, session_id, error), error);
}

/* ---- no-shows ---- */

static gboolean
mark_in_tx (VwStore *store, gint64 now_ms, guint *n, GError **error)
{
  /* The audit entries first, while the rows are still 'booked'.  No name
   * and no code in the log: it is kept for ever. */
  g_autoptr (sqlite3_stmt) audit = store_prepare (store,
      "INSERT INTO audit (at, actor, action, session_id, detail)"
      " SELECT ?1, NULL, 'no-show', NULL, json_object ('booking', b.id, 'slot', s.id,"
      "  'center', s.center, 'province', s.province, 'item', s.item,"
      "  'starts_at', s.starts_at, 'ends_at', s.ends_at)"
      " FROM bookings b JOIN slots s ON s.id = b.slot_id"
      " WHERE b.state = 'booked' AND s.ends_at <= ?1 ORDER BY s.ends_at, b.id", error);
  if (!audit)
    return FALSE;
  sqlite3_bind_int64 (audit, 1, now_ms);
  if (!store_step_done (store, audit, "auditing no-shows", error))
    return FALSE;
  guint audited = sqlite3_changes (store->db);

  g_autoptr (sqlite3_stmt) update = store_prepare (store,
      "UPDATE bookings SET state = 'no-show' WHERE state = 'booked'"
      " AND slot_id IN (SELECT id FROM slots WHERE ends_at <= ?1)", error);
  if (!update)
    return FALSE;
  sqlite3_bind_int64 (update, 1, now_ms);
  if (!store_step_done (store, update, "marking no-shows", error))
    return FALSE;
  *n = sqlite3_changes (store->db);
  if (*n != audited)
    return store_fail (error, VW_STORE_ERROR_SQLITE,
        "%u no-show(s) audited but %u marked", audited, *n);
  return TRUE;
}

gboolean
vw_store_mark_no_shows (VwStore *store, gint64 now_ms, guint *n_marked, GError **error)
{
  guint n = 0;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!store_require_time (now_ms, "now", error) || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, mark_in_tx (store, now_ms, &n, error), error))
    return FALSE;
  if (n_marked)
    *n_marked = n;
  return TRUE;
}
