/* peer-test-util.c: see peer-test-util.h. */
#include "peer-test-util.h"

/* @sdp without its a=ssrc, a=ssrc-group and a=msid lines. */
static char *
strip_ssrcs (const char *sdp)
{
  g_auto (GStrv) lines = g_strsplit (sdp, "\r\n", -1);
  GString *out = g_string_new (NULL);
  for (guint i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "a=ssrc") || g_str_has_prefix (lines[i], "a=msid"))
      continue;
    if (*lines[i])
      g_string_append_printf (out, "%s\r\n", lines[i]);
  }
  return g_string_free (out, FALSE);
}

static void
on_hub_description (VwPeer *hub, const char *type, const char *sdp, VwPeerPair *pair)
{
  g_autoptr (GError) error = NULL;
  g_assert_cmpstr (type, ==, "offer");
  g_assert_true (vw_peer_set_remote_offer (pair->desk, sdp, &error));
  g_assert_no_error (error);
}

static void
on_desk_description (VwPeer *desk, const char *type, const char *sdp, VwPeerPair *pair)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = pair->strip_answer_ssrcs ? strip_ssrcs (sdp) : g_strdup (sdp);
  g_assert_cmpstr (type, ==, "answer");
  g_assert_true (vw_peer_set_remote_answer (pair->hub, answer, &error));
  g_assert_no_error (error);
  pair->answers++;
}

static void
on_hub_candidate (VwPeer *hub, guint mline, const char *candidate, VwPeerPair *pair)
{
  if (*candidate)
    vw_peer_add_ice_candidate (pair->desk, mline, candidate);
}

static void
on_desk_candidate (VwPeer *desk, guint mline, const char *candidate, VwPeerPair *pair)
{
  if (*candidate)
    vw_peer_add_ice_candidate (pair->hub, mline, candidate);
}

void
vw_peer_pair_init (VwPeerPair *pair)
{
  pair->pipeline = gst_pipeline_new (NULL);
  pair->hub = vw_peer_new (GST_BIN (pair->pipeline), "hub", 20);
  pair->desk = vw_peer_new (GST_BIN (pair->pipeline), "desk", 20);
  vw_peer_restrict_ice (pair->hub, "127.0.0.1");
  vw_peer_restrict_ice (pair->desk, "127.0.0.1");
  g_signal_connect (pair->hub, "local-description", G_CALLBACK (on_hub_description), pair);
  g_signal_connect (pair->desk, "local-description", G_CALLBACK (on_desk_description), pair);
  g_signal_connect (pair->hub, "ice-candidate", G_CALLBACK (on_hub_candidate), pair);
  g_signal_connect (pair->desk, "ice-candidate", G_CALLBACK (on_desk_candidate), pair);
}

void
vw_peer_pair_clear (VwPeerPair *pair)
{
  gst_element_set_state (pair->pipeline, GST_STATE_NULL);
  vw_peer_close (pair->hub);
  vw_peer_close (pair->desk);
  g_clear_object (&pair->hub);
  g_clear_object (&pair->desk);
  gst_clear_object (&pair->pipeline);
}

gboolean
vw_test_iterate_until (gboolean (*done) (gpointer data), gpointer data,
    guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  while (!done (data) && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return done (data);
}
