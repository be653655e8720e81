/* vw-store-appointments.h: appointments (我要约), schema version 5 (see
 * vw-store.h for the conventions).
 *
 * A slot is a period at a service centre in which up to its capacity of
 * clerks or enterprises come for one service item (by code) handled under
 * the rules of one province.  Administrators and the centre's supervisors
 * create slots (the HTTP API checks who and the item); anyone books a
 * place without an account and gets a code, the secret by which they see,
 * cancel and use their booking.  The rules are those of vw-slots.h:
 *
 *  - a booking takes a place only while the slot has one left: counting
 *    and inserting are one transaction (and the database refuses more);
 *    a full slot is VW_STORE_ERROR_CONFLICT;
 *  - a booking is cancelled by its code until its slot starts;
 *  - its holder checks in (vw_store_booking_check_in, called by the broker
 *    when a clerk's request carries the code) from some minutes before the
 *    slot starts until it ends: the booking becomes 'arrived';
 *  - a booking still 'booked' when its slot has ended becomes 'no-show'
 *    (vw_store_mark_no_shows, run by the server every minute), with an
 *    audit entry each.
 *
 * A booking leaves 'booked' once and never changes state again. */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

/* A booking code: 16 characters of VW_STORE_BOOKING_CODE_ALPHABET (31), 79
 * bits from the kernel's random bytes, shown in groups of four
 * ("K7QM-X3TD-9WHC-RPZA").  Codes of 8 characters, made before, stay
 * valid. */
#define VW_STORE_BOOKING_CODE_LEN 16
#define VW_STORE_BOOKING_CODE_OLD_LEN 8
/* The shown form: groups of 4 joined by '-'. */
#define VW_STORE_BOOKING_CODE_SHOWN_MAX (VW_STORE_BOOKING_CODE_LEN / 4 * 5 - 1)
#define VW_STORE_HOLDER_NAME_MAX 50    /* characters */
#define VW_STORE_CONTACT_MAX 100       /* characters */
#define VW_STORE_SLOTS_MAX 500         /* slots listed at most */

typedef struct {
  gint64 id;            /* set by the store */
  char *center;         /* e.g. "黄浦区政务服务中心" */
  char *province;       /* wire name of the province whose rules apply */
  char *item;           /* item code, e.g. "QY-SL-001" */
  char *item_name;      /* (nullable) read: the catalogue's name, if the item is there */
  gint64 starts_at;     /* unix ms, on a whole minute */
  gint64 ends_at;       /* exclusive */
  guint capacity;       /* 1..100 */
  guint booked;         /* read: bookings holding a place ('booked', 'arrived') */
  char *created_by;     /* account username */
  gint64 created_at;
} VwStoreSlot;

typedef enum {
  VW_STORE_BOOKING_BOOKED,
  VW_STORE_BOOKING_CANCELLED,
  VW_STORE_BOOKING_ARRIVED,
  VW_STORE_BOOKING_NO_SHOW,
} VwStoreBookingState;

typedef struct {
  gint64 id;
  char *code;           /* 16 (or, made before, 8) of VW_STORE_BOOKING_CODE_ALPHABET */
  gint64 slot_id;
  char *holder_name;    /* who comes: a person or an enterprise's name */
  char *holder_kind;    /* "enterprise" or "citizen" */
  char *contact;        /* (nullable) a phone number or e-mail */
  VwStoreBookingState state;
  gint64 created_at;
  gint64 cancelled_at;  /* 0 unless cancelled */
  gint64 arrived_at;    /* 0 unless arrived */
  char *session_id;     /* (nullable) the session it was served in */
  /* Its slot's: */
  char *center;
  char *province;
  char *item;
  char *item_name;      /* (nullable) */
  gint64 starts_at;
  gint64 ends_at;
} VwStoreBooking;

/* Characters of a code: no 0/O, 1/I/L, so that it can be read aloud. */
#define VW_STORE_BOOKING_CODE_ALPHABET "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

/* Filters of vw_store_list_slots, all optional (NULL or 0: none).  Borrowed. */
typedef struct {
  const char *item;          /* item code */
  const char *center;
  const char *province;
  gint64 from_ms;            /* starts_at >= from_ms */
  gint64 to_ms;              /* starts_at < to_ms */
  gint64 ending_after_ms;    /* ends_at > ending_after_ms: not over yet */
} VwStoreSlotFilter;

void        vw_store_slot_free (VwStoreSlot *slot);
void        vw_store_booking_free (VwStoreBooking *booking);

/* "booked", "cancelled", "arrived", "no-show". */
const char *vw_store_booking_state_name (VwStoreBookingState state);

/* TRUE if @code has the shape of a booking code (uppercase, no groups).
 * The functions below that take a code read it as
 * vw_store_booking_code_normalize() does. */
gboolean    vw_store_booking_code_is_valid (const char *code);

/* (transfer full) (nullable) @text as a code: uppercased, without the '-'
 * and spaces that group it; NULL if that is not a code's shape. */
char       *vw_store_booking_code_normalize (const char *text);

