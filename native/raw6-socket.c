/*
 * lvsd's own N-API addon: an IPv6 raw socket that receives with recvmsg(), so that each datagram comes
 * with what the `raw-socket` package cannot show (it uses recvfrom): the hop limit (IPV6_RECVHOPLIMIT),
 * the destination address and the arrival interface (IPV6_RECVPKTINFO). RFC 5798 section 7.1 wants the
 * hop limit of a received advert checked, and an IPv6 raw socket never delivers the IPv6 header.
 * Sends use sendmsg() with IPV6_PKTINFO when a source is given, so the source on the wire is the
 * configured one. Readiness comes from a libuv poll handle on the loop of the calling thread.
 *
 * JS interface (typed in ha/native-addon.ts), on the addon's exports:
 *   open(protocol, onMessage, onError) -> handle
 *     onMessage(payload: Buffer, source: string, destination: string | null, hopLimit: number (-1 when
 *               absent), ifindex: number, isTruncated: boolean)
 *     onError(code: string, message: string): the poll failed; the socket stops receiving.
 *   setOption(handle, level, option, value: Buffer) -> undefined; throws Error with .code
 *   send(handle, payload: Buffer, destination: string, scopeId: number, source: string | null,
 *        ifindex: number) -> 0, or the errno name of the failure ("ENETUNREACH", ...)
 *   close(handle) -> undefined; idempotent
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

#include "addon.h"

#define RECV_BUFFER_BYTES 65536
/* At most this many datagrams per readiness event, so one busy socket cannot hold the loop. */
#define MAX_RECEIVES_PER_WAKE 64

typedef struct {
  napi_env env;
  int fd;
  uv_poll_t poll;
  napi_ref on_message;
  napi_ref on_error;
  napi_async_context async_context;
  napi_async_cleanup_hook_handle cleanup_hook;
  bool is_closed;
  bool is_poll_closed;
  bool is_finalized;
  unsigned char buffer[RECV_BUFFER_BYTES];
} raw6_socket;

static void free_if_done(raw6_socket *s) {
  if (s->is_poll_closed && s->is_finalized) free(s);
}

static void on_poll_closed(uv_handle_t *handle) {
  raw6_socket *s = handle->data;
  if (s->cleanup_hook != NULL) {
    /* The environment is being torn down and waited for this close. */
    napi_async_cleanup_hook_handle hook = s->cleanup_hook;
    s->cleanup_hook = NULL;
    napi_remove_async_cleanup_hook(hook);
  }
  s->is_poll_closed = true;
  free_if_done(s);
}

/* Stops receiving and closes the descriptor; `is_teardown` when the JS environment is going away. */
static void close_socket(raw6_socket *s, bool is_teardown) {
  if (s->is_closed) return;
  s->is_closed = true;
  uv_poll_stop(&s->poll);
  close(s->fd);
  s->fd = -1;
  if (!is_teardown) {
    napi_remove_async_cleanup_hook(s->cleanup_hook);
    s->cleanup_hook = NULL;
    napi_delete_reference(s->env, s->on_message);
    napi_delete_reference(s->env, s->on_error);
    napi_async_destroy(s->env, s->async_context);
  }
  uv_close((uv_handle_t *)&s->poll, on_poll_closed);
}

static void on_env_teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  (void)hook;
  close_socket((raw6_socket *)arg, true);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  raw6_socket *s = data;
  /* Collected while open can only happen after the environment let go of the callbacks. */
  if (!s->is_closed) close_socket(s, false);
  s->is_finalized = true;
  free_if_done(s);
}

/* Calls a JS callback from libuv; an exception goes to the process's uncaughtException handling. */
static void call_js(raw6_socket *s, napi_ref ref, size_t argc, napi_value *argv) {
  napi_env env = s->env;
  napi_value fn, recv;
  if (napi_get_reference_value(env, ref, &fn) != napi_ok || fn == NULL) return;
  /* napi_make_callback wants an object as the receiver. */
  napi_get_global(env, &recv);
  napi_status status = napi_make_callback(env, s->async_context, recv, fn, argc, argv, NULL);
  if (status == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

static void report_error(raw6_socket *s, int err, const char *what) {
  napi_env env = s->env;
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_value argv[2];
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &argv[0]);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &argv[1]);
  call_js(s, s->on_error, 2, argv);
}

static napi_value address_value(napi_env env, const struct in6_addr *addr) {
  char text[INET6_ADDRSTRLEN];
  napi_value value;
  if (inet_ntop(AF_INET6, addr, text, sizeof text) == NULL) {
    napi_get_null(env, &value);
  } else {
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  }
  return value;
}

