#include "vw-events.h"
#include "vw-json-write.h"

#include <stdio.h>

void
vw_events_emit (const char *event, JsonObject *fields)
{
  g_autoptr (JsonObject) obj = json_object_new ();
  json_object_set_string_member (obj, "event", event);
  json_object_set_int_member (obj, "t", g_get_real_time () / 1000);
  if (fields) {
    JsonObjectIter iter;
    const char *name;
    JsonNode *value;
    json_object_iter_init (&iter, fields);
    while (json_object_iter_next (&iter, &name, &value))
      json_object_set_member (obj, name, json_node_copy (value));
    json_object_unref (fields);
  }
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
  g_autofree char *line = vw_json_to_string (node);
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

void
vw_events_emit_error (const char *code, const char *message)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "code", code);
  json_object_set_string_member (o, "message", message);
  vw_events_emit ("error", o);
}
