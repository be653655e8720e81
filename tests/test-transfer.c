/* test-transfer.c: unit tests for files sent in chunks with their SHA-256
 * (vw-transfer.h).
 *
 * Every test gets a fresh temporary directory PARENT, and the receiver
 * writes into PARENT/inbox: a file that escapes the inbox (path traversal)
 * shows up in PARENT, and the teardown removes both.  The done callback
 * records each call, together with what the inbox held at that moment.
 *
 * Bad input is table-driven, in the spirit of json-glib's tests/invalid.c:
 * each row of bad_transfers[] spoils a valid transfer and names the error
 * the receiver must report (once, keeping no file at all); each row of
 * bad_headers[] is a header that must be refused; each row of ignored[] is
 * a string that is not a transfer message and must not disturb one in
 * flight.  Rows whose JSON has members of the wrong type run in a
 * subprocess, so that a crash or a critical fails that row alone.
 */
#include "vw-transfer.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <string.h>

#define MIB (1024 * 1024)
#define ID "pic"
/* SHA-256 of the empty string: well-formed, and never right for a file. */
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

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
static GBytes *
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

typedef enum { STEP_STRING, STEP_DATA, STEP_ABORT } StepKind;

typedef struct {
  StepKind kind;
  char *text;
  GBytes *data;
} Step;

static void
step_free (Step *step)
{
  g_free (step->text);
  g_clear_pointer (&step->data, g_bytes_unref);
  g_free (step);
}

static Step *
step_string (const char *text)
{
  Step *step = g_new0 (Step, 1);
  step->kind = STEP_STRING;
  step->text = g_strdup (text);
  return step;
}

static Step *
step_data (GBytes *data)
{
  Step *step = g_new0 (Step, 1);
  step->kind = STEP_DATA;
  step->data = g_bytes_ref (data);
  return step;
}

static Step *
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
static GPtrArray *
make_script (const char *id, const char *mime, GBytes *data)
{
  g_autoptr (GPtrArray) messages = make_messages (id, mime, data);
  return script_from_messages (messages, id, mime, data);
}

/* Rewrites a member of the header (step 0) of @script. */
static void
set_header_int (GPtrArray *script, const char *member, gint64 value)
{
  Step *head = g_ptr_array_index (script, 0);
  g_autoptr (JsonObject) obj = parse_object (head->text);

  json_object_set_int_member (obj, member, value);
  g_free (head->text);
  head->text = object_to_text (obj);
}

static void
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

typedef struct {
  VwTransferInfo *info;
  char *path;
  GError *error;
  char *inbox;       /* listing() of the inbox when done was called */
} Done;

static void
done_free (Done *d)
{
  vw_transfer_info_free (d->info);
  g_free (d->path);
  g_clear_error (&d->error);
  g_free (d->inbox);
  g_free (d);
}

typedef struct {
  char *parent;
  char *inbox;
  VwTransferReceiver *r;
  GPtrArray *dones;   /* of Done */
} Fixture;

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

static void
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

static void
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
static void
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

static void
feed_steps (Fixture *f, GPtrArray *script, guint from, guint to)
{
  for (guint i = from; i < to && i < script->len; i++)
    feed_step (f, g_ptr_array_index (script, i));
}

/* Asserts that the inbox holds exactly @names and that nothing escaped. */
static void
assert_files (Fixture *f, const char *names)
{
  g_autofree char *inbox = listing (f->inbox);
  g_autofree char *parent = listing (f->parent);

  g_assert_cmpstr (inbox, ==, names);
  g_assert_cmpstr (parent, ==, "inbox");
}

/* Asserts that done was called exactly @n times so far. */
static void
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
static void
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
static void
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

/* ------------------------------------------------------------------------ */
/* SHA-256                                                                  */

