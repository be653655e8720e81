/* vw-admin: the accounts of agents, supervisors and administrators, in the
 * store of a data directory (the same DATA_DIR/virtual-window.db that
 * vw-server uses; opening it brings its schema up to date).
 *
 *   vw-admin --data-dir DIR add-account --username U --role agent|supervisor|admin \
 *       --name N --province P --center C [--scope center|province]
 *   vw-admin --data-dir DIR list-accounts
 *   vw-admin --data-dir DIR set-password --username U
 *   vw-admin --data-dir DIR disable --username U
 *   vw-admin --data-dir DIR enable --username U
 *
 * add-account and set-password read the password as one line from
 * standard input (without echo on a terminal), or from --password-file F.
 * list-accounts prints one JSON object per account and line, never the
 * hash.  Exit status: 0 done, 1 failed (unknown or taken username, a
 * password too short, the store), 2 bad usage.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vw-password.h"
#include "vw-protocol.h"
#include "vw-store-accounts.h"

#define EXIT_USAGE 2
#define EXIT_FAILED 1

typedef struct {
  char *data_dir;
  char *username;
  char *role;
  char *name;
  char *province;
  char *center;
  char *scope;
  char *password_file;
} Options;

/* Which options a command takes. */
enum {
  OPT_USERNAME = 1 << 0,
  OPT_ROLE = 1 << 1,
  OPT_NAME = 1 << 2,
  OPT_PROVINCE = 1 << 3,
  OPT_CENTER = 1 << 4,
  OPT_SCOPE = 1 << 5,
  OPT_PASSWORD_FILE = 1 << 6,
};

typedef int (*CheckFunc) (const Options *options);
typedef int (*CommandFunc) (VwStore *store, const Options *options);

typedef struct {
  const char *name;
  CommandFunc run;
  guint required;
  guint allowed;
  CheckFunc check;   /* (nullable) values checked before the store is opened */
} Command;

static void
options_clear (Options *o)
{
  g_free (o->data_dir);
  g_free (o->username);
  g_free (o->role);
  g_free (o->name);
  g_free (o->province);
  g_free (o->center);
  g_free (o->scope);
  g_free (o->password_file);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static int
fail (int status, const char *format, ...) G_GNUC_PRINTF (2, 3);

static int
fail (int status, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("vw-admin: %s\n", message);
  return status;
}

/* ---- passwords ---- */

/* Cuts @text at its first line end. */
static void
first_line (char *text)
{
  text[strcspn (text, "\r\n")] = '\0';
}

static char *
read_password_file (const char *path, GError **error)
{
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (strlen (contents) != len) {
    explicit_bzero (contents, len);
    g_free (contents);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s: the password file holds a NUL byte", path);
    return NULL;
  }
  first_line (contents);
  return contents;
}

static gboolean
set_echo (gboolean on)
{
  struct termios t;

  if (tcgetattr (STDIN_FILENO, &t) != 0)
    return FALSE;
  if (on)
    t.c_lflag |= ECHO;
  else
    t.c_lflag &= ~ECHO;
  return tcsetattr (STDIN_FILENO, TCSANOW, &t) == 0;
}

/* One line of standard input, prompting without echo on a terminal. */
static char *
read_password_stdin (GError **error)
{
  gboolean tty = isatty (STDIN_FILENO);
  char *line = NULL;
  size_t size = 0;

  if (tty) {
    g_printerr ("Password: ");
    set_echo (FALSE);
  }
  ssize_t len = getline (&line, &size, stdin);
  int errsv = errno;
  if (tty) {
    set_echo (TRUE);
    g_printerr ("\n");
  }
  if (len < 0) {
    free (line);
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
        "no password on standard input%s%s", ferror (stdin) ? ": " : "",
        ferror (stdin) ? g_strerror (errsv) : "");
    return NULL;
  }
  first_line (line);
  char *password = g_strdup (line);
  explicit_bzero (line, size);
  free (line);
  return password;
}

/* The yescrypt hash of the password given to this run.  (transfer full) */
static char *
new_password_hash (const Options *o)
{
  g_autoptr (GError) error = NULL;
  char *password = o->password_file ? read_password_file (o->password_file, &error)
      : read_password_stdin (&error);

  if (!password) {
    fail (EXIT_FAILED, "%s", error->message);
    return NULL;
  }
  char *hash = vw_password_hash (password, &error);
  explicit_bzero (password, strlen (password));
  g_free (password);
  if (!hash)
    fail (EXIT_FAILED, "%s", error->message);
  return hash;
}

