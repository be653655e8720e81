/* vw-snapshots.c: snapshots out and in, annotations drawn. */
#include "vw-snapshots.h"
#include "vw-events.h"
#include "vw-sources.h"
#include "vw-transfer.h"

#include <gst/app/app.h>
#include <gst/video/video.h>

/* Past this many pixels a PNG gets too big to send in a blink: JPEG at
 * very high quality instead. */
#define PNG_MAX_PIXELS (12 * 1000 * 1000)

typedef struct {
  char *path;
  guint width, height;
} SentSnapshot;

static void
sent_snapshot_free (SentSnapshot *sent)
{
  g_free (sent->path);
  g_free (sent);
}

struct _VwSnapshots {
  GHashTable *sent;          /* id -> SentSnapshot*: our copies */
  VwPeer *peer;              /* owned ref */
  char *dir;
  VwTransferReceiver *receiver;
  GCancellable *cancellable; /* encodings under way */
  gboolean display;
  GstElement *viewer;        /* the annotated page on screen, or NULL */
};

/* ---- receiving ---- */

static void
on_file (const VwTransferInfo *info, const char *path, const GError *error,
    gpointer user_data)
{
  if (error) {
    vw_events_emit_error ("snapshot-failed", error->message);
    return;
  }
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "snapshot", info->id);
  json_object_set_string_member (o, "path", path);
  json_object_set_string_member (o, "sha256", info->sha256);
  json_object_set_int_member (o, "size", info->size);
  json_object_set_int_member (o, "width", info->width);
  json_object_set_int_member (o, "height", info->height);
  vw_events_emit ("snapshot-saved", o);
}

static void
on_channel_string (VwPeer *peer, const char *text, VwSnapshots *s)
{
  vw_transfer_receiver_feed_string (s->receiver, text);
}

static void
on_channel_data (VwPeer *peer, GBytes *data, VwSnapshots *s)
{
  vw_transfer_receiver_feed_data (s->receiver, data);
}

static void
on_channel_closed (VwPeer *peer, VwSnapshots *s)
{
  vw_transfer_receiver_abort (s->receiver, "the data channel closed");
}

/* ---- sending ---- */

typedef struct {
  VwSnapshots *snapshots;    /* valid while the task is not cancelled */
  char *id;
  GstSample *raw;
  GBytes *encoded;
  VwTransferInfo *info;
} Job;

static void
job_free (Job *job)
{
  g_free (job->id);
  if (job->raw)
    gst_sample_unref (job->raw);
  if (job->encoded)
    g_bytes_unref (job->encoded);
  vw_transfer_info_free (job->info);
  g_free (job);
}

/* Worker thread: lossless encoding and hashing take a while for a page. */
static void
encode_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  GstVideoInfo vinfo;
  g_autoptr (GError) error = NULL;
  gst_video_info_from_caps (&vinfo, gst_sample_get_caps (job->raw));
  gboolean png = vinfo.width * vinfo.height <= PNG_MAX_PIXELS;
  g_autoptr (GstCaps) caps = png ? gst_caps_new_empty_simple ("image/png")
      : gst_caps_new_simple ("image/jpeg", NULL, NULL);
  g_autoptr (GstSample) out = gst_video_convert_sample (job->raw, caps,
      10 * GST_SECOND, &error);
  if (!out) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  GstBuffer *buf = gst_sample_get_buffer (out);
  GstMapInfo map;
  gst_buffer_map (buf, &map, GST_MAP_READ);
  job->encoded = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buf, &map);
  job->info = g_new0 (VwTransferInfo, 1);
  job->info->id = g_strdup (job->id);
  job->info->size = g_bytes_get_size (job->encoded);
  job->info->sha256 = vw_transfer_sha256 (job->encoded);
  job->info->mime = g_strdup (png ? "image/png" : "image/jpeg");
  job->info->width = vinfo.width;
  job->info->height = vinfo.height;
  g_task_return_boolean (task, TRUE);
}

static char *
copy_path (VwSnapshots *s, const char *id, const char *mime)
{
  return g_strdup_printf ("%s/%s.%s", s->dir, id,
      g_strcmp0 (mime, "image/jpeg") == 0 ? "jpg" : "png");
}

