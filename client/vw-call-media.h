/* vw-call-media.h: the client's side of a call's media.
 *
 * One pipeline and one VwPeer (webrtcbin, answerer) per session.  Sends the
 * configured sources, answers the hub's offers, decodes every remote track
 * into a window or a fake sink, and counts what arrives.  Events
 * (first-frame, first-audio, latency) go to stdout through vw-events.
 */
#pragma once

#include "vw-protocol.h"

G_BEGIN_DECLS

typedef struct _VwCallMedia VwCallMedia;

typedef struct {
  const char *camera;        /* source spec, or NULL/"none" for no camera */
  const char *microphone;    /* likewise */
  gboolean headless;
  gboolean timecode;         /* stamp sent frames, report latency of received */
  const char *ice_address;   /* (nullable) */
} VwCallMediaConfig;

typedef struct {
  void (*send) (VwMessage *msg, gpointer user_data);      /* answer, ice */
  void (*connected) (gpointer user_data);
  void (*failed) (const GError *error, gpointer user_data);
} VwCallMediaCallbacks;

/* (transfer full) (nullable): NULL with @error when a source does not build. */
VwCallMedia *vw_call_media_new (const VwCallMediaConfig *config, const char *session,
                                const VwCallMediaCallbacks *callbacks,
                                gpointer user_data, GError **error);
void         vw_call_media_free (VwCallMedia *media);

/* The "publish" message announcing our tracks. (transfer full) */
VwMessage   *vw_call_media_new_publish (VwCallMedia *media);

gboolean     vw_call_media_handle_offer (VwCallMedia *media, VwMessage *offer,
                                         GError **error);
/* Asks the senders of all received video for a keyframe, by RTCP PLI (as a
 * decoder that lost its reference would).  Returns how many tracks. */
guint        vw_call_media_request_keyframes (VwCallMedia *media);
/* The hub asks for a keyframe of our @kind track (a receiver starts). */
void         vw_call_media_force_keyframe (VwCallMedia *media, VwTrackKind kind);
void         vw_call_media_add_candidate (VwCallMedia *media, guint mline,
                                          const char *candidate);

/* Per remote track: frames and bytes received so far. (transfer full) */
JsonArray   *vw_call_media_get_stats (VwCallMedia *media);
/* Per track we send: frames (and keyframes) encoded so far. (transfer full) */
JsonArray   *vw_call_media_get_send_stats (VwCallMedia *media);

/* Builds each configured source once, so a bad --camera or --microphone is
 * reported at start-up instead of in the middle of a call. */
gboolean     vw_call_media_check_sources (const VwCallMediaConfig *config,
                                          GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwCallMedia, vw_call_media_free)

G_END_DECLS