static void
test_sha256 (void)
{
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr (GBytes) abc = g_bytes_new_static ("abc", 3);
  g_autofree char *sha_empty = vw_transfer_sha256 (empty);
  g_autofree char *sha_abc = vw_transfer_sha256 (abc);

  g_assert_cmpstr (sha_empty, ==, SHA_EMPTY);
  g_assert_cmpstr (sha_abc, ==, SHA_ABC);
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                              */

typedef struct {
  const char *name;
  gsize size;
  const char *mime;      /* as sent */
  const char *got_mime;  /* as received */
  const char *ext;
} RoundTrip;

static const RoundTrip round_trips[] = {
  { "1", 1, "image/png", "image/png", "png" },
  { "chunk-1", VW_TRANSFER_CHUNK - 1, "image/png", "image/png", "png" },
  { "chunk", VW_TRANSFER_CHUNK, "image/jpeg", "image/jpeg", "jpg" },
  { "chunk+1", VW_TRANSFER_CHUNK + 1, "image/png", "image/png", "png" },
  { "3MiB", 3 * MIB, "image/png", "image/png", "png" },
  { "3MiB-jpeg", 3 * MIB, "image/jpeg", "image/jpeg", "jpg" },
  { "no-mime", 1000, NULL, "image/png", "png" },
};

static void
test_round_trip (Fixture *f, gconstpointer user_data)
{
  const RoundTrip *row = user_data;
  g_autoptr (GBytes) data = random_bytes (row->size, 0x5eed + row->size);
  g_autoptr (GPtrArray) script = make_script (ID, row->mime, data);
  g_autofree char *name = g_strdup_printf (ID ".%s", row->ext);

  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  feed_steps (f, script, 0, 1);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, ID ".part");
  feed_steps (f, script, 1, script->len - 1);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, ID ".part");
  assert_dones (f, 0);

  feed_steps (f, script, script->len - 1, script->len);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  assert_dones (f, 1);
  assert_kept (f, 0, ID, row->got_mime, name, data);
  assert_files (f, name);

  /* A kept file outlives the receiver. */
  g_clear_pointer (&f->r, vw_transfer_receiver_free);
  assert_files (f, name);
  assert_dones (f, 1);
}

/* Two transfers one after the other on the same receiver; the id may be as
 * long as 64 characters. */
static void
test_one_after_another (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  const char *long_id = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  g_autoptr (GBytes) a = random_bytes (2 * VW_TRANSFER_CHUNK + 3, 1);
  g_autoptr (GBytes) b = random_bytes (5, 2);
  g_autoptr (GPtrArray) sa = make_script ("first", "image/png", a);
  g_autoptr (GPtrArray) sb = make_script (long_id, "image/jpeg", b);
  g_autofree char *b_name = g_strdup_printf ("%s.jpg", long_id);
  g_autofree char *both = g_strdup_printf ("%s.jpg first.png", long_id);

  g_assert_cmpuint (strlen (long_id), ==, 64);
  feed_steps (f, sa, 0, sa->len);
  feed_steps (f, sb, 0, sb->len);
  assert_dones (f, 2);
  assert_kept (f, 0, "first", "image/png", "first.png", a);
  g_assert_no_error (((Done *) f->dones->pdata[1])->error);
  g_assert_cmpstr (((Done *) f->dones->pdata[1])->info->id, ==, long_id);
  assert_files (f, both);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
}

/* ------------------------------------------------------------------------ */
/* Bad transfers                                                            */

/* Each spoils the script of a valid transfer of @data (header at 0, four
 * chunks at 1..4, end at 5). */
typedef void (*Spoil) (GPtrArray *script, GBytes *data);

static void
replace_chunk (GPtrArray *script, guint i, GBytes *chunk)
{
  Step *step = g_ptr_array_index (script, i);
  g_assert_cmpint (step->kind, ==, STEP_DATA);
  g_bytes_unref (step->data);
  step->data = g_bytes_ref (chunk);
}

static void
flip_byte (GPtrArray *script, guint i, gsize at)
{
  Step *step = g_ptr_array_index (script, i);
  gsize len;
  guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (step->data), &len);
  g_autoptr (GBytes) flipped = NULL;

  g_assert_cmpuint (at, <, len);
  copy[at] ^= 0x01;
  flipped = g_bytes_new_take (copy, len);
  replace_chunk (script, i, flipped);
}

static void
spoil_flip_chunk (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  flip_byte (script, 2, 100);
}

static void
spoil_flip_last_byte (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  Step *last = g_ptr_array_index (script, script->len - 2);
  flip_byte (script, script->len - 2, g_bytes_get_size (last->data) - 1);
}

