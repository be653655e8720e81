/* vw-webm.h: reading the little we need from a WebM (Matroska) file that
 * webmmux finished: the segment's duration. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Duration of the Segment Info in @data (a whole WebM file, or at
 * least its first kilobytes), in milliseconds, scaled by its
 * TimecodeScale; -1 if there is none (a file cut off before webmmux
 * finished it). */
gint64 vw_webm_duration_ms (const guint8 *data, gsize size);

G_END_DECLS
