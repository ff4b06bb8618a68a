{
  "targets": [
    {
      "target_name": "lvsd_native",
      "sources": ["raw6-socket.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
