/* test-transfer-errors.c: unit tests of how the receiver of files sent in
 * chunks (vw-transfer.h) refuses bad input.  The scripts and the fixture
 * are in transfer-test-util.c; the protocol when it goes right is tested
 * in test-transfer.c.
 *
 * Bad input is table-driven, in the spirit of json-glib's tests/invalid.c:
 * each row of bad_transfers[] spoils a valid transfer and names the error
 * the receiver must report (once, keeping no file at all); each row of
 * bad_headers[] is a header that must be refused; each row of ignored[] is
 * a string that is not a transfer message and must not disturb one in
 * flight.  Rows whose JSON has members of the wrong type run in a
 * subprocess, so that a crash or a critical fails that row alone.
 */
#include "transfer-test-util.h"

#include <string.h>

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
/* Strings that are not transfer messages                                   */

typedef struct {
  const char *name;
  const char *text;
  gboolean isolate;   /* no value, or "type" not a string: run in a subprocess */
  guint repeat;       /* the text is @text this many times (0: once) */
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
  /* Found by fuzz/fuzz-transfer: json-glib recursed once per level and
   * overflowed the stack.  Nested deeper than VW_JSON_MAX_DEPTH. */
  { "nested-300000-deep", "[", TRUE, 300000 },
  { "nested-33-deep", "{\"type\":\"file\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", FALSE },
  /* Not strict JSON, which json-glib took. */
  { "single-quotes", "{'type':'file','id':'x','size':1,'sha256':'" SHA_EMPTY "'}", FALSE },
  { "comment", "/* */{\"type\":\"file\",\"id\":\"x\",\"size\":1," SHA "}", FALSE },
  { "invalid-utf8", "{\"type\":\"file\",\"id\":\"x\",\"size\":1," SHA ",\"mime\":\"\xff\"}", FALSE },
};

/* Fed between two chunks, the string is refused and the transfer goes on. */
static void
test_ignored (Fixture *f, gconstpointer user_data)
{
  const Ignored *row = user_data;
  g_autoptr (GBytes) data = random_bytes (2 * VW_TRANSFER_CHUNK + 7, 12);
  g_autoptr (GString) repeated = g_string_new (NULL);
  const char *text = row->text;
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);

  if (row->isolate && !g_test_subprocess ()) {
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed ();
    return;
  }
  if (row->repeat) {
    for (guint i = 0; i < row->repeat; i++)
      g_string_append (repeated, row->text);
    text = repeated->str;
  }

  /* With nothing under way. */
  g_assert_false (vw_transfer_receiver_feed_string (f->r, text));
  assert_dones (f, 0);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));

  /* In the middle of a transfer. */
  feed_steps (f, script, 0, 2);
  g_assert_false (vw_transfer_receiver_feed_string (f->r, text));
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad_transfers); i++) {
    g_autofree char *path = g_strdup_printf ("/transfer/bad/%s", bad_transfers[i].name);
    ADD (path, &bad_transfers[i], test_bad_transfer);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_headers); i++) {
    g_autofree char *path = g_strdup_printf ("/transfer/bad-header/%s", bad_headers[i].name);
    ADD (path, &bad_headers[i], test_bad_header);
  }
  ADD ("/transfer/header-limits", NULL, test_header_limits);

  for (guint i = 0; i < G_N_ELEMENTS (ignored); i++) {
    g_autofree char *path = g_strdup_printf ("/transfer/ignored/%s", ignored[i].name);
    ADD (path, &ignored[i], test_ignored);
  }
  ADD ("/transfer/end-id-object", NULL, test_end_id_object);

  return g_test_run ();
}
