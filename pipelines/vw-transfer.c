/* vw-transfer.c: chunked files with a hash, and their careful receiver. */
#include "vw-transfer.h"
#include "vw-json-check.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <string.h>

G_DEFINE_QUARK (vw-transfer-error-quark, vw_transfer_error)

void
vw_transfer_info_free (VwTransferInfo *info)
{
  if (!info)
    return;
  g_free (info->id);
  g_free (info->sha256);
  g_free (info->mime);
  g_free (info);
}

VwTransferInfo *
vw_transfer_info_copy (const VwTransferInfo *info)
{
  VwTransferInfo *copy = g_memdup2 (info, sizeof *info);
  copy->id = g_strdup (info->id);
  copy->sha256 = g_strdup (info->sha256);
  copy->mime = g_strdup (info->mime);
  return copy;
}

char *
vw_transfer_sha256 (GBytes *data)
{
  gsize size;
  const guchar *bytes = g_bytes_get_data (data, &size);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, size);
}

struct _VwTransferMessage {
  char *text;                /* a string message, or NULL */
  GBytes *data;              /* a chunk, or NULL */
};

static void
message_free (gpointer data)
{
  VwTransferMessage *m = data;
  g_free (m->text);
  if (m->data)
    g_bytes_unref (m->data);
  g_free (m);
}

gboolean
vw_transfer_message_is_string (const VwTransferMessage *m)
{
  return m->text != NULL;
}

const char *
vw_transfer_message_get_string (const VwTransferMessage *m)
{
  return m->text;
}

GBytes *
vw_transfer_message_get_data (const VwTransferMessage *m)
{
  return m->data;
}

static VwTransferMessage *
string_message (JsonObject *obj)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
  g_autofree char *text = json_to_string (node, FALSE);
  VwTransferMessage *m = g_new0 (VwTransferMessage, 1);
  GString *out = g_string_sized_new (strlen (text));

  /* json-glib 1.6 writes U+001F raw, which no strict receiver takes: the
   * hub relays a header with the sender's mime.  Compact output has no
   * byte below 0x20 outside strings (as in vw_message_to_string()). */
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20)
      g_string_append_printf (out, "\\u%04x", (guint) (guchar) *p);
    else
      g_string_append_c (out, *p);
  m->text = g_string_free (out, FALSE);
  return m;
}

static VwTransferMessage *
chunk_message (GBytes *data, gsize offset, gsize size)
{
  VwTransferMessage *m = g_new0 (VwTransferMessage, 1);
  m->data = g_bytes_new_from_bytes (data, offset, size);
  return m;
}

GPtrArray *
vw_transfer_messages (const VwTransferInfo *info, GBytes *data)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (message_free);
  g_autoptr (JsonObject) head = json_object_new ();
  json_object_set_string_member (head, "type", "file");
  json_object_set_string_member (head, "id", info->id);
  json_object_set_int_member (head, "size", g_bytes_get_size (data));
  json_object_set_string_member (head, "sha256", info->sha256);
  json_object_set_string_member (head, "mime", info->mime);
  json_object_set_int_member (head, "width", info->width);
  json_object_set_int_member (head, "height", info->height);
  g_ptr_array_add (out, string_message (head));

  gsize size = g_bytes_get_size (data);
  for (gsize off = 0; off < size; off += VW_TRANSFER_CHUNK)
    g_ptr_array_add (out, chunk_message (data, off, MIN (VW_TRANSFER_CHUNK, size - off)));

  g_autoptr (JsonObject) end = json_object_new ();
  json_object_set_string_member (end, "type", "file-end");
  json_object_set_string_member (end, "id", info->id);
  g_ptr_array_add (out, string_message (end));
  return out;
}

/* ---- receiving ---- */

struct _VwTransferReceiver {
  char *dir;
  VwTransferDone done;
  gpointer user_data;
  /* The transfer under way, if any. */
  VwTransferInfo *info;
  char *part_path;
  FILE *part;
  GChecksum *checksum;
  gsize received;
  /* The rest of a transfer that failed early is dropped in silence. */
  gboolean discarding;
};

