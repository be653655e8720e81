/* vw-hub-snapshots.c: full-resolution snapshots through the hub.
 *
 * An agent asks (snapshot-request); the hub names the snapshot and asks the
 * participant whose document camera is live (snapshot-requested).  That
 * client sends the image over its data channel (vw-transfer.h); the hub
 * writes it under DATA_DIR/sessions/SESSION/snapshots, keeps it only if its
 * size and SHA-256 match, records it as evidence (snapshot_stored callback),
 * relays it to the asker over the asker's data channel and tells both
 * (snapshot-stored).  Anything that goes wrong on the way ends the snapshot
 * with snapshot-failed on both sides and leaves no file.
 */
#include "vw-hub-private.h"
#include "vw-log.h"

#include <glib/gstdio.h>

#define GST_CAT_DEFAULT vw_hub_debug

/* How long the sender has to deliver the whole image. */
#define SNAPSHOT_TIMEOUT_S 20

struct _PendingSnapshot {
  Session *session;
  char *id;
  char *by;                  /* who asked */
  char *from;                /* whose document camera */
  guint timeout;
};

static void
pending_free (PendingSnapshot *ps)
{
  g_clear_handle_id (&ps->timeout, g_source_remove);
  g_free (ps->id);
  g_free (ps->by);
  g_free (ps->from);
  g_free (ps);
}

static void
send_error (VwHub *hub, const char *peer, VwProtocolError code, const char *text)
{
  g_autoptr (VwMessage) msg = vw_message_new_error (code, text, NULL);
  hub->cb.send (peer, msg, hub->user_data);
}

/* Ends @ps with an error to both sides. */
static void
fail_snapshot (PendingSnapshot *ps, const char *why)
{
  Session *s = ps->session;
  VwHub *hub = ((Participant *) g_ptr_array_index (s->participants, 0))->hub;
  g_autofree char *text = g_strdup_printf ("snapshot %s failed: %s", ps->id, why);
  g_autofree char *shown = vw_log_escape (text);
  GST_WARNING ("%s", shown);
  send_error (hub, ps->by, VW_PROTOCOL_ERROR_SNAPSHOT_FAILED, text);
  send_error (hub, ps->from, VW_PROTOCOL_ERROR_SNAPSHOT_FAILED, text);
  g_hash_table_remove (s->snapshots, ps->id);
  pending_free (ps);
}

static gboolean
on_timeout (gpointer data)
{
  PendingSnapshot *ps = data;
  ps->timeout = 0;
  fail_snapshot (ps, "the image did not arrive in time");
  return G_SOURCE_REMOVE;
}

static char *
session_dir (VwHub *hub, Session *s)
{
  return g_build_filename (hub->data_dir, "sessions", s->id, "snapshots", NULL);
}

static Participant *
find_participant (Session *s, const char *id)
{
  for (guint i = 0; i < s->participants->len; i++) {
    Participant *p = g_ptr_array_index (s->participants, i);
    if (g_str_equal (p->id, id))
      return p;
  }
  return NULL;
}

static void
relay (Participant *to, const VwTransferInfo *info, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, &error);
  if (!file) {
    send_error (to->hub, to->id, VW_PROTOCOL_ERROR_SNAPSHOT_FAILED, error->message);
    return;
  }
  g_autoptr (GBytes) data = g_mapped_file_get_bytes (file);
  g_autoptr (GPtrArray) messages = vw_transfer_messages (info, data);
  for (guint i = 0; i < messages->len && !error; i++) {
    VwTransferMessage *m = g_ptr_array_index (messages, i);
    const char *text = vw_transfer_message_get_string (m);
    if (text)
      vw_peer_send_string (to->peer, text, &error);
    else
      vw_peer_send_data (to->peer, vw_transfer_message_get_data (m), &error);
  }
  if (error)
    send_error (to->hub, to->id, VW_PROTOCOL_ERROR_SNAPSHOT_FAILED, error->message);
}

static void
announce (VwHub *hub, Session *s, PendingSnapshot *ps, const VwTransferInfo *info)
{
  const char *peers[] = { ps->by, ps->from };
  for (guint i = 0; i < G_N_ELEMENTS (peers); i++) {
    g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_SNAPSHOT_STORED);
    vw_message_set_string (msg, "session", s->id);
    vw_message_set_string (msg, "snapshot", info->id);
    vw_message_set_string (msg, "sha256", info->sha256);
    vw_message_set_int (msg, "size", info->size);
    vw_message_set_int (msg, "width", info->width);
    vw_message_set_int (msg, "height", info->height);
    vw_message_set_string (msg, "by", ps->by);
    vw_message_set_string (msg, "from", ps->from);
    hub->cb.send (peers[i], msg, hub->user_data);
  }
}

