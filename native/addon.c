/* lvsd's N-API addon (lvsd_native.node): the module's entry; each part registers its own functions. */
#define _GNU_SOURCE
#include "addon.h"

static napi_value init(napi_env env, napi_value exports) {
  CALL(env, lvsd_register_raw6_socket(env, exports));
  CALL(env, lvsd_register_packet_socket(env, exports));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