static void
spoil_swap_chunks (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  Step *one = g_ptr_array_index (script, 1);
  Step *two = g_ptr_array_index (script, 2);
  GBytes *tmp = one->data;
  one->data = two->data;
  two->data = tmp;
}

static void
spoil_other_hash (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  set_header_string (script, "sha256", SHA_ABC);
}

static void
spoil_drop_chunk (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_remove_index (script, 2);
}

static void
spoil_drop_last_chunk (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_remove_index (script, script->len - 2);
}

static void
spoil_extra_chunk (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  Step *one = g_ptr_array_index (script, 1);
  g_ptr_array_insert (script, script->len - 1, step_data (one->data));
}

static void
spoil_extra_byte (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_autoptr (GBytes) byte = g_bytes_new ("x", 1);
  g_ptr_array_insert (script, script->len - 1, step_data (byte));
}

static void
spoil_announce_less (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  set_header_int (script, "size", g_bytes_get_size (data) - 1);
}

static void
spoil_announce_more (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  set_header_int (script, "size", g_bytes_get_size (data) + 1);
}

static void
spoil_no_data (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_remove_range (script, 1, script->len - 2);
}

/* A chunk, and nothing else. */
static void
spoil_data_first (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_remove_range (script, 2, script->len - 2);
  g_ptr_array_remove_index (script, 0);
}

/* An end, and nothing else. */
static void
spoil_end_only (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_remove_range (script, 0, script->len - 1);
}

static void
spoil_end_other_id (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_remove_index (script, script->len - 1);
  g_ptr_array_add (script, step_string ("{\"type\":\"file-end\",\"id\":\"other\"}"));
}

static void
spoil_end_no_id (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_remove_index (script, script->len - 1);
  g_ptr_array_add (script, step_string ("{\"type\":\"file-end\"}"));
}

static void
spoil_abort_after_header (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_set_size (script, 1);
  g_ptr_array_add (script, step_abort ());
}

static void
spoil_abort_mid_transfer (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_set_size (script, 3);
  g_ptr_array_add (script, step_abort ());
}

static void
spoil_abort_before_end (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  g_ptr_array_remove_index (script, script->len - 1);
  g_ptr_array_add (script, step_abort ());
}

/* A refused header, and the chunks and end that follow it on the wire. */
static void
spoil_bad_header_then_rest (GPtrArray *script, G_GNUC_UNUSED GBytes *data)
{
  set_header_string (script, "sha256", "not a hash");
}

typedef struct {
  const char *name;
  Spoil spoil;
  VwTransferError code;
  const char *id;      /* in the info handed to done */
} BadTransfer;

static const BadTransfer bad_transfers[] = {
  { "chunk-flipped", spoil_flip_chunk, VW_TRANSFER_ERROR_HASH, ID },
  { "last-byte-flipped", spoil_flip_last_byte, VW_TRANSFER_ERROR_HASH, ID },
  { "chunks-swapped", spoil_swap_chunks, VW_TRANSFER_ERROR_HASH, ID },
  { "hash-of-other-data", spoil_other_hash, VW_TRANSFER_ERROR_HASH, ID },
  { "chunk-missing", spoil_drop_chunk, VW_TRANSFER_ERROR_SIZE, ID },
  { "last-chunk-missing", spoil_drop_last_chunk, VW_TRANSFER_ERROR_SIZE, ID },
  { "extra-chunk", spoil_extra_chunk, VW_TRANSFER_ERROR_SIZE, ID },
  { "extra-byte", spoil_extra_byte, VW_TRANSFER_ERROR_SIZE, ID },
  { "announced-too-small", spoil_announce_less, VW_TRANSFER_ERROR_SIZE, ID },
  { "announced-too-large", spoil_announce_more, VW_TRANSFER_ERROR_SIZE, ID },
  { "end-before-data", spoil_no_data, VW_TRANSFER_ERROR_SIZE, ID },
  { "data-before-header", spoil_data_first, VW_TRANSFER_ERROR_PROTOCOL, "" },
  { "end-without-header", spoil_end_only, VW_TRANSFER_ERROR_PROTOCOL, "" },
  { "end-other-id", spoil_end_other_id, VW_TRANSFER_ERROR_PROTOCOL, ID },
  { "end-no-id", spoil_end_no_id, VW_TRANSFER_ERROR_PROTOCOL, ID },
  { "abort-after-header", spoil_abort_after_header, VW_TRANSFER_ERROR_ABORTED, ID },
  { "abort-mid-transfer", spoil_abort_mid_transfer, VW_TRANSFER_ERROR_ABORTED, ID },
  { "abort-before-end", spoil_abort_before_end, VW_TRANSFER_ERROR_ABORTED, ID },
  { "bad-header-then-rest", spoil_bad_header_then_rest, VW_TRANSFER_ERROR_PROTOCOL, "" },
};

