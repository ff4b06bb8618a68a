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

/* Reads `count` arguments into argv; false, with a TypeError naming `usage` thrown, when fewer came. */
static inline bool lvsd_get_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *usage) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, "ERR_NATIVE", "cannot read the arguments");
    return false;
  }
  if (argc < count) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", usage);
    return false;
  }
  return true;
}

/* What kind of state a handle holds: each part tags its handles, and lvsd_unwrap checks the tag, so a
 * handle passed to another part's function is a TypeError, not memory read as the wrong struct. */
static const napi_type_tag LVSD_RAW6_SOCKET = {0x6c7673645f726177ULL, 0x36736f636b657401ULL};
static const napi_type_tag LVSD_PACKET_SOCKET = {0x6c7673645f706163ULL, 0x6b6574736f636b02ULL};
static const napi_type_tag LVSD_TCP_ATTEMPT = {0x6c7673645f746370ULL, 0x617474656d707403ULL};

/* Wraps `data` in a handle of kind `tag`; `finalize` runs when JS lets go of it. */
static inline napi_status lvsd_wrap(napi_env env, void *data, napi_finalize finalize, const napi_type_tag *tag, napi_value *handle) {
  napi_status status = napi_create_external(env, data, finalize, NULL, handle);
  return status == napi_ok ? napi_type_tag_object(env, *handle, tag) : status;
}

/* The state behind a handle of kind `tag`; NULL, with a TypeError naming `usage` thrown, for anything else. */
static inline void *lvsd_unwrap(napi_env env, napi_value value, const napi_type_tag *tag, const char *usage) {
  void *data = NULL;
  bool is_tagged = false;
  if (napi_check_object_type_tag(env, value, tag, &is_tagged) != napi_ok || !is_tagged ||
      napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", usage);
    return NULL;
  }
  return data;
}

/* A Buffer's bytes; false, with a TypeError naming `name` thrown, for anything else. */
static inline bool lvsd_get_buffer(napi_env env, napi_value value, void **data, size_t *length, const char *name) {
  bool is_buffer = false;
  napi_is_buffer(env, value, &is_buffer);
  if (!is_buffer || napi_get_buffer_info(env, value, data, length) != napi_ok) {
    char message[80];
    snprintf(message, sizeof message, "%s must be a Buffer", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return false;
  }
  return true;
}

/* Per JS environment (the main thread, each worker): set up by addon.c's init. */
struct tcp_attempt;
typedef struct {
  /* The async context of callbacks that have no object of their own (tcp-connect.c). */
  napi_async_context async_context;
  /* Connect attempts still open (tcp-connect.c), and their poll handles still closing: a worker's loop
   * must have no handle left when it ends, or Node aborts the whole process. */
  struct tcp_attempt *tcp_attempts;
  unsigned tcp_closing;
  /* Set while the environment is torn down, until the last handle above has closed. */
  napi_async_cleanup_hook_handle teardown;
} lvsd_env;

static inline lvsd_env *lvsd_env_of(napi_env env) {
  void *data = NULL;
  return napi_get_instance_data(env, &data) == napi_ok ? data : NULL;
}

/* Each part defines its functions on `exports`. */
napi_status lvsd_register_raw6_socket(napi_env env, napi_value exports);
napi_status lvsd_register_packet_socket(napi_env env, napi_value exports);
napi_status lvsd_register_tcp_connect(napi_env env, napi_value exports);
/* Environment teardown (addon.c's async cleanup hook): closes what tcp-connect.c still has open. */
void lvsd_tcp_connect_teardown(lvsd_env *e);
/* After the teardown started: every handle has closed, so the hook can be removed. */
void lvsd_teardown_done_if_idle(lvsd_env *e);

#endif
