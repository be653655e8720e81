/* transfer-test-util.c: see transfer-test-util.h. */
#include "transfer-test-util.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names in @dir, sorted and joined by spaces ("" when empty). */
static char *
listing (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR)
      && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)) {
    g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d))) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  }
  g_remove (path);
}

/* @size pseudo-random bytes, the same for the same @seed. */
GBytes *
random_bytes (gsize size, guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint8 *buf = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    buf[i] = g_rand_int_range (rand, 0, 256);
  return g_bytes_new_take (buf, size);
}

/* The messages of a transfer of @data, as vw_transfer_messages() makes them. */
static GPtrArray *
make_messages (const char *id, const char *mime, GBytes *data)
{
  g_autofree char *sha = vw_transfer_sha256 (data);
  VwTransferInfo info = {
    .id = (char *) id,
    .size = g_bytes_get_size (data),
    .sha256 = sha,
    .mime = (char *) mime,
    .width = 640,
    .height = 480,
  };
  return vw_transfer_messages (&info, data);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
object_to_text (JsonObject *obj)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
  return json_to_string (node, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Scripts: what a test feeds the receiver, in order.                       */

static void
step_free (Step *step)
{
  g_free (step->text);
  g_clear_pointer (&step->data, g_bytes_unref);
  g_free (step);
}

Step *
step_string (const char *text)
{
  Step *step = g_new0 (Step, 1);
  step->kind = STEP_STRING;
  step->text = g_strdup (text);
  return step;
}

Step *
step_data (GBytes *data)
{
  Step *step = g_new0 (Step, 1);
  step->kind = STEP_DATA;
  step->data = g_bytes_ref (data);
  return step;
}

Step *
step_abort (void)
{
  Step *step = g_new0 (Step, 1);
  step->kind = STEP_ABORT;
  return step;
}

/* Checks the messages of a transfer of @data (header, chunks of at most
 * VW_TRANSFER_CHUNK bytes that add up to @data, end) and turns them into a
 * script. */
static GPtrArray *
script_from_messages (GPtrArray *messages, const char *id, const char *mime,
                      GBytes *data)
{
  GPtrArray *script = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  gsize size = g_bytes_get_size (data);
  guint chunks = (size + VW_TRANSFER_CHUNK - 1) / VW_TRANSFER_CHUNK;
  g_autofree char *sha = vw_transfer_sha256 (data);
  g_autoptr (GByteArray) joined = g_byte_array_new ();

  g_assert_cmpuint (messages->len, ==, chunks + 2);
  for (guint i = 0; i < messages->len; i++) {
    VwTransferMessage *m = g_ptr_array_index (messages, i);
    gboolean is_string = i == 0 || i == messages->len - 1;
    g_assert_cmpint (vw_transfer_message_is_string (m), ==, is_string);
    if (is_string) {
      g_assert_nonnull (vw_transfer_message_get_string (m));
      g_ptr_array_add (script, step_string (vw_transfer_message_get_string (m)));
    } else {
      gsize len;
      const guint8 *bytes = g_bytes_get_data (vw_transfer_message_get_data (m), &len);
      g_assert_null (vw_transfer_message_get_string (m));
      g_assert_cmpuint (len, >, 0);
      g_assert_cmpuint (len, <=, VW_TRANSFER_CHUNK);
      if (i < messages->len - 2)
        g_assert_cmpuint (len, ==, VW_TRANSFER_CHUNK);
      g_byte_array_append (joined, bytes, len);
      g_ptr_array_add (script, step_data (vw_transfer_message_get_data (m)));
    }
  }
  g_assert_cmpmem (joined->data, joined->len,
                   g_bytes_get_data (data, NULL), size);

  /* The header and the end say what the wire format says. */
  g_autoptr (JsonObject) head = parse_object (vw_transfer_message_get_string (messages->pdata[0]));
  g_assert_cmpstr (json_object_get_string_member (head, "type"), ==, "file");
  g_assert_cmpstr (json_object_get_string_member (head, "id"), ==, id);
  g_assert_cmpint (json_object_get_int_member (head, "size"), ==, size);
  g_assert_cmpstr (json_object_get_string_member (head, "sha256"), ==, sha);
  g_assert_cmpstr (json_object_get_string_member (head, "mime"), ==, mime);
  g_assert_cmpint (json_object_get_int_member (head, "width"), ==, 640);
  g_assert_cmpint (json_object_get_int_member (head, "height"), ==, 480);
  g_autoptr (JsonObject) end = parse_object (
      vw_transfer_message_get_string (messages->pdata[messages->len - 1]));
  g_assert_cmpstr (json_object_get_string_member (end, "type"), ==, "file-end");
  g_assert_cmpstr (json_object_get_string_member (end, "id"), ==, id);
  g_assert_cmpuint (json_object_get_size (end), ==, 2);
  return script;
}

/* The script of a valid transfer of @data. */
GPtrArray *
make_script (const char *id, const char *mime, GBytes *data)
{
  g_autoptr (GPtrArray) messages = make_messages (id, mime, data);
  return script_from_messages (messages, id, mime, data);
}

/* Rewrites a member of the header (step 0) of @script. */
void
set_header_int (GPtrArray *script, const char *member, gint64 value)
{
  Step *head = g_ptr_array_index (script, 0);
  g_autoptr (JsonObject) obj = parse_object (head->text);

  json_object_set_int_member (obj, member, value);
  g_free (head->text);
  head->text = object_to_text (obj);
}

void
set_header_string (GPtrArray *script, const char *member, const char *value)
{
  Step *head = g_ptr_array_index (script, 0);
  g_autoptr (JsonObject) obj = parse_object (head->text);

  json_object_set_string_member (obj, member, value);
  g_free (head->text);
  head->text = object_to_text (obj);
}

/* ------------------------------------------------------------------------ */
/* The fixture: a temporary directory, a receiver and what it reported.     */

static void
done_free (Done *d)
{
  vw_transfer_info_free (d->info);
  g_free (d->path);
  g_clear_error (&d->error);
  g_free (d->inbox);
  g_free (d);
}

static void
on_done (const VwTransferInfo *info, const char *path, const GError *error,
         gpointer user_data)
{
  Fixture *f = user_data;
  Done *d = g_new0 (Done, 1);

  g_assert_nonnull (info);
  g_assert_nonnull (info->id);
  d->info = vw_transfer_info_copy (info);
  d->path = g_strdup (path);
  d->error = error ? g_error_copy (error) : NULL;
  d->inbox = listing (f->inbox);
  g_ptr_array_add (f->dones, d);
  /* Either a file or an error, never both. */
  g_assert_true ((path == NULL) != (error == NULL));
}

void
fixture_set_up (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;

  f->parent = g_dir_make_tmp ("test-transfer-XXXXXX", &error);
  g_assert_no_error (error);
  f->inbox = g_build_filename (f->parent, "inbox", NULL);
  g_assert_cmpint (g_mkdir (f->inbox, 0700), ==, 0);
  f->dones = g_ptr_array_new_with_free_func ((GDestroyNotify) done_free);
  f->r = vw_transfer_receiver_new (f->inbox, on_done, f);
}

void
fixture_tear_down (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_clear_pointer (&f->r, vw_transfer_receiver_free);
  remove_tree (f->parent);
  g_assert_false (g_file_test (f->parent, G_FILE_TEST_EXISTS));
  g_free (f->parent);
  g_free (f->inbox);
  g_ptr_array_unref (f->dones);
}

/* Feeds one step; transfer messages must be taken as such. */
void
feed_step (Fixture *f, Step *step)
{
  switch (step->kind) {
  case STEP_STRING:
    g_assert_true (vw_transfer_receiver_feed_string (f->r, step->text));
    break;
  case STEP_DATA:
    vw_transfer_receiver_feed_data (f->r, step->data);
    break;
  case STEP_ABORT:
    vw_transfer_receiver_abort (f->r, "the test cut the channel");
    break;
  }
}

void
feed_steps (Fixture *f, GPtrArray *script, guint from, guint to)
{
  for (guint i = from; i < to && i < script->len; i++)
    feed_step (f, g_ptr_array_index (script, i));
}

/* Asserts that the inbox holds exactly @names and that nothing escaped. */
void
assert_files (Fixture *f, const char *names)
{
  g_autofree char *inbox = listing (f->inbox);
  g_autofree char *parent = listing (f->parent);

  g_assert_cmpstr (inbox, ==, names);
  g_assert_cmpstr (parent, ==, "inbox");
}

/* Asserts that done was called exactly @n times so far. */
void
assert_dones (Fixture *f, guint n)
{
  if (f->dones->len != n)
    for (guint i = 0; i < f->dones->len; i++) {
      Done *d = g_ptr_array_index (f->dones, i);
      g_test_message ("done #%u: id \"%s\", path %s, error %s", i, d->info->id,
                      d->path ? d->path : "(none)",
                      d->error ? d->error->message : "(none)");
    }
  g_assert_cmpuint (f->dones->len, ==, n);
}

/* Asserts that done #@i reported a failure with @code for @id, and that
 * the inbox was already empty when it was called. */
void
assert_failed (Fixture *f, guint i, VwTransferError code, const char *id)
{
  Done *d = g_ptr_array_index (f->dones, i);

  g_assert_error (d->error, VW_TRANSFER_ERROR, (int) code);
  g_assert_cmpstr (d->error->message, !=, "");
  g_assert_null (d->path);
  g_assert_cmpstr (d->info->id, ==, id);
  g_assert_cmpstr (d->inbox, ==, "");
}

/* Asserts that done #@i reported @id complete as @name, holding @data. */
void
assert_kept (Fixture *f, guint i, const char *id, const char *mime,
             const char *name, GBytes *data)
{
  Done *d = g_ptr_array_index (f->dones, i);
  g_autofree char *expected_path = g_build_filename (f->inbox, name, NULL);
  g_autofree char *sha = vw_transfer_sha256 (data);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;

  g_assert_no_error (d->error);
  g_assert_cmpstr (d->path, ==, expected_path);
  g_assert_cmpstr (d->inbox, ==, name);   /* in place when done is told */
  g_assert_cmpstr (d->info->id, ==, id);
  g_assert_cmpuint (d->info->size, ==, g_bytes_get_size (data));
  g_assert_cmpstr (d->info->sha256, ==, sha);
  g_assert_cmpstr (d->info->mime, ==, mime);
  g_assert_cmpuint (d->info->width, ==, 640);
  g_assert_cmpuint (d->info->height, ==, 480);

  g_file_get_contents (d->path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, g_bytes_get_data (data, NULL),
                   g_bytes_get_size (data));
  g_autoptr (GBytes) kept = g_bytes_new_take (g_steal_pointer (&contents), length);
  g_autofree char *kept_sha = vw_transfer_sha256 (kept);
  g_assert_cmpstr (kept_sha, ==, sha);
}
