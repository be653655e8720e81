/* net-call-fixture.c: see net-call-fixture.h. */
#include "net-call-fixture.h"

void
net_call_fixture_setup (NetCallFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->ns = vw_netns_new (&error);
  g_assert_no_error (error);
  const char *host = vw_netns_get_host_address (f->ns);
  const char *server_args[] = { "--address", host, "--ice-address", host, NULL };
  f->server = vw_test_server_start (server_args);
  f->agent_pw = vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
}

void
net_call_fixture_teardown (NetCallFixture *f, gconstpointer data)
{
  vw_test_server_stop (f->server);
  g_free (f->agent_pw);
  vw_netns_free (f->ns);
}
