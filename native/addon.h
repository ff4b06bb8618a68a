/* Shared by the parts of lvsd's N-API addon (lvsd_native.node): error helpers and the registrations. */
#ifndef LVSD_ADDON_H
#define LVSD_ADDON_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <node_api.h>

static inline const char *errno_name(int err) {
  const char *name = strerrorname_np(err);
  return name != NULL ? name : "EUNKNOWN";
}

static inline void throw_errno(napi_env env, const char *what, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_throw_error(env, errno_name(err), message);
}

#define CALL(env, call)                                                        \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      const napi_extended_error_info *info = NULL;                             \
      napi_get_last_error_info((env), &info);                                  \
      bool pending = false;                                                    \
      napi_is_exception_pending((env), &pending);                              \
      if (!pending)                                                            \
        napi_throw_error((env), "ERR_NATIVE",                                  \
                         info && info->error_message ? info->error_message     \
                                                     : "N-API call failed");   \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

/* Per JS environment (the main thread, each worker): set up by addon.c's init. */
typedef struct {
  /* The async context of callbacks that have no object of their own (tcp-connect.c). */
  napi_async_context async_context;
} lvsd_env;

static inline lvsd_env *lvsd_env_of(napi_env env) {
  void *data = NULL;
  return napi_get_instance_data(env, &data) == napi_ok ? data : NULL;
}

/* Each part defines its functions on `exports`. */
napi_status lvsd_register_raw6_socket(napi_env env, napi_value exports);
napi_status lvsd_register_packet_socket(napi_env env, napi_value exports);
napi_status lvsd_register_tcp_connect(napi_env env, napi_value exports);

#endif
