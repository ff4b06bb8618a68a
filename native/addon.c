/* lvsd's N-API addon (lvsd_native.node): the module's entry; each part registers its own functions. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "addon.h"

static void free_env(napi_env env, void *data, void *hint) {
  (void)hint;
  lvsd_env *e = data;
  napi_async_destroy(env, e->async_context);
  free(e);
}

void lvsd_teardown_done_if_idle(lvsd_env *e) {
  if (e->teardown != NULL && e->tcp_closing == 0 && e->tcp_attempts == NULL) {
    napi_async_cleanup_hook_handle hook = e->teardown;
    e->teardown = NULL;
    napi_remove_async_cleanup_hook(hook);
  }
}

/* Node waits for this hook to be removed before it closes the environment's loop. */
static void on_teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  lvsd_env *e = arg;
  e->teardown = hook;
  lvsd_tcp_connect_teardown(e);
  lvsd_teardown_done_if_idle(e);
}

static napi_value init(napi_env env, napi_value exports) {
  lvsd_env *e = calloc(1, sizeof *e);
  if (e == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  napi_value name;
  CALL(env, napi_create_string_utf8(env, "lvsd.native", NAPI_AUTO_LENGTH, &name));
  CALL(env, napi_async_init(env, NULL, name, &e->async_context));
  CALL(env, napi_set_instance_data(env, e, free_env, NULL));
  CALL(env, napi_add_async_cleanup_hook(env, on_teardown, e, NULL));
  CALL(env, lvsd_register_raw6_socket(env, exports));
  CALL(env, lvsd_register_packet_socket(env, exports));
  CALL(env, lvsd_register_tcp_connect(env, exports));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
