/* vw-fuzz-seeds.c: writes the seed corpus of fuzz-protocol and
 * fuzz-json-check from the protocol's own tables, so that it follows them:
 *
 *   vw-fuzz-seeds DIR
 *
 * DIR/valid-TYPE-all and DIR/valid-TYPE-required: a message of every type
 * of signaling/vw-protocol-table.c with all its fields or only the required
 * ones, each field given a value of its kind (the first allowed value,
 * nested objects and arrays filled the same way); each is checked to parse
 * before it is written.  DIR/invalid-NAME: every row of
 * tests/protocol-invalid-table.c.  Exit status 1 when a file cannot be
 * written or a made-up valid message does not parse. */
#include "vw-protocol.h"
#include "vw-protocol-private.h"
#include "protocol-invalid-table.h"

#include <string.h>

static JsonObject *example_object (const VwFieldSpec *fields, gboolean all);

static JsonNode *
example_value (const VwFieldSpec *spec, gboolean all)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  switch (spec->kind) {
    case VW_FIELD_STRING:
    case VW_FIELD_NONEMPTY_STRING:
      if (spec->allowed != NULL)
        json_node_set_string (node, spec->allowed[0]);
      else if (g_str_equal (spec->name, "province"))
        json_node_set_string (node, "shanghai");
      else
        json_node_set_string (node, "x1");
      break;
    case VW_FIELD_INT:
    case VW_FIELD_POS_INT:
      json_node_set_int (node, 1);
      break;
    case VW_FIELD_NONNEG_INT:
      json_node_set_int (node, 0);
      break;
    case VW_FIELD_BOOL:
      json_node_set_boolean (node, TRUE);
      break;
    case VW_FIELD_OBJECT:
      json_node_unref (node);
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, example_object (spec->members, all));
      break;
    case VW_FIELD_ARRAY: {
      JsonArray *array = json_array_new ();

      if (spec->members != NULL)
        json_array_add_object_element (array, example_object (spec->members, all));
      else
        json_array_add_string_element (array, "x1");
      json_node_unref (node);
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, array);
      break;
    }
    case VW_FIELD_ANY:
      json_node_unref (node);
      node = json_node_new (JSON_NODE_NULL);
      break;
  }
  return node;
}

static JsonObject *
example_object (const VwFieldSpec *fields, gboolean all)
{
  JsonObject *object = json_object_new ();

  for (const VwFieldSpec *spec = fields; spec->name != NULL; spec++)
    if (all || spec->required)
      json_object_set_member (object, spec->name, example_value (spec, all));
  return object;
}

static gboolean
write_seed (const char *dir, const char *name, const char *text, gsize length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, text, length, &error)) {
    g_printerr ("vw-fuzz-seeds: %s\n", error->message);
    return FALSE;
  }
  return TRUE;
}

static gboolean
write_valid (const char *dir, VwMessageType type, gboolean all)
{
  const VwMessageSpec *spec = &vw_message_specs[type];
  g_autoptr (JsonObject) object = example_object (spec->fields, all);
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *name = g_strdup_printf ("valid-%s-%s", spec->name,
      all ? "all" : "required");
  g_autofree char *text = NULL;
  VwDirection from = (spec->senders & FROM (VW_FROM_CLIENT)) ? VW_FROM_CLIENT
      : VW_FROM_SERVER;

  json_object_set_string_member (object, "type", spec->name);
  if (all && from == VW_FROM_CLIENT)
    json_object_set_string_member (object, "id", "c1");
  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);

  g_autoptr (GError) error = NULL;
  g_autoptr (VwMessage) msg = vw_message_parse (text, strlen (text), from, NULL, &error);
  if (msg == NULL) {
    g_printerr ("vw-fuzz-seeds: the example %s does not parse: %s\n%s\n", name,
        error->message, text);
    return FALSE;
  }
  return write_seed (dir, name, text, strlen (text));
}

int
main (int argc, char **argv)
{
  guint n = 0;

  if (argc != 2) {
    g_printerr ("usage: %s DIR\n", argv[0]);
    return 2;
  }
  if (g_mkdir_with_parents (argv[1], 0755) != 0) {
    g_printerr ("vw-fuzz-seeds: cannot make %s\n", argv[1]);
    return 1;
  }

  for (guint type = 0; type < VW_MSG_N_TYPES; type++) {
    if (!write_valid (argv[1], type, TRUE) || !write_valid (argv[1], type, FALSE))
      return 1;
    n += 2;
  }
  for (guint i = 0; i < vw_n_invalid_cases; i++) {
    const InvalidCase *c = &vw_invalid_cases[i];
    g_autofree char *name = g_strdup_printf ("invalid-%s", c->name);
    gsize length = c->length < 0 ? strlen (c->text) : (gsize) c->length;

    if (!write_seed (argv[1], name, c->text, length))
      return 1;
    n++;
  }
  g_print ("vw-fuzz-seeds: %u seeds in %s\n", n, argv[1]);
  return 0;
}