/* ---- commands ---- */

static int
store_failed (const GError *error)
{
  return fail (EXIT_FAILED, "%s", error->message);
}

static gboolean
is_one_of (const char *value, const char *const *names)
{
  return value && g_strv_contains (names, value);
}

/* Values that no store call would accept, refused before any work. */
static int
check_account_options (const Options *o)
{
  static const char *const roles[] = { "agent", "supervisor", "admin", NULL };
  static const char *const scopes[] = { "center", "province", NULL };

  if (!is_one_of (o->role, roles))
    return fail (EXIT_USAGE, "--role must be agent, supervisor or admin, not '%s'", o->role);
  if (o->scope && !is_one_of (o->scope, scopes))
    return fail (EXIT_USAGE, "--scope must be center or province, not '%s'", o->scope);
  if (!vw_province_is_known (o->province))
    return fail (EXIT_USAGE, "--province must be shanghai, jiangsu, zhejiang or anhui, "
        "not '%s'", o->province);
  if (!*o->name || !*o->center || !*o->username)
    return fail (EXIT_USAGE, "--username, --name and --center must not be empty");
  return 0;
}

static int
cmd_add_account (VwStore *store, const Options *o)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = new_password_hash (o);
  if (!hash)
    return EXIT_FAILED;
  VwStoreAccount account = {
    .username = o->username, .role = o->role, .name = o->name,
    .province = o->province, .center = o->center, .scope = o->scope,
    .password_hash = hash, .created_at = g_get_real_time () / 1000,
  };
  if (!vw_store_add_account (store, &account, &error))
    return store_failed (error);
  g_print ("added %s (%s)\n", o->username, o->role);
  return 0;
}

static void
print_account (const VwStoreAccount *a)
{
  g_autoptr (JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "username", a->username);
  json_object_set_string_member (o, "role", a->role);
  json_object_set_string_member (o, "name", a->name);
  json_object_set_string_member (o, "province", a->province);
  json_object_set_string_member (o, "center", a->center);
  json_object_set_string_member (o, "scope", a->scope);
  json_object_set_boolean_member (o, "disabled", a->disabled);
  json_object_set_int_member (o, "created_at", a->created_at);

  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), o);
  g_autofree char *line = json_to_string (node, FALSE);
  g_print ("%s\n", line);
}

static int
cmd_list_accounts (VwStore *store, const Options *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) accounts = vw_store_list_accounts (store, &error);

  if (!accounts)
    return store_failed (error);
  for (guint i = 0; i < accounts->len; i++)
    print_account (g_ptr_array_index (accounts, i));
  return 0;
}

static int
cmd_set_password (VwStore *store, const Options *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreAccount) account = vw_store_get_account (store, o->username, &error);

  if (!account)   /* before asking for a password */
    return store_failed (error);
  g_autofree char *hash = new_password_hash (o);
  if (!hash)
    return EXIT_FAILED;
  /* A new password signs the account out everywhere: a token given with
   * the old one (perhaps to whoever learnt it) is void. */
  if (!vw_store_set_account_password_hash (store, o->username, hash, &error)
      || !vw_store_sign_out_account (store, o->username, g_get_real_time () / 1000, &error))
    return store_failed (error);
  g_print ("password of %s changed; its sign-ins so far are void\n", o->username);
  return 0;
}

static int
set_disabled (VwStore *store, const Options *o, gboolean disabled)
{
  g_autoptr (GError) error = NULL;

  if (!vw_store_set_account_disabled (store, o->username, disabled, &error))
    return store_failed (error);
  g_print ("%s %s\n", o->username, disabled ? "disabled" : "enabled");
  return 0;
}

static int
cmd_disable (VwStore *store, const Options *o)
{
  return set_disabled (store, o, TRUE);
}

static int
cmd_enable (VwStore *store, const Options *o)
{
  return set_disabled (store, o, FALSE);
}

#define ACCOUNT_FIELDS (OPT_USERNAME | OPT_ROLE | OPT_NAME | OPT_PROVINCE | OPT_CENTER)

static const Command commands[] = {
  { "add-account", cmd_add_account, ACCOUNT_FIELDS,
    ACCOUNT_FIELDS | OPT_SCOPE | OPT_PASSWORD_FILE, check_account_options },
  { "list-accounts", cmd_list_accounts, 0, 0 },
  { "set-password", cmd_set_password, OPT_USERNAME, OPT_USERNAME | OPT_PASSWORD_FILE },
  { "disable", cmd_disable, OPT_USERNAME, OPT_USERNAME },
  { "enable", cmd_enable, OPT_USERNAME, OPT_USERNAME },
};