static void
test_bad_transfer (Fixture *f, gconstpointer user_data)
{
  const BadTransfer *row = user_data;
  g_autoptr (GBytes) data = random_bytes (3 * VW_TRANSFER_CHUNK + 123, 42);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);

  g_assert_cmpuint (script->len, ==, 6);
  row->spoil (script, data);
  feed_steps (f, script, 0, script->len);

  assert_dones (f, 1);
  assert_failed (f, 0, row->code, row->id);
  assert_files (f, "");
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
}

/* ------------------------------------------------------------------------ */
/* Bad headers: refused at once (PROTOCOL), and no file made anywhere.      */

#define HEAD "{\"type\":\"file\","
#define SHA "\"sha256\":\"" SHA_EMPTY "\""

typedef struct {
  const char *name;
  const char *header;
  gboolean isolate;   /* members of the wrong JSON type: run in a subprocess */
} BadHeader;

static const BadHeader bad_headers[] = {
  { "sha256-uppercase", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":"
    "\"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"}", FALSE },
  { "sha256-one-uppercase", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":"
    "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85A\"}", FALSE },
  { "sha256-63", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":"
    "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\"}", FALSE },
  { "sha256-65", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":"
    "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550\"}", FALSE },
  { "sha256-non-hex", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":"
    "\"g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}", FALSE },
  { "sha256-space", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":"
    "\" 3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}", FALSE },
  { "sha256-empty", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":\"\"}", FALSE },
  { "sha256-missing", HEAD "\"id\":\"pic\",\"size\":10}", FALSE },
  { "sha256-null", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":null}", FALSE },
  { "size-0", HEAD "\"id\":\"pic\",\"size\":0," SHA "}", FALSE },
  { "size-negative", HEAD "\"id\":\"pic\",\"size\":-1," SHA "}", FALSE },
  { "size-minus-chunk", HEAD "\"id\":\"pic\",\"size\":-16384," SHA "}", FALSE },
  { "size-64MiB+1", HEAD "\"id\":\"pic\",\"size\":67108865," SHA "}", FALSE },
  { "size-int64-max", HEAD "\"id\":\"pic\",\"size\":9223372036854775807," SHA "}", FALSE },
  { "size-missing", HEAD "\"id\":\"pic\"," SHA "}", FALSE },
  { "size-null", HEAD "\"id\":\"pic\",\"size\":null," SHA "}", FALSE },
  { "size-string", HEAD "\"id\":\"pic\",\"size\":\"10\"," SHA "}", FALSE },
  { "id-slash", HEAD "\"id\":\"a/b\",\"size\":10," SHA "}", FALSE },
  { "id-parent", HEAD "\"id\":\"..\",\"size\":10," SHA "}", FALSE },
  { "id-dot", HEAD "\"id\":\".\",\"size\":10," SHA "}", FALSE },
  { "id-escape", HEAD "\"id\":\"../escape\",\"size\":10," SHA "}", FALSE },
  { "id-deep-escape", HEAD "\"id\":\"../../../../../../tmp/escape\",\"size\":10," SHA "}", FALSE },
  { "id-absolute", HEAD "\"id\":\"/tmp/escape\",\"size\":10," SHA "}", FALSE },
  { "id-backslash", HEAD "\"id\":\"..\\\\escape\",\"size\":10," SHA "}", FALSE },
  { "id-dotted", HEAD "\"id\":\"a.b\",\"size\":10," SHA "}", FALSE },
  { "id-space", HEAD "\"id\":\"a b\",\"size\":10," SHA "}", FALSE },
  { "id-non-ascii", HEAD "\"id\":\"caf\\u00e9\",\"size\":10," SHA "}", FALSE },
  { "id-empty", HEAD "\"id\":\"\",\"size\":10," SHA "}", FALSE },
  { "id-65", HEAD "\"id\":\"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_x\","
    "\"size\":10," SHA "}", FALSE },
  { "id-missing", HEAD "\"size\":10," SHA "}", FALSE },
  { "id-null", HEAD "\"id\":null,\"size\":10," SHA "}", FALSE },
  { "nothing-else", "{\"type\":\"file\"}", FALSE },
  /* Members of the wrong JSON type. */
  { "id-number", HEAD "\"id\":5,\"size\":10," SHA "}", TRUE },
  { "id-object", HEAD "\"id\":{},\"size\":10," SHA "}", TRUE },
  { "id-array", HEAD "\"id\":[\"pic\"],\"size\":10," SHA "}", TRUE },
  { "sha256-object", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":{}}", TRUE },
  { "sha256-array", HEAD "\"id\":\"pic\",\"size\":10,\"sha256\":[\"" SHA_EMPTY "\"]}", TRUE },
  { "size-object", HEAD "\"id\":\"pic\",\"size\":{}," SHA "}", TRUE },
  { "size-array", HEAD "\"id\":\"pic\",\"size\":[10]," SHA "}", TRUE },
};

