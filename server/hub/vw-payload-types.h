/* vw-payload-types.h: which RTP payload types the hub hands out.
 *
 * Every track of a session gets a payload type of its own, so payload types
 * are unique inside every participant's bundle and the hub tells streams
 * apart by payload type alone.  GStreamer's RTP payloaders and
 * depayloaders take only 96..127, and so does webrtcbin 1.22 when it picks
 * the RTX (RFC 4588) payload type of every video m-line in an offer: the
 * lowest one of 96..127 that the offer does not use yet.  So tracks take
 * theirs from the top down, and webrtcbin's RTX picks, from the bottom up,
 * keep the same value from one offer to the next while the two do not meet
 * (up to 18 tracks in a session: 4 participants sending every kind, and a
 * fifth's camera and audio).  In a larger session a new track may take a
 * payload type an RTX stream had: the next offer, made for that track,
 * moves the RTX stream elsewhere, as webrtcbin keeps every offer's payload
 * types unique.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VW_PT_DYNAMIC_FIRST 96
#define VW_PT_DYNAMIC_LAST 127

/* The most tracks a session can carry. */
#define VW_PT_MAX_TRACKS (VW_PT_DYNAMIC_LAST - VW_PT_DYNAMIC_FIRST + 1)

/* The payload type of a session's @index-th track (from 0), in @pt;
 * FALSE when the session has no payload type left for it. */
gboolean vw_payload_type_for_track (guint index, guint *pt);

G_END_DECLS
