/* vw-events.h: one JSON object per line on stdout for every call event,
 * so scripts and tests can follow a call.  Every line has "event" and "t"
 * (wall clock, milliseconds since the epoch). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Prints {"event": @event, "t": ..., ...@fields}.  Takes @fields (nullable). */
void vw_events_emit (const char *event, JsonObject *fields);

/* {"event":"error","code":@code,"message":@message} */
void vw_events_emit_error (const char *code, const char *message);

G_END_DECLS