static void
test_bad_header (Fixture *f, gconstpointer user_data)
{
  const BadHeader *row = user_data;

  if (row->isolate && !g_test_subprocess ()) {
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed ();
    return;
  }

  g_assert_true (vw_transfer_receiver_feed_string (f->r, row->header));
  assert_dones (f, 1);
  assert_failed (f, 0, VW_TRANSFER_ERROR_PROTOCOL, "");
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, "");
  /* Nothing at the places a traversal would reach either. */
  g_assert_false (g_file_test ("/tmp/escape.part", G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test ("/tmp/escape.png", G_FILE_TEST_EXISTS));
}

/* The largest size and the longest id are taken. */
static void
test_header_limits (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  const char *header = HEAD "\"id\":\"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\","
      "\"size\":67108864," SHA "}";

  g_assert_true (vw_transfer_receiver_feed_string (f->r, header));
  assert_dones (f, 0);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.part");
  vw_transfer_receiver_abort (f->r, "enough");
  assert_dones (f, 1);
  assert_failed (f, 0, VW_TRANSFER_ERROR_ABORTED,
                 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_");
  assert_files (f, "");
}

/* ------------------------------------------------------------------------ */
/* Interruptions                                                            */

/* The abort's reason reaches done, and an abort with nothing under way does
 * nothing. */
static void
test_abort (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) data = random_bytes (2 * VW_TRANSFER_CHUNK, 7);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);
  Done *d;

  vw_transfer_receiver_abort (f->r, "idle");
  assert_dones (f, 0);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));

  feed_steps (f, script, 0, 2);
  vw_transfer_receiver_abort (f->r, "the data channel closed");
  assert_dones (f, 1);
  assert_failed (f, 0, VW_TRANSFER_ERROR_ABORTED, ID);
  d = g_ptr_array_index (f->dones, 0);
  g_assert_nonnull (strstr (d->error->message, "the data channel closed"));
  assert_files (f, "");

  vw_transfer_receiver_abort (f->r, "again");
  assert_dones (f, 1);
}

/* Freeing the receiver mid-transfer removes the part file and does not call
 * done. */
static void
test_free_mid_transfer (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) data = random_bytes (3 * VW_TRANSFER_CHUNK, 8);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);
  g_autofree char *part = g_build_filename (f->inbox, ID ".part", NULL);
  GStatBuf st;

  feed_steps (f, script, 0, 3);
  /* The part file holds what came so far. */
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, ID ".part");
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, <=, 2 * VW_TRANSFER_CHUNK);

  g_clear_pointer (&f->r, vw_transfer_receiver_free);
  assert_dones (f, 0);
  assert_files (f, "");
}

/* A second header while one is in flight: the first fails (PROTOCOL), with
 * its part file gone, and the second completes. */
