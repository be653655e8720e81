/* vw-transfer.h: a file sent over a data channel in chunks, with its
 * SHA-256, and received into a file that exists only once it is whole.
 *
 * On the wire (one data channel, ordered and reliable):
 *   string {"type":"file","id":ID,"size":N,"sha256":HEX,"mime":M,
 *           "width":W,"height":H}
 *   binary chunks of at most VW_TRANSFER_CHUNK bytes, N bytes in all
 *   string {"type":"file-end","id":ID}
 * The receiver writes ID.part and renames it to the final name only after
 * the size and the SHA-256 match; anything else deletes the part file.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VW_TRANSFER_CHUNK (16 * 1024)

#define VW_TRANSFER_ERROR (vw_transfer_error_quark ())
GQuark vw_transfer_error_quark (void);

typedef enum {
  VW_TRANSFER_ERROR_PROTOCOL,   /* out of order, malformed header */
  VW_TRANSFER_ERROR_SIZE,       /* more or fewer bytes than announced */
  VW_TRANSFER_ERROR_HASH,       /* SHA-256 differs */
  VW_TRANSFER_ERROR_ABORTED,    /* the sender or the channel went away */
  VW_TRANSFER_ERROR_IO,
} VwTransferError;

typedef struct {
  char *id;
  gsize size;
  char *sha256;      /* 64 lowercase hex digits */
  char *mime;
  guint width, height;
} VwTransferInfo;

void            vw_transfer_info_free (VwTransferInfo *info);
VwTransferInfo *vw_transfer_info_copy (const VwTransferInfo *info);

/* One message of a transfer: a string or a binary chunk. */
typedef struct _VwTransferMessage VwTransferMessage;

/* The messages of a transfer, in order: header, chunks, end, as a
 * GPtrArray of VwTransferMessage*.  The caller sends strings as strings and
 * chunks as binary. (transfer full) */
GPtrArray      *vw_transfer_messages (const VwTransferInfo *info, GBytes *data);
gboolean        vw_transfer_message_is_string (const VwTransferMessage *message);
/* The text of a string message; NULL for a chunk. */
const char     *vw_transfer_message_get_string (const VwTransferMessage *message);
/* The bytes of a chunk; NULL for a string. (transfer none) */
GBytes         *vw_transfer_message_get_data (const VwTransferMessage *message);

/* Lowercase hex SHA-256 of @data. (transfer full) */
char           *vw_transfer_sha256 (GBytes *data);

typedef struct _VwTransferReceiver VwTransferReceiver;

/* Called once when a transfer ends: @path is the complete file (named
 * DIR/ID.EXT), or @error says why nothing was kept.  It must not free the
 * receiver. */
typedef void (*VwTransferDone) (const VwTransferInfo *info, const char *path,
                                const GError *error, gpointer user_data);

/* (transfer full) */
VwTransferReceiver *vw_transfer_receiver_new (const char *dir, VwTransferDone done,
                                              gpointer user_data);
/* Feeds one message from the channel.  Strings that are not part of a
 * transfer return FALSE (the caller may handle them). */
gboolean        vw_transfer_receiver_feed_string (VwTransferReceiver *r, const char *text);
void            vw_transfer_receiver_feed_data (VwTransferReceiver *r, GBytes *data);
/* The channel closed: a transfer under way fails (ABORTED). */
void            vw_transfer_receiver_abort (VwTransferReceiver *r, const char *why);
gboolean        vw_transfer_receiver_is_busy (VwTransferReceiver *r);
void            vw_transfer_receiver_free (VwTransferReceiver *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwTransferReceiver, vw_transfer_receiver_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwTransferInfo, vw_transfer_info_free)

G_END_DECLS