/* A member's string, or NULL if absent or not a string. */
static const char *
string_member (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);
  return node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING
      ? json_node_get_string (node) : NULL;
}

static gint64
int_member (JsonObject *obj, const char *name, gint64 fallback)
{
  JsonNode *node = json_object_get_member (obj, name);
  return node && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_INT64
      ? json_node_get_int (node) : fallback;
}

static gboolean
valid_id (const char *id)
{
  if (!id || !*id || strlen (id) > 64)
    return FALSE;
  for (const char *c = id; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
      return FALSE;
  return TRUE;
}

static gboolean
valid_sha256 (const char *hex)
{
  if (!hex || strlen (hex) != 64)
    return FALSE;
  for (const char *c = hex; *c; c++)
    if (!g_ascii_isxdigit (*c) || g_ascii_isupper (*c))
      return FALSE;
  return TRUE;
}

static void
reset (VwTransferReceiver *r)
{
  if (r->part)
    fclose (r->part);
  r->part = NULL;
  if (r->part_path)
    g_unlink (r->part_path);
  g_clear_pointer (&r->part_path, g_free);
  g_clear_pointer (&r->checksum, g_checksum_free);
  g_clear_pointer (&r->info, vw_transfer_info_free);
  r->received = 0;
}

static void
finish_error (VwTransferReceiver *r, VwTransferError code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
finish_error (VwTransferReceiver *r, VwTransferError code, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_autoptr (GError) error = g_error_new_literal (VW_TRANSFER_ERROR, code, msg);
  g_autoptr (VwTransferInfo) info = r->info ? vw_transfer_info_copy (r->info) : NULL;
  reset (r);   /* the part file goes before anyone hears of the failure */
  r->discarding = TRUE;
  if (!info) {
    info = g_new0 (VwTransferInfo, 1);
    info->id = g_strdup ("");
  }
  r->done (info, NULL, error, r->user_data);
}

static const char *
extension (const char *mime)
{
  return g_strcmp0 (mime, "image/jpeg") == 0 ? "jpg" : "png";
}

static void
begin (VwTransferReceiver *r, JsonObject *head)
{
  if (r->info)
    finish_error (r, VW_TRANSFER_ERROR_PROTOCOL,
        "transfer %s interrupted by another", r->info->id);
  r->discarding = FALSE;
  const char *id = string_member (head, "id");
  const char *sha = string_member (head, "sha256");
  gint64 size = int_member (head, "size", -1);
  if (!valid_id (id) || !valid_sha256 (sha) || size <= 0 || size > 64 * 1024 * 1024) {
    finish_error (r, VW_TRANSFER_ERROR_PROTOCOL, "malformed file header");
    return;
  }
  r->info = g_new0 (VwTransferInfo, 1);
  r->info->id = g_strdup (id);
  r->info->size = size;
  r->info->sha256 = g_strdup (sha);
  const char *mime = string_member (head, "mime");
  r->info->mime = g_strdup (mime ? mime : "image/png");
  r->info->width = CLAMP (int_member (head, "width", 0), 0, G_MAXUINT);
  r->info->height = CLAMP (int_member (head, "height", 0), 0, G_MAXUINT);
  r->part_path = g_strdup_printf ("%s/%s.part", r->dir, id);
  r->part = g_fopen (r->part_path, "wb");
  int errsv = errno;
  r->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  if (!r->part)
    finish_error (r, VW_TRANSFER_ERROR_IO, "cannot write %s: %s", r->part_path,
        g_strerror (errsv));
}

static void
end (VwTransferReceiver *r, const char *id)
{
  if (!r->info && r->discarding) {
    r->discarding = FALSE;
    return;
  }
  if (!r->info || g_strcmp0 (id, r->info->id) != 0) {
    finish_error (r, VW_TRANSFER_ERROR_PROTOCOL, "end of a transfer that did not begin");
    return;
  }
  if (r->received != r->info->size) {
    finish_error (r, VW_TRANSFER_ERROR_SIZE, "%s: %" G_GSIZE_FORMAT " bytes announced, %"
        G_GSIZE_FORMAT " received", id, r->info->size, r->received);
    return;
  }
  if (!g_str_equal (g_checksum_get_string (r->checksum), r->info->sha256)) {
    finish_error (r, VW_TRANSFER_ERROR_HASH, "%s: SHA-256 %s, announced %s", id,
        g_checksum_get_string (r->checksum), r->info->sha256);
    return;
  }
  g_autofree char *path = g_strdup_printf ("%s/%s.%s", r->dir, id, extension (r->info->mime));
  /* Evidence is never overwritten. */
  if (g_file_test (path, G_FILE_TEST_EXISTS)) {
    finish_error (r, VW_TRANSFER_ERROR_PROTOCOL, "%s exists already", path);
    return;
  }
  gboolean ok = fflush (r->part) == 0 && fsync (fileno (r->part)) == 0;
  int errsv = errno;
  fclose (r->part);
  r->part = NULL;
  if (ok && g_rename (r->part_path, path) != 0) {
    ok = FALSE;
    errsv = errno;
  }
  if (!ok) {
    finish_error (r, VW_TRANSFER_ERROR_IO, "cannot keep %s: %s", path, g_strerror (errsv));
    return;
  }
  g_clear_pointer (&r->part_path, g_free);
  g_autoptr (VwTransferInfo) info = vw_transfer_info_copy (r->info);
  reset (r);
  r->done (info, path, NULL, r->user_data);
}

gboolean
vw_transfer_receiver_feed_string (VwTransferReceiver *r, const char *text)
{
  gsize length = strlen (text);
  /* The text is the far end's: json-glib 1.6 recurses without limit on
   * nesting (a string of "[" overflows the stack) and leaks what it built
   * when the text is malformed, so the signalling protocol's strict check
   * (UTF-8, RFC 8259, at most VW_JSON_MAX_DEPTH deep) comes first. */
  if (!g_utf8_validate (text, length, NULL) || !vw_json_check_syntax (text, length, NULL))
    return FALSE;
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, length, NULL)
      || !json_parser_get_root (parser)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  JsonObject *obj = json_node_get_object (json_parser_get_root (parser));
  const char *type = string_member (obj, "type");
  if (g_strcmp0 (type, "file") == 0)
    begin (r, obj);
  else if (g_strcmp0 (type, "file-end") == 0)
    end (r, string_member (obj, "id"));
  else
    return FALSE;
  return TRUE;
}

void
vw_transfer_receiver_feed_data (VwTransferReceiver *r, GBytes *data)
{
  gsize size;
  const guchar *bytes = g_bytes_get_data (data, &size);
  if (!r->info && r->discarding)
    return;
  if (!r->info) {
    finish_error (r, VW_TRANSFER_ERROR_PROTOCOL, "data outside a transfer");
    return;
  }
  if (r->received + size > r->info->size) {
    finish_error (r, VW_TRANSFER_ERROR_SIZE, "%s: more than the %" G_GSIZE_FORMAT
        " bytes announced", r->info->id, r->info->size);
    return;
  }
  if (size && fwrite (bytes, 1, size, r->part) != size) {
    finish_error (r, VW_TRANSFER_ERROR_IO, "cannot write %s", r->part_path);
    return;
  }
  g_checksum_update (r->checksum, bytes, size);
  r->received += size;
}

void
vw_transfer_receiver_abort (VwTransferReceiver *r, const char *why)
{
  if (r->info)
    finish_error (r, VW_TRANSFER_ERROR_ABORTED, "%s cut off after %" G_GSIZE_FORMAT
        " of %" G_GSIZE_FORMAT " bytes: %s", r->info->id, r->received, r->info->size, why);
}

gboolean
vw_transfer_receiver_is_busy (VwTransferReceiver *r)
{
  return r->info != NULL;
}

VwTransferReceiver *
vw_transfer_receiver_new (const char *dir, VwTransferDone done, gpointer user_data)
{
  VwTransferReceiver *r = g_new0 (VwTransferReceiver, 1);
  r->dir = g_strdup (dir);
  r->done = done;
  r->user_data = user_data;
  return r;
}

void
vw_transfer_receiver_free (VwTransferReceiver *r)
{
  if (!r)
    return;
  reset (r);   /* an unfinished part file is not kept */
  g_free (r->dir);
  g_free (r);
}
