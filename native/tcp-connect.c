/*
 * The plain TCP health check's connect, in C: a non-blocking connect() watched by a libuv poll handle on
 * the calling thread's loop (the health worker's), SO_ERROR read when the socket becomes writable, then
 * close(). No Node socket, stream or handle objects: the JS side sees one callback with 0 or the errno's
 * name. Node's net.connect + destroy alone cost more CPU per probe than keepalived's whole TCP_CHECK
 * (bench/health/README.md); this is the same system calls as keepalived's checker.
 *
 * JS interface (typed in src/core/native-addon.ts), on the addon's exports:
 *   tcpConnect(address, port, bindAddress | null, callback(result: 0 | string)) -> handle, or the errno
 *     name (string) when the connect failed at once (the callback is then never called)
 *   tcpCancel(handle) -> undefined: closes the socket if the attempt is still open; the callback is not
 *     called. Idempotent, and harmless after the callback ran.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

#include "addon.h"

typedef struct tcp_attempt {
  napi_env env;
  lvsd_env *owner;
  /* In owner->tcp_attempts while open. */
  struct tcp_attempt *prev, *next;
  uv_poll_t poll;
  int fd;
  napi_ref callback;
  bool is_done;
  bool is_poll_closed;
  bool is_finalized;
} tcp_attempt;

static void free_if_unused(tcp_attempt *a) {
  if (a->is_poll_closed && a->is_finalized) free(a);
}

static void on_poll_closed(uv_handle_t *handle) {
  tcp_attempt *a = handle->data;
  lvsd_env *owner = a->owner;
  a->is_poll_closed = true;
  free_if_unused(a);
  owner->tcp_closing -= 1;
  lvsd_teardown_done_if_idle(owner);
}

static void finalize_attempt(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  tcp_attempt *a = data;
  a->is_finalized = true;
  free_if_unused(a);
}

/* Ends the attempt: stops polling, closes the socket, releases the callback (returned to the caller). */
static napi_ref end_attempt(tcp_attempt *a) {
  a->is_done = true;
  if (a->prev != NULL) a->prev->next = a->next;
  else a->owner->tcp_attempts = a->next;
  if (a->next != NULL) a->next->prev = a->prev;
  a->prev = a->next = NULL;
  uv_poll_stop(&a->poll);
  close(a->fd);
  a->fd = -1;
  a->owner->tcp_closing += 1;
  uv_close((uv_handle_t *)&a->poll, on_poll_closed);
  napi_ref callback = a->callback;
  a->callback = NULL;
  return callback;
}

static void on_writable(uv_poll_t *handle, int status, int events) {
  (void)events;
  tcp_attempt *a = handle->data;
  if (a->is_done) return;
  /* libuv reports POLLERR (a refused or unreachable connect) as UV_EBADF: SO_ERROR has the real reason. */
  int err = 0;
  socklen_t length = sizeof err;
  if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
  if (err == 0 && status < 0) err = -status;
  napi_env env = a->env;
  napi_ref callback = end_attempt(a);
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, result;
  if (napi_get_reference_value(env, callback, &fn) == napi_ok && fn != NULL) {
    napi_get_global(env, &recv);
    if (err == 0) {
      napi_create_int32(env, 0, &result);
    } else {
      napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &result);
    }
    napi_status call = napi_make_callback(env, a->owner->async_context, recv, fn, 1, &result, NULL);
    if (call == napi_pending_exception) {
      napi_value exception;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception);
    }
  }
  napi_delete_reference(env, callback);
  napi_close_handle_scope(env, scope);
}

/* Fills `out` from IPv4 or IPv6 text; returns its length, 0 when the text is no address. */
static socklen_t parse_address(const char *text, uint16_t port, struct sockaddr_storage *out) {
  memset(out, 0, sizeof *out);
  struct sockaddr_in *v4 = (struct sockaddr_in *)out;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return sizeof *v4;
  }
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return sizeof *v6;
  }
  return 0;
}

static bool read_address(napi_env env, napi_value value, uint16_t port, struct sockaddr_storage *out, socklen_t *length,
                         const char *name) {
  char text[INET6_ADDRSTRLEN + 1];
  size_t n = 0;
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &n) != napi_ok || (*length = parse_address(text, port, out)) == 0) {
    char message[96];
    snprintf(message, sizeof message, "%s must be an IPv4 or IPv6 address", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    return false;
  }
  return true;
}