/* A file from @p's data channel is complete, or failed. */
static void
on_file (const VwTransferInfo *info, const char *path, const GError *error,
    gpointer user_data)
{
  Participant *p = user_data;
  Session *s = p->session;
  PendingSnapshot *ps = g_hash_table_lookup (s->snapshots, info->id);
  if (!ps || !g_str_equal (ps->from, p->id)) {
    if (path)
      g_unlink (path);
    send_error (p->hub, p->id, VW_PROTOCOL_ERROR_UNKNOWN_SNAPSHOT,
        "no snapshot was asked of you under that id");
    return;
  }
  if (error) {
    fail_snapshot (ps, error->message);
    return;
  }
  g_hash_table_remove (s->snapshots, ps->id);
  g_autofree char *relative = g_build_filename ("sessions", s->id, "snapshots",
      strrchr (path, G_DIR_SEPARATOR) + 1, NULL);
  p->hub->cb.snapshot_stored (s->id, info->id, relative, info->sha256, info->size,
      info->width, info->height, ps->by, ps->from, p->hub->user_data);
  Participant *asker = find_participant (s, ps->by);
  if (asker)
    relay (asker, info, path);
  announce (p->hub, s, ps, info);
  GST_INFO ("snapshot %s from %s stored as %s", info->id, p->id, relative);
  pending_free (ps);
}

static void
on_channel_string (VwPeer *peer, const char *text, Participant *p)
{
  if (!p->receiver || !vw_transfer_receiver_feed_string (p->receiver, text))
    GST_DEBUG ("%s: ignoring data-channel message", p->id);
}

static void
on_channel_data (VwPeer *peer, GBytes *data, Participant *p)
{
  if (p->receiver)
    vw_transfer_receiver_feed_data (p->receiver, data);
}

static void
on_channel_closed (VwPeer *peer, Participant *p)
{
  if (p->receiver)
    vw_transfer_receiver_abort (p->receiver, "the data channel closed");
}

static gboolean
ensure_receiver (Participant *p, GError **error)
{
  if (p->receiver)
    return TRUE;
  g_autofree char *dir = session_dir (p->hub, p->session);
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_INTERNAL,
        "cannot create %s: %s", dir, g_strerror (errno));
    return FALSE;
  }
  p->receiver = vw_transfer_receiver_new (dir, on_file, p);
  return TRUE;
}

void
vw_hub_snapshots_attach (Participant *p)
{
  /* The hub offers, so it opens the data channel before its first offer. */
  vw_peer_create_data_channel (p->peer, "vw");
  g_signal_connect (p->peer, "channel-string", G_CALLBACK (on_channel_string), p);
  g_signal_connect (p->peer, "channel-data", G_CALLBACK (on_channel_data), p);
  g_signal_connect (p->peer, "channel-closed", G_CALLBACK (on_channel_closed), p);
}

void
vw_hub_snapshots_detach (Participant *p)
{
  /* Snapshots this participant was to send or receive end here. */
  if (p->receiver)
    vw_transfer_receiver_abort (p->receiver, "the sender left");
  GHashTableIter iter;
  PendingSnapshot *ps;
  g_hash_table_iter_init (&iter, p->session->snapshots);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ps)) {
    if (!g_str_equal (ps->from, p->id) && !g_str_equal (ps->by, p->id))
      continue;
    g_hash_table_iter_remove (&iter);
    const char *other = g_str_equal (ps->from, p->id) ? ps->by : ps->from;
    g_autofree char *text = g_strdup_printf ("snapshot %s failed: %s left", ps->id, p->id);
    send_error (p->hub, other, VW_PROTOCOL_ERROR_SNAPSHOT_FAILED, text);
    pending_free (ps);
  }
  g_clear_pointer (&p->receiver, vw_transfer_receiver_free);
}

void
vw_hub_snapshots_session_free (Session *s)
{
  GHashTableIter iter;
  PendingSnapshot *ps;
  g_hash_table_iter_init (&iter, s->snapshots);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ps))
    pending_free (ps);
  g_hash_table_unref (s->snapshots);
}

gboolean
vw_hub_snapshot_request (Participant *p, GError **error)
{
  Session *s = p->session;
  Participant *from = NULL;
  for (guint i = 0; i < s->participants->len && !from; i++) {
    Participant *other = g_ptr_array_index (s->participants, i);
    if (other != p && vw_hub_find_live_upstream (other, VW_TRACK_DOCUMENT))
      from = other;
  }
  if (!from) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_NO_DOCUMENT_CAMERA,
        "nobody in session %s shares a document camera", s->id);
    for (guint i = 0; i < s->participants->len; i++) {
      Participant *other = g_ptr_array_index (s->participants, i);
      if (other != p)
        send_error (p->hub, other->id, VW_PROTOCOL_ERROR_NO_DOCUMENT_CAMERA,
            "a snapshot of your document camera was asked for, but it is not shared");
    }
    return FALSE;
  }
  if (!ensure_receiver (from, error))
    return FALSE;

  PendingSnapshot *ps = g_new0 (PendingSnapshot, 1);
  ps->session = s;
  ps->id = g_strdup_printf ("snap-%08x%04x", g_random_int (), g_random_int () & 0xffff);
  ps->by = g_strdup (p->id);
  ps->from = g_strdup (from->id);
  ps->timeout = g_timeout_add_seconds (SNAPSHOT_TIMEOUT_S, on_timeout, ps);
  g_hash_table_insert (s->snapshots, ps->id, ps);

  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_SNAPSHOT_REQUESTED);
  vw_message_set_string (msg, "session", s->id);
  vw_message_set_string (msg, "snapshot", ps->id);
  vw_message_set_string (msg, "by", p->id);
  p->hub->cb.send (from->id, msg, p->hub->user_data);
  GST_INFO ("%s asks %s for snapshot %s", p->id, from->id, ps->id);
  return TRUE;
}
