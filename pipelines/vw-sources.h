/* vw-sources.h: what a source spec given on the command line means.
 *
 *   test            a live test signal of the kind: a tone; a colour-bar
 *                   camera with a clock; a moving screen; a still page
 *   auto            the system's default device (screen: the X11 display)
 *   none            no source (callers check vw_source_is_none())
 *   PATH.png|.jpg   a still image as a live feed (a page under the
 *                   document camera, for demos and tests)
 *   /dev/videoN     a V4L2 device (camera, document camera)
 *   x11[?opts]      screen capture of X11: opts are &-separated
 *                   display=:N, window=XID, region=X,Y,W,H
 *   anything else   a GStreamer source description ("v4l2src ! ...")
 */
#pragma once

#include <glib.h>
#include "vw-protocol.h"

G_BEGIN_DECLS

gboolean vw_source_is_none (const char *spec);

/* The GStreamer description of @spec for a track of @kind, with a single
 * unlinked src pad.  NULL with a VW_MEDIA_ERROR when @spec is malformed
 * (whether the description builds is checked later). (transfer full) */
char    *vw_source_description (VwTrackKind kind, const char *spec, GError **error);

/* @s quoted for a GStreamer description: only the backslash and the quote
 * are escaped, so names such as 营业执照.png stay as they are.
 * (transfer full) */
char    *vw_gst_quote (const char *s);

G_END_DECLS
