/* vw-webm.h: reading the little we need from a WebM (Matroska) file: the
 * segment's duration that webmmux wrote when it finished, and the time its
 * blocks span, for a file cut off before that (a crash). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Duration of the Segment Info in @data (a whole WebM file, or at
 * least its first kilobytes), in milliseconds, scaled by its
 * TimecodeScale; -1 if there is none (a file cut off before webmmux
 * finished it). */
gint64 vw_webm_duration_ms (const guint8 *data, gsize size);

/* The time the whole blocks in @data span, in milliseconds: from the
 * first block's start to the last whole block's end (its BlockDuration,
 * else its track's DefaultDuration, else the gap before it).  For a file
 * cut anywhere, even inside a cluster or a block: a block that does not
 * reach its declared end is not counted.  -1 if there is no whole block
 * (or @data is not WebM). */
gint64 vw_webm_blocks_duration_ms (const guint8 *data, gsize size);

G_END_DECLS