/* ---- start-up ---- */

static guint
given_options (const Options *o)
{
  return (o->username ? OPT_USERNAME : 0) | (o->role ? OPT_ROLE : 0)
      | (o->name ? OPT_NAME : 0) | (o->province ? OPT_PROVINCE : 0)
      | (o->center ? OPT_CENTER : 0) | (o->scope ? OPT_SCOPE : 0)
      | (o->password_file ? OPT_PASSWORD_FILE : 0);
}

static const char *
option_name (guint bit)
{
  static const char *const names[] = { "--username", "--role", "--name", "--province",
    "--center", "--scope", "--password-file" };

  return names[g_bit_nth_lsf (bit, -1)];
}

/* 0 if @o fits @command, else prints why and returns EXIT_USAGE. */
static int
check_command_options (const Command *command, const Options *o)
{
  guint given = given_options (o);
  guint missing = command->required & ~given;
  guint extra = given & ~command->allowed;

  if (missing)
    return fail (EXIT_USAGE, "%s needs %s", command->name,
        option_name (missing & -missing));
  if (extra)
    return fail (EXIT_USAGE, "%s takes no %s", command->name,
        option_name (extra & -extra));
  return 0;
}

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

static gboolean
parse_options (Options *o, int *argc, char ***argv)
{
  GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &o->data_dir, "Data directory of vw-server (default vw-data)", "DIR" },
    { "username", 'u', 0, G_OPTION_ARG_STRING, &o->username, "Account name to sign in with", "U" },
    { "role", 'r', 0, G_OPTION_ARG_STRING, &o->role, "agent, supervisor or admin", "ROLE" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &o->name, "Display name, e.g. 张敏", "NAME" },
    { "province", 0, 0, G_OPTION_ARG_STRING, &o->province, "shanghai, jiangsu, zhejiang or anhui", "P" },
    { "center", 0, 0, G_OPTION_ARG_STRING, &o->center, "Service centre", "CENTER" },
    { "scope", 0, 0, G_OPTION_ARG_STRING, &o->scope, "Supervisors: center (default) or province", "SCOPE" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &o->password_file, "Read the password from the first line of F, not stdin", "F" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "COMMAND - accounts of virtual-window");
  g_autoptr (GError) error = NULL;

  g_option_context_set_description (ctx, "Commands: add-account, list-accounts, "
      "set-password, disable, enable.\nPasswords are read as one line from standard "
      "input unless --password-file is given.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (g_option_context_parse (ctx, argc, argv, &error))
    return TRUE;
  fail (EXIT_USAGE, "%s", error->message);
  return FALSE;
}

static gboolean
ensure_data_dir (const char *dir)
{
  if (g_mkdir_with_parents (dir, 0750) == 0)
    return TRUE;
  int errsv = errno;
  fail (EXIT_FAILED, "cannot create data directory %s: %s", dir, g_strerror (errsv));
  return FALSE;
}

int
main (int argc, char **argv)
{
  g_auto (Options) options = { 0 };
  g_autoptr (GError) error = NULL;

  g_log_writer_default_set_use_stderr (TRUE);
  setlocale (LC_ALL, "");
  if (!g_get_charset (NULL))   /* names such as 黄浦区政务服务中心 under LANG=C */
    setlocale (LC_CTYPE, "C.UTF-8");
  if (!parse_options (&options, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    return fail (EXIT_USAGE, argc < 2 ? "which command? (see --help)"
        : "one command at a time (see --help)");
  const Command *command = find_command (argv[1]);
  if (!command)
    return fail (EXIT_USAGE, "unknown command '%s' (see --help)", argv[1]);
  int status = check_command_options (command, &options);
  if (status == 0 && command->check)
    status = command->check (&options);
  if (status != 0)
    return status;

  if (!options.data_dir)
    options.data_dir = g_strdup ("vw-data");
  if (!ensure_data_dir (options.data_dir))
    return EXIT_FAILED;
  g_autofree char *path = g_build_filename (options.data_dir, "virtual-window.db", NULL);
  g_autoptr (VwStore) store = vw_store_open (path, &error);
  if (!store)
    return store_failed (error);
  return command->run (store, &options);
}
