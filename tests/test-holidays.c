/* test-holidays.c: a real vw-server given a holidays file that does not
 * load (--holidays FILE or [calendar] holidays=FILE) refuses to start,
 * with exit status 1 and a message naming the file and what is wrong in
 * it, before it creates its data directory.  What the file may say is
 * tested in test-calendar.c. */
#include "vw-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("vw-holidays-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
  g_free (f->dir);
}

/* The path of file @name in the fixture's directory, holding @text. */
static char *
write_file (Fixture *f, const char *name, const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Runs vw-server with @args until it exits (it must not start): its exit
 * status and stderr.  Its data directory must not have been made. */
static int
run_server (Fixture *f, const char *const *args, char **stderr_out)
{
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  int status = vw_test_server_run_to_exit (data_dir, args, stderr_out);
  g_test_message ("%s", *stderr_out);
  g_assert_false (g_file_test (data_dir, G_FILE_TEST_EXISTS));
  return status;
}

static void
assert_says (const char *text, const char *part)
{
  if (!strstr (text, part))
    g_assert_cmpstr (text, ==, part);
}

/* A file that is not JSON: its line. */
static void
test_broken (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_file (f, "holidays.json", "{\n  \"years\": [2026],\n"
      "  \"holidays\": [\"2026-10-01\",],\n  \"workdays\": []\n}\n");
  g_autofree char *err = NULL;
  g_autofree char *where = g_strdup_printf ("%s:3:", path);

  g_assert_cmpint (run_server (f, (const char *const []) { "--holidays", path, NULL },
          &err), ==, 1);
  assert_says (err, "vw-server: holidays: ");
  assert_says (err, where);
}

/* A day both off and worked, a date that does not exist: the entry. */
static void
test_invalid (Fixture *f, gconstpointer data)
{
  g_autofree char *conflict = write_file (f, "conflict.json", "{\"years\": [2026],"
      " \"holidays\": [\"2026-10-01\", \"2026-10-10\"], \"workdays\": [\"2026-10-10\"]}");
  g_autofree char *bad_date = write_file (f, "bad-date.json", "{\"years\": [2026],"
      " \"holidays\": [{\"date\": \"2026-02-30\", \"name\": \"春节\"}], \"workdays\": []}");
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (run_server (f, (const char *const []) { "--holidays", conflict, NULL },
          &err), ==, 1);
  assert_says (err, conflict);
  assert_says (err, "workdays entry 1: 2026-10-10 is listed both as a holiday and as a"
      " working day");
  g_assert_cmpint (run_server (f, (const char *const []) { "--holidays", bad_date, NULL },
          &err2), ==, 1);
  assert_says (err2, bad_date);
  assert_says (err2, "holidays entry 1: '2026-02-30' is not a date");
}

/* Given in the settings file, and a given file that is missing: unlike
 * the missing default, an error. */
static void
test_config (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "missing.json", NULL);
  g_autofree char *text = g_strdup_printf ("[calendar]\nholidays=%s\n", missing);
  g_autofree char *config = write_file (f, "vw.conf", text);
  g_autofree char *err = NULL;

  g_assert_cmpint (run_server (f, (const char *const []) { "--config", config, NULL },
          &err), ==, 1);
  assert_says (err, "vw-server: holidays: ");
  assert_says (err, missing);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add ("/holidays/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("broken", test_broken);
  ADD ("invalid", test_invalid);
  ADD ("config", test_config);
#undef ADD
  return g_test_run ();
}
