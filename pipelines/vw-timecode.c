/* vw-timecode.c: a 32-bit millisecond stamp plus an 8-bit checksum, drawn as
 * 40 luma blocks across the top of an I420 frame. */
#include "vw-timecode.h"

#include <gst/video/video.h>

#define N_BITS 40
#define BLOCK_H 16
#define BLACK 16
#define WHITE 235

static guint8
checksum (guint32 v)
{
  return (guint8) (0xa5 ^ (v & 0xff) ^ ((v >> 8) & 0xff) ^ ((v >> 16) & 0xff)
      ^ ((v >> 24) & 0xff));
}

void
vw_timecode_write (guint8 *y, gint stride, gint width, gint height, guint32 value)
{
  guint64 word = ((guint64) value << 8) | checksum (value);
  gint bw = width / N_BITS;
  if (bw < 2 || height < BLOCK_H)
    return;
  for (gint row = 0; row < BLOCK_H; row++) {
    guint8 *line = y + row * stride;
    for (gint bit = 0; bit < N_BITS; bit++) {
      guint8 v = (word >> (N_BITS - 1 - bit)) & 1 ? WHITE : BLACK;
      memset (line + bit * bw, v, bw);
    }
  }
}

gboolean
vw_timecode_read (const guint8 *y, gint stride, gint width, gint height,
    guint32 *value)
{
  gint bw = width / N_BITS;
  if (bw < 2 || height < BLOCK_H)
    return FALSE;
  guint64 word = 0;
  for (gint bit = 0; bit < N_BITS; bit++) {
    /* Average the middle of the block: edges blur under compression. */
    guint sum = 0, n = 0;
    for (gint row = BLOCK_H / 4; row < 3 * BLOCK_H / 4; row++)
      for (gint x = bit * bw + bw / 4; x < bit * bw + 3 * bw / 4; x++, n++)
        sum += y[row * stride + x];
    word = (word << 1) | (sum / n > 128 ? 1 : 0);
  }
  guint32 v = (guint32) (word >> 8);
  if (checksum (v) != (word & 0xff))
    return FALSE;
  *value = v;
  return TRUE;
}

static guint32
now_ms (void)
{
  return (guint32) (g_get_real_time () / 1000);
}

static gboolean
map_frame (GstPad *pad, GstBuffer *buf, GstMapFlags flags, GstVideoFrame *frame)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstVideoInfo info;
  if (!caps || !gst_video_info_from_caps (&info, caps)
      || GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_I420)
    return FALSE;
  return gst_video_frame_map (frame, &info, buf, flags);
}

static GstPadProbeReturn
stamp_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  buf = gst_buffer_make_writable (buf);
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  GstVideoFrame frame;
  if (map_frame (pad, buf, GST_MAP_WRITE, &frame)) {
    vw_timecode_write (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
        GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
        GST_VIDEO_FRAME_WIDTH (&frame), GST_VIDEO_FRAME_HEIGHT (&frame),
        now_ms ());
    gst_video_frame_unmap (&frame);
  }
  return GST_PAD_PROBE_OK;
}

void
vw_timecode_attach_stamper (GstPad *pad)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, stamp_probe, NULL, NULL);
}

typedef struct {
  VwTimecodeFunc func;
  gpointer user_data;
  GDestroyNotify notify;
} Reader;

static void
reader_free (gpointer data)
{
  Reader *r = data;
  if (r->notify)
    r->notify (r->user_data);
  g_free (r);
}

static GstPadProbeReturn
read_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Reader *r = user_data;
  GstVideoFrame frame;
  if (map_frame (pad, GST_PAD_PROBE_INFO_BUFFER (info), GST_MAP_READ, &frame)) {
    guint32 stamped;
    gboolean ok = vw_timecode_read (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
        GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
        GST_VIDEO_FRAME_WIDTH (&frame), GST_VIDEO_FRAME_HEIGHT (&frame),
        &stamped);
    gst_video_frame_unmap (&frame);
    if (ok)
      r->func (stamped, now_ms (), r->user_data);
  }
  return GST_PAD_PROBE_OK;
}

void
vw_timecode_attach_reader (GstPad *pad, VwTimecodeFunc func,
    gpointer user_data, GDestroyNotify notify)
{
  Reader *r = g_new0 (Reader, 1);
  r->func = func;
  r->user_data = user_data;
  r->notify = notify;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, read_probe, r, reader_free);
}