static void deliver(raw6_socket *s, size_t length, const struct sockaddr_in6 *from, int hop_limit,
                    const struct in6_pktinfo *info, bool is_truncated) {
  napi_env env = s->env;
  napi_value argv[6];
  void *copy = NULL;
  if (napi_create_buffer_copy(env, length, s->buffer, &copy, &argv[0]) != napi_ok) return;
  argv[1] = address_value(env, &from->sin6_addr);
  if (info != NULL) {
    argv[2] = address_value(env, &info->ipi6_addr);
  } else {
    napi_get_null(env, &argv[2]);
  }
  napi_create_int32(env, hop_limit, &argv[3]);
  napi_create_uint32(env, info != NULL ? info->ipi6_ifindex : 0, &argv[4]);
  napi_get_boolean(env, is_truncated, &argv[5]);
  call_js(s, s->on_message, 6, argv);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  raw6_socket *s = handle->data;
  if (s->is_closed) return;
  napi_handle_scope scope;
  if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
  if (status < 0) {
    uv_poll_stop(handle);
    report_error(s, -status, "poll");
    napi_close_handle_scope(s->env, scope);
    return;
  }
  for (int i = 0; i < MAX_RECEIVES_PER_WAKE && !s->is_closed; i++) {
    struct sockaddr_in6 from;
    struct iovec iov = {.iov_base = s->buffer, .iov_len = sizeof s->buffer};
    union {
      struct cmsghdr align;
      unsigned char bytes[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in6_pktinfo))];
    } control;
    struct msghdr msg = {
        .msg_name = &from,
        .msg_namelen = sizeof from,
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.bytes,
        .msg_controllen = sizeof control.bytes,
    };
    ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) report_error(s, errno, "recvmsg");
      break;
    }
    int hop_limit = -1;
    struct in6_pktinfo info;
    bool has_info = false;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != IPPROTO_IPV6) continue;
      if (c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
        memcpy(&hop_limit, CMSG_DATA(c), sizeof(int));
      } else if (c->cmsg_type == IPV6_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof info)) {
        memcpy(&info, CMSG_DATA(c), sizeof info);
        has_info = true;
      }
    }
    deliver(s, (size_t)n, &from, hop_limit, has_info ? &info : NULL, (msg.msg_flags & MSG_TRUNC) != 0);
  }
  napi_close_handle_scope(s->env, scope);
}

static bool get_address(napi_env env, napi_value value, struct in6_addr *out, const char *name) {
  char text[INET6_ADDRSTRLEN + 1];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &length) != napi_ok ||
      inet_pton(AF_INET6, text, out) != 1) {
    char message[96];
    snprintf(message, sizeof message, "%s must be an IPv6 address", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    return false;
  }
  return true;
}

static napi_value js_open(napi_env env, napi_callback_info cbinfo) {
  static const char usage[] = "open(protocol 0-255, onMessage, onError)";
  napi_value argv[3];
  if (!lvsd_get_args(env, cbinfo, 3, argv, usage)) return NULL;
  int32_t protocol = 0;
  napi_valuetype t1, t2;
  if (napi_get_value_int32(env, argv[0], &protocol) != napi_ok || napi_typeof(env, argv[1], &t1) != napi_ok ||
      t1 != napi_function || napi_typeof(env, argv[2], &t2) != napi_ok || t2 != napi_function || protocol < 0 ||
      protocol > 255) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", usage);
    return NULL;
  }
  uv_loop_t *loop = NULL;
  CALL(env, napi_get_uv_event_loop(env, &loop));
  int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    throw_errno(env, "socket(AF_INET6, SOCK_RAW)", errno);
    return NULL;
  }
  int on = 1;
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) != 0 ||
      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) != 0) {
    int err = errno;
    close(fd);
    throw_errno(env, "setsockopt IPV6_RECVHOPLIMIT/IPV6_RECVPKTINFO", err);
    return NULL;
  }
  raw6_socket *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(fd);
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  s->env = env;
  s->fd = fd;
  int rc = uv_poll_init_socket(loop, &s->poll, fd);
  if (rc != 0) {
    close(fd);
    free(s);
    napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
    return NULL;
  }
  s->poll.data = s;
  napi_value name, handle;
  napi_create_string_utf8(env, "lvsd.raw6-socket", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[1], 1, &s->on_message) != napi_ok ||
      napi_create_reference(env, argv[2], 1, &s->on_error) != napi_ok ||
      napi_async_init(env, NULL, name, &s->async_context) != napi_ok ||
      napi_add_async_cleanup_hook(env, on_env_teardown, s, &s->cleanup_hook) != napi_ok ||
      lvsd_wrap(env, s, finalize_handle, &LVSD_RAW6_SOCKET, &handle) != napi_ok) {
    /* Not reached in practice; the handle is not valid, so release what exists and report. */
    close_socket(s, true);
    s->is_finalized = true;
    napi_throw_error(env, "ERR_NATIVE", "cannot create the socket handle");
    return NULL;
  }
  rc = uv_poll_start(&s->poll, UV_READABLE, on_poll);
  if (rc != 0) {
    close_socket(s, false);
    napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
    return NULL;
  }
  return handle;
}

