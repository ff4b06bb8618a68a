/*
 * A send-only AF_PACKET socket for whole Ethernet frames (lvsd's gratuitous ARPs), so an announcement is
 * one sendto() from the calling thread instead of a forked arping (ha/packet-garp-sender.ts says why).
 * The socket is opened with protocol 0, so it receives nothing; each send names the interface, the
 * destination MAC and the EtherType in its sockaddr_ll, so one socket serves every interface. An
 * interface's index and MAC are looked up (SIOCGIFINDEX, SIOCGIFHWADDR) when asked, in the network
 * namespace of the process, so a re-created interface (a virtual MAC's macvlan) is seen as it is now.
 *
 * JS interface (typed in ha/native-addon.ts), on the addon's exports:
 *   packetOpen() -> handle; throws Error with .code (EPERM without CAP_NET_RAW)
 *   packetInterface(handle, interfaceName) -> { interfaceIndex: number, macAddress: Buffer(6) };
 *     throws Error with .code (ENODEV), or ERR_NOT_ETHERNET
 *   packetSend(handle, frame: Buffer, interfaceIndex: number) -> 0, or the errno name of the failure
 *   packetClose(handle) -> undefined; idempotent
 */
#define _GNU_SOURCE
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addon.h"

typedef struct {
  int fd;
} packet_socket;

static void finalize_packet(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  packet_socket *p = data;
  if (p->fd >= 0) close(p->fd);
  free(p);
}

static napi_value js_packet_open(napi_env env, napi_callback_info cbinfo) {
  (void)cbinfo;
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, "socket(AF_PACKET, SOCK_RAW)", errno);
    return NULL;
  }
  packet_socket *p = malloc(sizeof *p);
  if (p == NULL) {
    close(fd);
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  p->fd = fd;
  napi_value handle;
  if (lvsd_wrap(env, p, finalize_packet, &LVSD_PACKET_SOCKET, &handle) != napi_ok) {
    close(fd);
    free(p);
    napi_throw_error(env, "ERR_NATIVE", "cannot create the socket handle");
    return NULL;
  }
  return handle;
}

static napi_value js_packet_interface(napi_env env, napi_callback_info cbinfo) {
  static const char usage[] = "packetInterface(handle from packetOpen, interfaceName)";
  napi_value argv[2];
  if (!lvsd_get_args(env, cbinfo, 2, argv, usage)) return NULL;
  packet_socket *p = lvsd_unwrap(env, argv[0], &LVSD_PACKET_SOCKET, usage);
  if (p == NULL) return NULL;
  char name[IFNAMSIZ + 1];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, argv[1], name, sizeof name, &length) != napi_ok || length == 0 || length >= IFNAMSIZ) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "interfaceName: a name of 1-15 bytes");
    return NULL;
  }
  if (p->fd < 0) {
    napi_throw_error(env, "EBADF", "packetInterface on a closed socket");
    return NULL;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, length);
  if (ioctl(p->fd, SIOCGIFINDEX, &ifr) != 0) {
    throw_errno(env, "SIOCGIFINDEX", errno);
    return NULL;
  }
  int index = ifr.ifr_ifindex;
  if (ioctl(p->fd, SIOCGIFHWADDR, &ifr) != 0) {
    throw_errno(env, "SIOCGIFHWADDR", errno);
    return NULL;
  }
  if (ifr.ifr_hwaddr.sa_family != 1 /* ARPHRD_ETHER */) {
    napi_throw_error(env, "ERR_NOT_ETHERNET", "not an Ethernet interface");
    return NULL;
  }
  napi_value result, index_value, mac;
  void *mac_bytes = NULL;
  CALL(env, napi_create_object(env, &result));
  CALL(env, napi_create_int32(env, index, &index_value));
  CALL(env, napi_create_buffer_copy(env, ETH_ALEN, ifr.ifr_hwaddr.sa_data, &mac_bytes, &mac));
  CALL(env, napi_set_named_property(env, result, "interfaceIndex", index_value));
  CALL(env, napi_set_named_property(env, result, "macAddress", mac));
  return result;
}

static napi_value js_packet_send(napi_env env, napi_callback_info cbinfo) {
  static const char usage[] = "packetSend(handle from packetOpen, frame, interfaceIndex)";
  napi_value argv[3];
  if (!lvsd_get_args(env, cbinfo, 3, argv, usage)) return NULL;
  packet_socket *p = lvsd_unwrap(env, argv[0], &LVSD_PACKET_SOCKET, usage);
  if (p == NULL) return NULL;
  void *frame = NULL;
  size_t length = 0;
  if (!lvsd_get_buffer(env, argv[1], &frame, &length, "frame")) return NULL;
  if (length < ETH_HLEN) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "frame must hold at least an Ethernet header");
    return NULL;
  }
  int32_t index = 0;
  CALL(env, napi_get_value_int32(env, argv[2], &index));
  napi_value result;
  if (p->fd < 0) {
    CALL(env, napi_create_string_utf8(env, "EBADF", NAPI_AUTO_LENGTH, &result));
    return result;
  }
  const struct ether_header *eth = frame;
  struct sockaddr_ll to = {
      .sll_family = AF_PACKET,
      .sll_protocol = eth->ether_type, /* already in network order */
      .sll_ifindex = index,
      .sll_halen = ETH_ALEN,
  };
  memcpy(to.sll_addr, eth->ether_dhost, ETH_ALEN);
  ssize_t n;
  do {
    n = sendto(p->fd, frame, length, MSG_DONTWAIT, (const struct sockaddr *)&to, sizeof to);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    CALL(env, napi_create_string_utf8(env, errno_name(errno), NAPI_AUTO_LENGTH, &result));
  } else {
    CALL(env, napi_create_int32(env, 0, &result));
  }
  return result;
}

static napi_value js_packet_close(napi_env env, napi_callback_info cbinfo) {
  static const char usage[] = "packetClose(handle from packetOpen)";
  napi_value argv[1];
  if (!lvsd_get_args(env, cbinfo, 1, argv, usage)) return NULL;
  packet_socket *p = lvsd_unwrap(env, argv[0], &LVSD_PACKET_SOCKET, usage);
  if (p == NULL) return NULL;
  if (p->fd >= 0) close(p->fd);
  p->fd = -1;
  return NULL;
}

napi_status lvsd_register_packet_socket(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"packetOpen", NULL, js_packet_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetInterface", NULL, js_packet_interface, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetSend", NULL, js_packet_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetClose", NULL, js_packet_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
