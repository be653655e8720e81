/* vw-call-media.h: the client's side of a call's media.
 *
 * One pipeline and one VwPeer (webrtcbin, answerer) per session.  Sends the
 * configured sources (microphone, camera, screen, document camera), answers
 * the hub's offers, decodes every remote track into a window of its own or
 * a fake sink, and counts what arrives.  Events (first-frame, first-audio,
 * latency, track-ended) go to stdout through vw-events.
 */
#pragma once

#include "vw-protocol.h"

G_BEGIN_DECLS

typedef struct _VwCallMedia VwCallMedia;

typedef struct {
  /* Source spec per kind (see vw-sources.h); NULL or "none": not sent. */
  const char *sources[VW_TRACK_N_KINDS];
  /* Bits per second per kind; 0: the kind's profile. */
  guint bitrates[VW_TRACK_N_KINDS];
  gboolean headless;
  gboolean timecode;         /* stamp sent frames, report latency of received */
  const char *ice_address;   /* (nullable) */
  const char *save_dir;      /* snapshots we send and receive */
  gboolean ice_tcp;          /* active ICE-TCP candidates even with ice_address */
  gboolean relay_only;       /* only TURN-relayed candidates (testing TURN) */
  JsonArray *ice_servers;    /* (nullable) "ice-servers" of "paired"; read
                              * by vw_call_media_new() only */
} VwCallMediaConfig;

typedef struct {
  void (*send) (VwMessage *msg, gpointer user_data);      /* answer, ice, publish */
  void (*connected) (gpointer user_data);
  void (*failed) (const GError *error, gpointer user_data);
} VwCallMediaCallbacks;

/* Builds each configured source once, so a bad source is reported at
 * start-up instead of in the middle of a call. */
gboolean     vw_call_media_check_source (VwTrackKind kind, const char *spec,
                                         GError **error);

/* (transfer full) */
VwCallMedia *vw_call_media_new (const VwCallMediaConfig *config, const char *session,
                                const VwCallMediaCallbacks *callbacks,
                                gpointer user_data);
void         vw_call_media_free (VwCallMedia *media);

/* Sends "publish" with the tracks we send now. */
void         vw_call_media_publish (VwCallMedia *media);
/* Starts (or replaces) sending @kind from @spec, or stops it (@spec NULL or
 * "none"), and publishes the change. */
gboolean     vw_call_media_share (VwCallMedia *media, VwTrackKind kind,
                                  const char *spec, GError **error);

gboolean     vw_call_media_handle_offer (VwCallMedia *media, VwMessage *offer,
                                         GError **error);
/* The hub's list of live tracks changed without a new offer. */
void         vw_call_media_handle_tracks (VwCallMedia *media, VwMessage *msg);
void         vw_call_media_add_candidate (VwCallMedia *media, guint mline,
                                          const char *candidate);
/* The hub asks for a keyframe of our @kind track (a receiver starts). */
void         vw_call_media_force_keyframe (VwCallMedia *media, VwTrackKind kind);
/* The hub caps our @kind track at @max_bitrate bits per second ("bitrate");
 * kept for a track started later.  No effect on audio. */
void         vw_call_media_set_max_bitrate (VwCallMedia *media, VwTrackKind kind,
                                            guint max_bitrate);
/* Asks the senders of all received video for a keyframe, by RTCP PLI (as a
 * decoder that lost its reference would).  Returns how many tracks. */
guint        vw_call_media_request_keyframes (VwCallMedia *media);
/* Writes the latest decoded frame of the received @kind track as PNG. */
gboolean     vw_call_media_save_frame (VwCallMedia *media, VwTrackKind kind,
                                       const char *path, guint *width,
                                       guint *height, GError **error);

/* The hub asks us for snapshot @id of our document camera. */
void         vw_call_media_send_snapshot (VwCallMedia *media, const char *id);
/* An annotation arrived for snapshot @id that we sent. */
void         vw_call_media_annotate (VwCallMedia *media, const char *id, guint x,
                                     guint y, guint w, guint h, const char *note);

/* Per remote track: frames and bytes received so far. (transfer full) */
JsonArray   *vw_call_media_get_stats (VwCallMedia *media);
/* Per track we send: frames (and keyframes) encoded so far. (transfer full) */
JsonArray   *vw_call_media_get_send_stats (VwCallMedia *media);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwCallMedia, vw_call_media_free)

G_END_DECLS