static void
test_second_header (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) a = random_bytes (3 * VW_TRANSFER_CHUNK, 9);
  g_autoptr (GBytes) b = random_bytes (VW_TRANSFER_CHUNK + 9, 10);
  g_autoptr (GPtrArray) sa = make_script ("first", "image/png", a);
  g_autoptr (GPtrArray) sb = make_script ("second", "image/jpeg", b);

  feed_steps (f, sa, 0, 3);
  assert_files (f, "first.part");
  feed_steps (f, sb, 0, 1);
  assert_dones (f, 1);
  assert_failed (f, 0, VW_TRANSFER_ERROR_PROTOCOL, "first");
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, "second.part");

  feed_steps (f, sb, 1, sb->len);
  assert_dones (f, 2);
  assert_kept (f, 1, "second", "image/jpeg", "second.jpg", b);
  assert_files (f, "second.jpg");
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
}

/* A second header with the same id as the one in flight restarts it. */
static void
test_same_header_twice (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) data = random_bytes (2 * VW_TRANSFER_CHUNK + 1, 11);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);

  feed_steps (f, script, 0, 2);
  feed_steps (f, script, 0, script->len);
  assert_dones (f, 2);
  assert_failed (f, 0, VW_TRANSFER_ERROR_PROTOCOL, ID);
  assert_kept (f, 1, ID, "image/png", ID ".png", data);
  assert_files (f, ID ".png");
}

/* ------------------------------------------------------------------------ */
/* Strings that are not transfer messages                                   */

typedef struct {
  const char *name;
  const char *text;
  gboolean isolate;   /* no value, or "type" not a string: run in a subprocess */
} Ignored;

static const Ignored ignored[] = {
  /* No JSON value at all. */
  { "empty", "", TRUE },
  { "space", " ", TRUE },
  { "not-json", "not json", FALSE },
  { "truncated", "{\"type\":\"file\"", FALSE },
  { "array", "[]", FALSE },
  { "array-of-header", "[{\"type\":\"file\",\"id\":\"x\",\"size\":1," SHA "}]", FALSE },
  { "number", "42", FALSE },
  { "string", "\"file\"", FALSE },
  { "null", "null", FALSE },
  { "true", "true", FALSE },
  { "empty-object", "{}", FALSE },
  { "chat", "{\"type\":\"chat\",\"text\":\"hi\"}", FALSE },
  { "type-upper", "{\"type\":\"FILE\",\"id\":\"x\",\"size\":1," SHA "}", FALSE },
  { "type-end-upper", "{\"type\":\"FILE-END\",\"id\":\"pic\"}", FALSE },
  { "type-padded", "{\"type\":\"file \"}", FALSE },
  { "type-prefix", "{\"type\":\"file-start\"}", FALSE },
  { "type-empty", "{\"type\":\"\"}", FALSE },
  { "type-null", "{\"type\":null}", FALSE },
  { "no-type", "{\"id\":\"pic\",\"size\":1," SHA "}", FALSE },
  { "Type", "{\"Type\":\"file\"}", FALSE },
  /* "type" of the wrong JSON type. */
  { "type-number", "{\"type\":5}", TRUE },
  { "type-true", "{\"type\":true}", TRUE },
  { "type-double", "{\"type\":1.5}", TRUE },
  { "type-array", "{\"type\":[\"file\"]}", TRUE },
  { "type-object", "{\"type\":{\"file\":1}}", TRUE },
};

/* Fed between two chunks, the string is refused and the transfer goes on. */
static void
test_ignored (Fixture *f, gconstpointer user_data)
{
  const Ignored *row = user_data;
  g_autoptr (GBytes) data = random_bytes (2 * VW_TRANSFER_CHUNK + 7, 12);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);

  if (row->isolate && !g_test_subprocess ()) {
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed ();
    return;
  }

  /* With nothing under way. */
  g_assert_false (vw_transfer_receiver_feed_string (f->r, row->text));
  assert_dones (f, 0);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));

  /* In the middle of a transfer. */
  feed_steps (f, script, 0, 2);
  g_assert_false (vw_transfer_receiver_feed_string (f->r, row->text));
  assert_dones (f, 0);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, ID ".part");
  feed_steps (f, script, 2, script->len);
  assert_dones (f, 1);
  assert_kept (f, 0, ID, "image/png", ID ".png", data);
  assert_files (f, ID ".png");
}

/* A file-end whose id is not a string ends the transfer in flight as one
 * with another id would. */