static napi_value errno_value(napi_env env, int err) {
  napi_value value;
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &value);
  return value;
}

static napi_value js_tcp_connect(napi_env env, napi_callback_info cbinfo) {
  static const char usage[] = "tcpConnect(address, port 1-65535, bindAddress | null, callback)";
  napi_value argv[4];
  if (!lvsd_get_args(env, cbinfo, 4, argv, usage)) return NULL;
  uint32_t port = 0;
  napi_valuetype bind_type, callback_type;
  if (napi_get_value_uint32(env, argv[1], &port) != napi_ok || port == 0 || port > 65535 ||
      napi_typeof(env, argv[2], &bind_type) != napi_ok || napi_typeof(env, argv[3], &callback_type) != napi_ok ||
      callback_type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", usage);
    return NULL;
  }
  struct sockaddr_storage to, from;
  socklen_t to_length = 0, from_length = 0;
  if (!read_address(env, argv[0], (uint16_t)port, &to, &to_length, "address")) return NULL;
  bool has_bind = bind_type == napi_string;
  if (has_bind) {
    if (!read_address(env, argv[2], 0, &from, &from_length, "bindAddress")) return NULL;
    if (from.ss_family != to.ss_family) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "bindAddress and address must be of the same family");
      return NULL;
    }
  }
  uv_loop_t *loop = NULL;
  CALL(env, napi_get_uv_event_loop(env, &loop));
  lvsd_env *owner = lvsd_env_of(env);
  if (owner == NULL || owner->teardown != NULL) return errno_value(env, ESHUTDOWN);

  int fd = socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_value(env, errno);
  if (has_bind && bind(fd, (struct sockaddr *)&from, from_length) != 0) {
    int err = errno;
    close(fd);
    return errno_value(env, err);
  }
  if (connect(fd, (struct sockaddr *)&to, to_length) != 0 && errno != EINPROGRESS) {
    int err = errno;
    close(fd);
    return errno_value(env, err);
  }
  tcp_attempt *a = calloc(1, sizeof *a);
  if (a == NULL) {
    close(fd);
    return errno_value(env, ENOMEM);
  }
  a->env = env;
  a->owner = owner;
  a->fd = fd;
  int rc = uv_poll_init_socket(loop, &a->poll, fd);
  if (rc != 0) {
    close(fd);
    free(a);
    return errno_value(env, -rc);
  }
  a->poll.data = a;
  a->next = owner->tcp_attempts;
  if (a->next != NULL) a->next->prev = a;
  owner->tcp_attempts = a;
  napi_value handle;
  if (napi_create_reference(env, argv[3], 1, &a->callback) != napi_ok ||
      lvsd_wrap(env, a, finalize_attempt, &LVSD_TCP_ATTEMPT, &handle) != napi_ok) {
    napi_ref callback = end_attempt(a);
    if (callback != NULL) napi_delete_reference(env, callback);
    a->is_finalized = true; /* no handle reached JS */
    napi_throw_error(env, "ERR_NATIVE", "cannot create the attempt's handle");
    return NULL;
  }
  rc = uv_poll_start(&a->poll, UV_WRITABLE, on_writable);
  if (rc != 0) {
    napi_delete_reference(env, end_attempt(a));
    return errno_value(env, -rc);
  }
  return handle;
}

static napi_value js_tcp_cancel(napi_env env, napi_callback_info cbinfo) {
  static const char usage[] = "tcpCancel(handle from tcpConnect)";
  napi_value argv[1];
  if (!lvsd_get_args(env, cbinfo, 1, argv, usage)) return NULL;
  tcp_attempt *a = lvsd_unwrap(env, argv[0], &LVSD_TCP_ATTEMPT, usage);
  if (a == NULL) return NULL;
  if (!a->is_done) {
    napi_ref callback = end_attempt(a);
    if (callback != NULL) napi_delete_reference(env, callback);
  }
  return NULL;
}

void lvsd_tcp_connect_teardown(lvsd_env *e) {
  /* No JS runs any more: the callbacks' references go with the environment. */
  while (e->tcp_attempts != NULL) end_attempt(e->tcp_attempts);
}

napi_status lvsd_register_tcp_connect(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"tcpConnect", NULL, js_tcp_connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpCancel", NULL, js_tcp_cancel, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
