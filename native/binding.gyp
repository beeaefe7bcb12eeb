# The optional mbind(2) addon (docs/host-cxl.md): built by `npm run addon` (scripts/build-addon.mjs),
# never by npm install. C only; no libnuma (the system call is made directly).
{
  "targets": [
    {
      "target_name": "cxlemu_mbind",
      "sources": ["mbind.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
