/* vw-sources.c: source specs -> GStreamer descriptions. */
#include "vw-sources.h"
#include "vw-media.h"

#include <stdlib.h>

gboolean
vw_source_is_none (const char *spec)
{
  return !spec || !*spec || g_str_equal (spec, "none");
}

static const char *
test_source (VwTrackKind kind)
{
  switch (kind) {
    case VW_TRACK_AUDIO:
      return "audiotestsrc is-live=true wave=sine freq=440 volume=0.3";
    case VW_TRACK_CAMERA:
      return "videotestsrc is-live=true pattern=smpte ! "
          "clockoverlay time-format=\"%H:%M:%S\" font-desc=\"Sans 28\" "
          "halignment=right valignment=bottom";
    case VW_TRACK_SCREEN:
      return "videotestsrc is-live=true pattern=ball ! "
          "capsfilter caps=video/x-raw,width=1280,height=720,framerate=10/1 ! "
          "clockoverlay time-format=\"%H:%M:%S\" font-desc=\"Sans 20\"";
    case VW_TRACK_DOCUMENT:
    default:
      /* A capsfilter, not bare caps: a description may not end in caps. */
      return "videotestsrc is-live=true pattern=checkers-8 ! "
          "capsfilter caps=video/x-raw,width=1920,height=1080,framerate=5/1";
  }
}

static const char *
auto_source (VwTrackKind kind)
{
  switch (kind) {
    case VW_TRACK_AUDIO: return "autoaudiosrc";
    case VW_TRACK_SCREEN: return "ximagesrc use-damage=false show-pointer=true";
    default: return "autovideosrc";
  }
}

static gboolean
is_image_path (const char *spec)
{
  g_autofree char *lower = g_ascii_strdown (spec, -1);
  return (g_str_has_suffix (lower, ".png") || g_str_has_suffix (lower, ".jpg")
      || g_str_has_suffix (lower, ".jpeg"))
      && !strchr (spec, '!') && g_file_test (spec, G_FILE_TEST_IS_REGULAR);
}

char *
vw_gst_quote (const char *s)
{
  GString *out = g_string_new ("\"");
  for (const char *c = s; *c; c++) {
    if (*c == '\\' || *c == '"')
      g_string_append_c (out, '\\');
    g_string_append_c (out, *c);
  }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/* A still image repeated as a live stream: what a page lying under the
 * document camera looks like to the encoder. */
static char *
image_source (VwTrackKind kind, const char *path)
{
  g_autofree char *location = vw_gst_quote (path);
  g_autofree char *lower = g_ascii_strdown (path, -1);
  /* A named decoder, not decodebin: its pad exists at once, so the chain
   * links before the first buffer flows.  The frame rate is pinned right
   * after imagefreeze: left open, it may pick the "variable" 0/1 that
   * videorate also accepts and then divide by zero. */
  return g_strdup_printf ("filesrc location=%s ! %s ! videoconvert ! "
      "imagefreeze is-live=true ! capsfilter caps=video/x-raw,framerate=%u/1", location,
      g_str_has_suffix (lower, ".png") ? "pngdec" : "jpegdec",
      vw_video_profile_for_kind (kind)->fps);
}

static gboolean
parse_region (const char *value, gint64 r[4])
{
  g_auto (GStrv) parts = g_strsplit (value, ",", -1);
  if (g_strv_length (parts) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_string_to_signed (parts[i], 10, 0, 65535, &r[i], NULL))
      return FALSE;
  return r[2] > 0 && r[3] > 0;
}

/* x11[?display=:N&window=XID&region=X,Y,W,H] */
static char *
x11_source (const char *spec, GError **error)
{
  GString *desc = g_string_new ("ximagesrc use-damage=false show-pointer=true");
  const char *query = strchr (spec, '?');
  g_auto (GStrv) options = g_strsplit (query ? query + 1 : "", "&", -1);
  for (guint i = 0; options[i]; i++) {
    if (!*options[i])
      continue;
    const char *eq = strchr (options[i], '=');
    g_autofree char *key = g_strndup (options[i], eq ? eq - options[i] : (gssize) strlen (options[i]));
    const char *value = eq ? eq + 1 : "";
    guint64 xid;
    gint64 r[4];
    if (g_str_equal (key, "display") && *value) {
      g_autofree char *q = vw_gst_quote (value);
      g_string_append_printf (desc, " display-name=%s", q);
    } else if (g_str_equal (key, "window")
        && g_ascii_string_to_unsigned (value + (g_str_has_prefix (value, "0x") ? 2 : 0),
            g_str_has_prefix (value, "0x") ? 16 : 10, 1, G_MAXUINT32, &xid, NULL)) {
      g_string_append_printf (desc, " xid=%" G_GUINT64_FORMAT, xid);
    } else if (g_str_equal (key, "region") && parse_region (value, r)) {
      g_string_append_printf (desc, " startx=%" G_GINT64_FORMAT " starty=%" G_GINT64_FORMAT
          " endx=%" G_GINT64_FORMAT " endy=%" G_GINT64_FORMAT,
          r[0], r[1], r[0] + r[2] - 1, r[1] + r[3] - 1);
    } else {
      g_set_error (error, VW_MEDIA_ERROR, VW_MEDIA_ERROR_BAD_SOURCE,
          "screen source '%s': '%s' is not display=:N, window=XID or "
          "region=X,Y,W,H", spec, options[i]);
      g_string_free (desc, TRUE);
      return NULL;
    }
  }
  return g_string_free (desc, FALSE);
}

char *
vw_source_description (VwTrackKind kind, const char *spec, GError **error)
{
  g_return_val_if_fail (kind < VW_TRACK_N_KINDS, NULL);
  g_return_val_if_fail (!vw_source_is_none (spec), NULL);

  if (g_str_equal (spec, "test"))
    return g_strdup (test_source (kind));
  if (g_str_equal (spec, "auto"))
    return g_strdup (auto_source (kind));
  if (kind != VW_TRACK_AUDIO && is_image_path (spec))
    return image_source (kind, spec);
  if (kind != VW_TRACK_AUDIO && g_str_has_prefix (spec, "/dev/video")) {
    g_autofree char *device = vw_gst_quote (spec);
    return g_strdup_printf ("v4l2src device=%s", device);
  }
  if (kind != VW_TRACK_AUDIO && (g_str_equal (spec, "x11") || g_str_has_prefix (spec, "x11?")))
    return x11_source (spec, error);
  return g_strdup (spec);
}