static void
encoded (GObject *source, GAsyncResult *result, gpointer data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), &error)) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      vw_events_emit_error ("snapshot-failed", error->message);
    return;
  }
  VwSnapshots *s = job->snapshots;
  /* Our own copy, for drawing annotations on later. */
  g_autofree char *path = copy_path (s, job->id, job->info->mime);
  gsize size;
  const char *bytes = g_bytes_get_data (job->encoded, &size);
  if (!g_file_set_contents (path, bytes, size, &error)) {
    vw_events_emit_error ("snapshot-failed", error->message);
    return;
  }
  g_autoptr (GPtrArray) messages = vw_transfer_messages (job->info, job->encoded);
  for (guint i = 0; i < messages->len && !error; i++) {
    VwTransferMessage *m = g_ptr_array_index (messages, i);
    const char *text = vw_transfer_message_get_string (m);
    if (text)
      vw_peer_send_string (s->peer, text, &error);
    else
      vw_peer_send_data (s->peer, vw_transfer_message_get_data (m), &error);
  }
  if (error) {
    vw_events_emit_error ("snapshot-failed", error->message);
    return;
  }
  SentSnapshot *sent = g_new0 (SentSnapshot, 1);
  sent->path = g_strdup (path);
  sent->width = job->info->width;
  sent->height = job->info->height;
  g_hash_table_replace (s->sent, g_strdup (job->id), sent);
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "snapshot", job->id);
  json_object_set_string_member (o, "path", path);
  json_object_set_string_member (o, "sha256", job->info->sha256);
  json_object_set_int_member (o, "size", job->info->size);
  json_object_set_int_member (o, "width", job->info->width);
  json_object_set_int_member (o, "height", job->info->height);
  vw_events_emit ("snapshot-sent", o);
}

/* The frame arrives later, on the main context: by then the session may
 * be over and @snapshots gone, which its cancelled cancellable tells. */
typedef struct {
  VwSnapshots *snapshots;
  GCancellable *cancellable;   /* owned ref */
  char *id;
} Grab;

static void
on_grabbed (GstSample *sample, gpointer data)
{
  Grab *grab = data;
  if (g_cancellable_is_cancelled (grab->cancellable)) {
    g_object_unref (grab->cancellable);
    g_free (grab->id);
    g_free (grab);
    return;
  }
  g_object_unref (grab->cancellable);
  Job *job = g_new0 (Job, 1);
  job->snapshots = grab->snapshots;
  job->id = g_steal_pointer (&grab->id);
  job->raw = gst_sample_ref (sample);
  g_free (grab);
  g_autoptr (GTask) task = g_task_new (NULL, job->snapshots->cancellable, encoded, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, encode_thread);
}

void
vw_snapshots_send (VwSnapshots *s, const char *id, VwSendTrack *document)
{
  if (!document) {
    vw_events_emit_error ("no-document-camera", "a snapshot was asked for, but no document camera is shared");
    return;
  }
  Grab *grab = g_new0 (Grab, 1);
  grab->snapshots = s;
  grab->cancellable = g_object_ref (s->cancellable);
  grab->id = g_strdup (id);
  vw_send_track_grab_next_frame (document, on_grabbed, grab);
}

/* ---- annotations ---- */

static void
draw_rectangle (GstVideoFrame *frame, guint x, guint y, guint w, guint h)
{
  const guint border = MAX (3, GST_VIDEO_FRAME_WIDTH (frame) / 400);
  guint8 *pixels = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  guint fw = GST_VIDEO_FRAME_WIDTH (frame), fh = GST_VIDEO_FRAME_HEIGHT (frame);
  for (guint row = y; row < MIN (y + h, fh); row++)
    for (guint col = x; col < MIN (x + w, fw); col++) {
      gboolean edge = row < y + border || row >= y + h - border
          || col < x + border || col >= x + w - border;
      if (!edge)
        continue;
      guint8 *p = pixels + row * stride + col * 4;   /* RGBA */
      p[0] = 230; p[1] = 20; p[2] = 20; p[3] = 255;
    }
}

typedef struct {
  guint x, y, w, h;
} Mark;

static GstPadProbeReturn
mark_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Mark *mark = data;
  GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstVideoInfo vinfo;
  GstVideoFrame frame;
  if (caps && gst_video_info_from_caps (&vinfo, caps)
      && gst_video_frame_map (&frame, &vinfo, buf, GST_MAP_READWRITE)) {
    draw_rectangle (&frame, mark->x, mark->y, mark->w, mark->h);
    gst_video_frame_unmap (&frame);
  }
  return GST_PAD_PROBE_OK;
}

/* The page with the mark and its note, as PNG at @out.  The note goes
 * just under the mark (above it at the foot of the page). */