static napi_value js_set_option(napi_env env, napi_callback_info cbinfo) {
  static const char usage[] = "setOption(handle, level, option, value)";
  napi_value argv[4];
  if (!lvsd_get_args(env, cbinfo, 4, argv, usage)) return NULL;
  raw6_socket *s = lvsd_unwrap(env, argv[0], &LVSD_RAW6_SOCKET, usage);
  if (s == NULL) return NULL;
  int32_t level = 0, option = 0;
  CALL(env, napi_get_value_int32(env, argv[1], &level));
  CALL(env, napi_get_value_int32(env, argv[2], &option));
  void *data = NULL;
  size_t length = 0;
  if (!lvsd_get_buffer(env, argv[3], &data, &length, "value")) return NULL;
  if (s->is_closed) {
    napi_throw_error(env, "EBADF", "setOption on a closed socket");
    return NULL;
  }
  if (setsockopt(s->fd, level, option, data, (socklen_t)length) != 0) {
    throw_errno(env, "setsockopt", errno);
    return NULL;
  }
  return NULL;
}

static napi_value js_send(napi_env env, napi_callback_info cbinfo) {
  static const char usage[] = "send(handle, payload, destination, scopeId, source, ifindex)";
  napi_value argv[6];
  if (!lvsd_get_args(env, cbinfo, 6, argv, usage)) return NULL;
  raw6_socket *s = lvsd_unwrap(env, argv[0], &LVSD_RAW6_SOCKET, usage);
  if (s == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  if (!lvsd_get_buffer(env, argv[1], &data, &length, "payload")) return NULL;
  struct sockaddr_in6 to = {.sin6_family = AF_INET6};
  if (!get_address(env, argv[2], &to.sin6_addr, "destination")) return NULL;
  uint32_t scope_id = 0, ifindex = 0;
  CALL(env, napi_get_value_uint32(env, argv[3], &scope_id));
  CALL(env, napi_get_value_uint32(env, argv[5], &ifindex));
  to.sin6_scope_id = scope_id;
  napi_valuetype source_type;
  CALL(env, napi_typeof(env, argv[4], &source_type));
  struct in6_pktinfo info = {.ipi6_ifindex = ifindex};
  bool has_source = source_type == napi_string;
  if (has_source && !get_address(env, argv[4], &info.ipi6_addr, "source")) return NULL;

  napi_value result;
  if (s->is_closed) {
    napi_create_string_utf8(env, "EBADF", NAPI_AUTO_LENGTH, &result);
    return result;
  }
  struct iovec iov = {.iov_base = data, .iov_len = length};
  union {
    struct cmsghdr align;
    unsigned char bytes[CMSG_SPACE(sizeof(struct in6_pktinfo))];
  } control;
  memset(&control, 0, sizeof control);
  struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
  if (has_source) {
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    memcpy(CMSG_DATA(c), &info, sizeof info);
  }
  ssize_t n;
  do {
    n = sendmsg(s->fd, &msg, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    napi_create_string_utf8(env, errno_name(errno), NAPI_AUTO_LENGTH, &result);
  } else {
    napi_create_int32(env, 0, &result);
  }
  return result;
}

static napi_value js_close(napi_env env, napi_callback_info cbinfo) {
  napi_value argv[1];
  if (!lvsd_get_args(env, cbinfo, 1, argv, "close(handle)")) return NULL;
  raw6_socket *s = lvsd_unwrap(env, argv[0], &LVSD_RAW6_SOCKET, "close(handle from open)");
  if (s == NULL) return NULL;
  close_socket(s, false);
  return NULL;
}

napi_status lvsd_register_raw6_socket(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setOption", NULL, js_set_option, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
