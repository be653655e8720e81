/* transfer-test-util.h: what test-transfer and test-transfer-errors share:
 * scripts (the messages of a transfer, as a test feeds them to the
 * receiver, and ways to spoil them), a fixture holding a receiver that
 * writes into PARENT/inbox of a fresh temporary directory PARENT, and
 * assertions on what it reported and on the files left.
 *
 * A file that escapes the inbox (path traversal) shows up in PARENT, and
 * the teardown removes both.  The done callback records each call,
 * together with what the inbox held at that moment.
 */
#pragma once

#include "vw-transfer.h"

G_BEGIN_DECLS

#define ID "pic"
/* SHA-256 of the empty string: well-formed, and never right for a file. */
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

/* The start of a header, and its sha256 member, for headers written out. */
#define HEAD "{\"type\":\"file\","
#define SHA "\"sha256\":\"" SHA_EMPTY "\""

/* @size pseudo-random bytes, the same for the same @seed. */
GBytes    *random_bytes (gsize size, guint32 seed);

/* ------------------------------------------------------------------------ */
/* Scripts: what a test feeds the receiver, in order.                       */

typedef enum { STEP_STRING, STEP_DATA, STEP_ABORT } StepKind;

typedef struct {
  StepKind kind;
  char *text;
  GBytes *data;
} Step;

Step      *step_string (const char *text);
Step      *step_data (GBytes *data);
Step      *step_abort (void);

/* The script of a valid transfer of @data (checked against the wire
 * format: header, chunks of at most VW_TRANSFER_CHUNK bytes, end). */
GPtrArray *make_script (const char *id, const char *mime, GBytes *data);

/* Rewrites a member of the header (step 0) of @script. */
void       set_header_int (GPtrArray *script, const char *member, gint64 value);
void       set_header_string (GPtrArray *script, const char *member,
                              const char *value);

/* ------------------------------------------------------------------------ */
/* The fixture: a temporary directory, a receiver and what it reported.     */

typedef struct {
  VwTransferInfo *info;
  char *path;
  GError *error;
  char *inbox;       /* listing() of the inbox when done was called */
} Done;

typedef struct {
  char *parent;
  char *inbox;
  VwTransferReceiver *r;
  GPtrArray *dones;   /* of Done */
} Fixture;

void fixture_set_up (Fixture *f, gconstpointer user_data);
void fixture_tear_down (Fixture *f, gconstpointer user_data);

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

/* Feeds one step; transfer messages must be taken as such. */
void feed_step (Fixture *f, Step *step);
/* Feeds steps @from up to (not including) @to. */
void feed_steps (Fixture *f, GPtrArray *script, guint from, guint to);

/* Asserts that the inbox holds exactly @names and that nothing escaped. */
void assert_files (Fixture *f, const char *names);
/* Asserts that done was called exactly @n times so far. */
void assert_dones (Fixture *f, guint n);
/* Asserts that done #@i reported a failure with @code for @id, and that
 * the inbox was already empty when it was called. */
void assert_failed (Fixture *f, guint i, VwTransferError code, const char *id);
/* Asserts that done #@i reported @id complete as @name, holding @data. */
void assert_kept (Fixture *f, guint i, const char *id, const char *mime,
                  const char *name, GBytes *data);

G_END_DECLS