static gboolean
render_annotation (const char *in, const char *out, guint x, guint y, guint w,
    guint h, guint width, guint height, const char *note, GError **error)
{
  g_autofree char *in_q = vw_gst_quote (in);
  g_autofree char *out_q = vw_gst_quote (out);
  g_autofree char *desc = g_strdup_printf (
      "filesrc location=%s ! %s ! videoconvert ! video/x-raw,format=RGBA ! "
      "identity name=mark ! videoconvert ! "
      "textoverlay name=note halignment=position valignment=position "
      "shaded-background=true auto-resize=false wrap-mode=-1 line-alignment=left "
      "font-desc=\"Noto Sans CJK SC, Sans %u\" ! "
      "videoconvert ! pngenc ! filesink location=%s",
      in_q, g_str_has_suffix (in, ".jpg") ? "jpegdec" : "pngdec",
      MAX (16u, height / 90), out_q);
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, error);
  if (!pipeline)
    return FALSE;
  Mark mark = { x, y, w, h };
  double ypos = (double) (y + h + 8) / height;
  g_autoptr (GstElement) identity = gst_bin_get_by_name (GST_BIN (pipeline), "mark");
  g_autoptr (GstElement) text = gst_bin_get_by_name (GST_BIN (pipeline), "note");
  g_autoptr (GstPad) pad = gst_element_get_static_pad (identity, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, mark_probe, &mark, NULL);
  g_object_set (text, "text", note, "xpos", (x + w / 2.0) / width,
      "ypos", ypos > 0.95 ? MAX (0.0, (double) y / height - 0.05) : ypos, NULL);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (!msg || GST_MESSAGE_TYPE (msg) != GST_MESSAGE_EOS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not draw the annotation on %s", in);
    return FALSE;
  }
  return TRUE;
}

/* Shows @path in a window until the next one (or the end of the session). */
static void
show_page (VwSnapshots *s, const char *path)
{
  if (s->viewer) {
    gst_element_set_state (s->viewer, GST_STATE_NULL);
    gst_clear_object (&s->viewer);
  }
  g_autofree char *q = vw_gst_quote (path);
  g_autofree char *desc = g_strdup_printf ("filesrc location=%s ! pngdec ! "
      "videoconvert ! imagefreeze ! videoconvert ! autovideosink", q);
  s->viewer = gst_parse_launch (desc, NULL);
  if (s->viewer)
    gst_element_set_state (s->viewer, GST_STATE_PLAYING);
}

void
vw_snapshots_annotate (VwSnapshots *s, const char *id, guint x, guint y,
    guint w, guint h, const char *note)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_strdup_printf ("%s/%s-annotated.png", s->dir, id);
  SentSnapshot *sent = g_hash_table_lookup (s->sent, id);
  if (!sent) {
    vw_events_emit_error ("unknown-snapshot", "an annotation arrived for a snapshot we did not send");
    return;
  }
  if (!render_annotation (sent->path, out, x, y, w, h, sent->width, sent->height,
          note, &error)) {
    vw_events_emit_error ("annotation-failed", error->message);
    return;
  }
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "snapshot", id);
  json_object_set_int_member (o, "x", x);
  json_object_set_int_member (o, "y", y);
  json_object_set_int_member (o, "w", w);
  json_object_set_int_member (o, "h", h);
  json_object_set_string_member (o, "note", note);
  json_object_set_string_member (o, "path", out);
  vw_events_emit ("annotation", o);
  if (s->display)
    show_page (s, out);
}

/* ---- life cycle ---- */

VwSnapshots *
vw_snapshots_new (VwPeer *peer, const char *save_dir, gboolean display)
{
  VwSnapshots *s = g_new0 (VwSnapshots, 1);
  s->display = display;
  s->peer = g_object_ref (peer);
  s->dir = g_strdup (save_dir);
  s->receiver = vw_transfer_receiver_new (save_dir, on_file, s);
  s->cancellable = g_cancellable_new ();
  s->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) sent_snapshot_free);
  g_signal_connect (peer, "channel-string", G_CALLBACK (on_channel_string), s);
  g_signal_connect (peer, "channel-data", G_CALLBACK (on_channel_data), s);
  g_signal_connect (peer, "channel-closed", G_CALLBACK (on_channel_closed), s);
  return s;
}

void
vw_snapshots_free (VwSnapshots *s)
{
  if (!s)
    return;
  g_cancellable_cancel (s->cancellable);
  g_object_unref (s->cancellable);
  if (s->viewer) {
    gst_element_set_state (s->viewer, GST_STATE_NULL);
    gst_clear_object (&s->viewer);
  }
  g_signal_handlers_disconnect_by_data (s->peer, s);
  vw_transfer_receiver_free (s->receiver);
  g_hash_table_unref (s->sent);
  g_object_unref (s->peer);
  g_free (s->dir);
  g_free (s);
}