static void
test_end_id_object (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) data = random_bytes (10, 13);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);

  if (!g_test_subprocess ()) {
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed ();
    return;
  }
  feed_steps (f, script, 0, script->len - 1);
  g_assert_true (vw_transfer_receiver_feed_string (f->r,
          "{\"type\":\"file-end\",\"id\":{\"id\":\"pic\"}}"));
  assert_dones (f, 1);
  assert_failed (f, 0, VW_TRANSFER_ERROR_PROTOCOL, ID);
  assert_files (f, "");
}

/* ------------------------------------------------------------------------ */
/* Busy                                                                     */

/* Busy only between a header and the end of its transfer, however it ends. */
static void
test_busy (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) data = random_bytes (2 * VW_TRANSFER_CHUNK + 1, 14);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);
  g_autoptr (GBytes) stray = g_bytes_new ("x", 1);

  g_assert_false (vw_transfer_receiver_is_busy (f->r));

  /* Complete. */
  for (guint i = 0; i < script->len; i++) {
    feed_step (f, g_ptr_array_index (script, i));
    g_assert_cmpint (vw_transfer_receiver_is_busy (f->r), ==, i < script->len - 1);
  }
  assert_dones (f, 1);

  /* Refused header, stray data and a stray end (how often done is called
   * for these is up to the bad-input tests). */
  g_assert_true (vw_transfer_receiver_feed_string (f->r,
          HEAD "\"id\":\"../x\",\"size\":10," SHA "}"));
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  vw_transfer_receiver_feed_data (f->r, stray);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  g_assert_true (vw_transfer_receiver_feed_string (f->r,
          "{\"type\":\"file-end\",\"id\":\"pic\"}"));
  g_assert_false (vw_transfer_receiver_is_busy (f->r));

  /* Failed at the end (size), and aborted. */
  feed_steps (f, script, 0, 2);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  feed_step (f, g_ptr_array_index (script, script->len - 1));
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  feed_steps (f, script, 0, 1);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  vw_transfer_receiver_abort (f->r, "gone");
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  g_assert_cmpuint (f->dones->len, >=, 3);
  g_assert_error (((Done *) f->dones->pdata[f->dones->len - 2])->error,
                  VW_TRANSFER_ERROR, VW_TRANSFER_ERROR_SIZE);
  g_assert_error (((Done *) f->dones->pdata[f->dones->len - 1])->error,
                  VW_TRANSFER_ERROR, VW_TRANSFER_ERROR_ABORTED);
  assert_files (f, ID ".png");
}

/* ------------------------------------------------------------------------ */

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transfer/sha256", test_sha256);

  for (guint i = 0; i < G_N_ELEMENTS (round_trips); i++) {
    g_autofree char *path = g_strdup_printf ("/transfer/round-trip/%s", round_trips[i].name);
    ADD (path, &round_trips[i], test_round_trip);
  }
  ADD ("/transfer/one-after-another", NULL, test_one_after_another);

  for (guint i = 0; i < G_N_ELEMENTS (bad_transfers); i++) {
    g_autofree char *path = g_strdup_printf ("/transfer/bad/%s", bad_transfers[i].name);
    ADD (path, &bad_transfers[i], test_bad_transfer);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_headers); i++) {
    g_autofree char *path = g_strdup_printf ("/transfer/bad-header/%s", bad_headers[i].name);
    ADD (path, &bad_headers[i], test_bad_header);
  }
  ADD ("/transfer/header-limits", NULL, test_header_limits);

  ADD ("/transfer/abort", NULL, test_abort);
  ADD ("/transfer/free-mid-transfer", NULL, test_free_mid_transfer);
  ADD ("/transfer/second-header", NULL, test_second_header);
  ADD ("/transfer/same-header-twice", NULL, test_same_header_twice);

  for (guint i = 0; i < G_N_ELEMENTS (ignored); i++) {
    g_autofree char *path = g_strdup_printf ("/transfer/ignored/%s", ignored[i].name);
    ADD (path, &ignored[i], test_ignored);
  }
  ADD ("/transfer/end-id-object", NULL, test_end_id_object);
  ADD ("/transfer/busy", NULL, test_busy);

  return g_test_run ();
}
