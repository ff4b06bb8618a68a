{
  "targets": [
    {
      "target_name": "lvsd_native",
      "sources": ["addon.c", "raw6-socket.c", "packet-socket.c", "tcp-connect.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