/* (transfer full) @code in groups of four: "K7QM-X3TD-9WHC-RPZA". */
char       *vw_store_booking_code_group (const char *code);

/* (transfer full) what a booking's code shows of its holder to anyone who
 * has the code: a phone number with its digits but the first 3 and last
 * 4 hidden ("138****5678"), an e-mail address with only the first
 * character of its name ("z***@example.com"), other text with only its
 * first character; a citizen's name with only its first character
 * ("张*").  An enterprise's name is shown whole (public record). */
char       *vw_store_booking_mask_contact (const char *contact);
char       *vw_store_booking_mask_name (const char *name, const char *kind);

/* ---- slots ---- */

/* Creates a slot from @slot's center, province, item, starts_at, ends_at,
 * capacity, created_by and created_at; its id goes to @id_out (nullable).
 * INVALID: a rule of vw_slot_check, an unknown province, a bad item code,
 * an empty or over-long centre.  (Whether the item is in the catalogue and
 * whether the slot is in the future is for the caller.) */
gboolean    vw_store_create_slot (VwStore *store, const VwStoreSlot *slot,
                                  gint64 *id_out, GError **error);

/* (transfer full) slot @id with its booked count; NOT_FOUND if unknown. */
VwStoreSlot *vw_store_get_slot (VwStore *store, gint64 id, GError **error);

/* (transfer full) VwStoreSlot* matching @filter, by starts_at then id, at
 * most VW_STORE_SLOTS_MAX. */
GPtrArray  *vw_store_list_slots (VwStore *store, const VwStoreSlotFilter *filter,
                                 GError **error);

/* ---- bookings ---- */

/* Books a place of slot @slot_id at @now_ms for @holder_name (1..50
 * printable characters), @holder_kind ("enterprise" or "citizen") and
 * @contact (nullable; empty is none; at most 100 printable characters),
 * with a fresh unique code.  NOT_FOUND: no such slot; CONFLICT: the slot
 * has started (vw_slot_can_cancel is FALSE) or is full (the message says
 * which); INVALID: bad holder or contact.  The booking goes to @out
 * (nullable; free it). */
gboolean    vw_store_book (VwStore *store, gint64 slot_id, const char *holder_name,
                           const char *holder_kind, const char *contact,
                           gint64 now_ms, VwStoreBooking **out, GError **error);

/* (transfer full) the booking of @code; NOT_FOUND if unknown. */
VwStoreBooking *vw_store_get_booking (VwStore *store, const char *code,
                                      GError **error);

/* (transfer full) VwStoreBooking* of those of @codes (NULL-terminated)
 * that exist, by their slot's start; unknown codes are left out. */
GPtrArray  *vw_store_list_bookings_by_codes (VwStore *store,
                                             const char *const *codes,
                                             GError **error);

/* (transfer full) VwStoreBooking* of the slots of @center (NULL: every
 * centre) and @province (NULL: every province) that start in [@from_ms,
 * @to_ms), in every state, by their slot's start then booking. */
GPtrArray  *vw_store_list_center_bookings (VwStore *store, const char *center,
                                           const char *province, gint64 from_ms,
                                           gint64 to_ms, GError **error);

/* Cancels the booking of @code at @now_ms.  NOT_FOUND if unknown;
 * CONFLICT unless it is 'booked' and its slot has not started.  The
 * booking as it is now goes to @out (nullable; free it). */
gboolean    vw_store_cancel_booking (VwStore *store, const char *code, gint64 now_ms,
                                     VwStoreBooking **out, GError **error);

/* The check-in of the holder of @code at @now_ms (the broker, when a
 * clerk's request carries the code): check-in opens @early_ms before the
 * slot starts (vw_slot_window) and closes when it ends.
 *   NOT_FOUND  no such code, or the booking was cancelled;
 *   CONFLICT   too early (the message says when check-in opens, UTC+8),
 *              the slot is over, or the booking arrived or was marked a
 *              no-show already.
 * On success the booking is 'arrived' with arrived_at = @now_ms and goes
 * to @out (nullable; free it), with its slot's item, centre, province and
 * times. */
gboolean    vw_store_booking_check_in (VwStore *store, const char *code,
                                       gint64 now_ms, gint64 early_ms,
                                       VwStoreBooking **out, GError **error);

/* Records the session in which the holder of @code was served (or NULL to
 * clear it).  NOT_FOUND if unknown; CONFLICT unless it is 'arrived'. */
gboolean    vw_store_booking_set_session (VwStore *store, const char *code,
                                          const char *session_id, GError **error);

/* Every 'booked' booking whose slot ended at or before @now_ms becomes
 * 'no-show', with an audit entry "no-show" each (actor NULL: the server;
 * detail: booking, slot, center, province, item, starts_at, ends_at), in
 * one transaction.  How many to @n_marked (nullable). */
gboolean    vw_store_mark_no_shows (VwStore *store, gint64 now_ms, guint *n_marked,
                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreSlot, vw_store_slot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreBooking, vw_store_booking_free)

G_END_DECLS
