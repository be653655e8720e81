/* vw-timecode.h: the capture time written into the picture itself.
 *
 * For measuring glass-to-glass latency: the sender writes the wall-clock
 * time (milliseconds, low 32 bits) and a checksum as a row of black and
 * white blocks along the top of each frame before encoding; the receiver
 * reads them back after decoding.  Blocks are large enough to survive VP8.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Adds a buffer probe on @pad (raw I420 video) that stamps each frame. */
void vw_timecode_attach_stamper (GstPad *pad);

typedef void (*VwTimecodeFunc) (guint32 stamped_ms, guint32 now_ms, gpointer user_data);

/* Adds a buffer probe on @pad (raw I420 video) that reads the stamp of each
 * frame and calls @func (on the streaming thread) when one is found. */
void vw_timecode_attach_reader (GstPad *pad, VwTimecodeFunc func,
                                gpointer user_data, GDestroyNotify notify);

/* Exposed for the unit test: write and read a stamp in an I420 frame. */
void     vw_timecode_write (guint8 *y, gint stride, gint width, gint height, guint32 value);
gboolean vw_timecode_read (const guint8 *y, gint stride, gint width, gint height, guint32 *value);

G_END_DECLS
