// cxlemu's Linux init (PID 1 of the project's initramfs). Built without a libc against the
// kernel's tools/include/nolibc (scripts/build-initramfs.sh).
//
// It mounts proc, sysfs, devtmpfs, debugfs and tmpfs on /run and /tmp, prints facts for the
// differential boot against QEMU (harts online, the ISA line, MemTotal, System RAM ranges), then
// checks what the kernel command line asks for:
//   cxlemu.memdevs=N                      exactly N memory devices in /sys/bus/cxl/devices
//   cxlemu.mem=SERIAL:ram:pmem:payload:lsa:fw   the attributes of the memdev with that serial
//   cxlemu.harts=N                        N harts online
//   cxlemu.create=ROOT:WAYS:GRAN:SIZE:SERIAL,...[:pmem]  create and commit a RAM (or persistent)
//                                         region through sysfs as cxl-cli does (endpoints by memdev
//                                         serial, in position order)
//   cxlemu.kmem=REGION:SEED:MIB           online the region as a NUMA node (kmem) and write a seeded
//                                         pattern through it (below, before main)
//   cxlemu.pmem=REGION:SEED:MIB:write|check  a pmem namespace on a persistent region as ndctl makes
//                                         it (labels in the devices' label areas), a pattern through it
//   cxlemu.poison=REGION                  inject, list, read and clear poison through the kernel
//                                         (debugfs, sysfs, tracefs) on a page of that node
//   cxlemu.events=N                       wait for N CXL event records (trace events), print them
//                                         and the CXL interrupt counts
//   cxlemu.dump=cxl                       after the checks, dump /sys/bus/cxl/devices (below)
//   cxlemu.run=PATH                       run the initramfs program PATH (e.g. /bin/fpcheck, the
//                                         static glibc lp64d program) and check it exits 0
//   cxlemu.exec=TAG:PATH,ARG,...          run PATH with arguments (e.g. /bin/cxl,list,-vvv in the
//                                         tools initramfs), print its output lines with a prefix
//                                         and check it exits 0 (below, before main)
//   cxlemu.let=NAME:PATH                  read PATH (or the first name DIR/PREFIX* matches); later
//                                         parameters get it for $NAME (below, before main)
//   cxlemu.shell                          after the checks, a small interactive shell on the
//                                         console (below, before main) until `poweroff`/`reboot`
// Each check prints one `check ...: ok` or `check ...: MISMATCH got ... want ...` line. With
// every check passing it powers off (emulator exit 0); with any mismatch it reboots (exit 3).
//
// The dump waits (at most 5 s) until the number of entries in /sys/bus/cxl/devices has held for
// 0.5 s, then prints one line per entry, sorted by name (digit runs compared as numbers), and an
// end line; test/linux/cxl-sysfs.ts parses them:
//   cxl-sysfs: <name> <key>=<value> <key>=<value> ...
//   cxl-sysfs: end count=<entries>
// A value is the attribute file's text without its trailing newline, with space, control bytes,
// '%' and bytes >= 0x7f written as %xx, so a line is always whitespace-separated key=value pairs.
// Keys are sysfs file names ("ram/size"), the region's access0/access1 ones as "access0.read_latency";
// `parent`, `uport`, `parent_dport` and `dportN` are the basenames of symlink targets. Only
// attributes that exist and read without error are printed.

#define MAX_LINE 4096

static int failures;

static void say(const char *s) { write(1, s, strlen(s)); }

/** `v` in decimal, in a static buffer (valid until the next call). */
static const char *decimal(unsigned long v) {
  static char b[24];
  int i = sizeof(b);
  b[--i] = 0;
  do {
    b[--i] = '0' + v % 10;
    v /= 10;
  } while (v && i > 0);
  return b + i;
}

static void say_num(unsigned long v) { say(decimal(v)); }

/** Reads a whole small file into buf (NUL-terminated, trailing newline removed); -1 if absent. */
static int slurp(const char *path, char *buf, int size) {
  int fd = open(path, O_RDONLY, 0);
  if (fd < 0) return -1;
  int n = 0;
  for (;;) {
    int r = read(fd, buf + n, size - 1 - n);
    if (r < 0) {
      // Some sysfs attributes exist but refuse to be read (-ENXIO, -ENOENT): treat as absent.
      close(fd);
      buf[0] = 0;
      return -1;
    }
    if (r == 0) break;
    n += r;
  }
  close(fd);
  buf[n] = 0;
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = 0;
  return n;
}

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

// nolibc has no strstr/strcat.
static int contains(const char *s, const char *needle) {
  for (; *s; s++)
    if (starts(s, needle)) return 1;
  return 0;
}

static char *append(char *dst, const char *src) {
  char *d = dst + strlen(dst);
  while ((*d++ = *src++)) {
  }
  return dst;
}

static unsigned long parse_num(const char *s) {
  unsigned long v = 0;
  int base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  for (; *s; s++) {
    int d;
    if (*s >= '0' && *s <= '9') d = *s - '0';
    else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
    else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
    else break;
    v = v * base + d;
  }
  return v;
}

/** Splits `spec` at ':' into at most `max` fields (in place); returns how many. */
static int split_fields(char *spec, char **f, int max) {
  int n = 0;
  f[n++] = spec;
  for (char *p = spec; *p && n < max; p++)
    if (*p == ':') {
      *p = 0;
      f[n++] = p + 1;
    }
  return n;
}

static void check_str(const char *what, const char *got, const char *want) {
  say("check ");
  say(what);
  if (strcmp(got, want) == 0) {
    say(": ok (");
    say(got);
    say(")\n");
    return;
  }
  failures++;
  say(": MISMATCH got '");
  say(got);
  say("' want '");
  say(want);
  say("'\n");
}

static void check_num(const char *what, unsigned long got, unsigned long want) {
  say("check ");
  say(what);
  if (got == want) {
    say(": ok (");
    say_num(got);
    say(")\n");
    return;
  }
  failures++;
  say(": MISMATCH got ");
  say_num(got);
  say(" want ");
  say_num(want);
  say("\n");
}

/** Prints the lines of `path` that start with `prefix` (or contain `needle` when given). */
static void print_lines(const char *path, const char *tag, const char *prefix, const char *needle) {
  static char buf[16384];
  if (slurp(path, buf, sizeof(buf)) < 0) return;
  char *line = buf;
  while (line && *line) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    if ((prefix && starts(line, prefix)) || (needle && contains(line, needle))) {
      say(tag);
      say(line);
      say("\n");
    }
    line = nl ? nl + 1 : 0;
  }
}

static int count_harts(void) {
  static char buf[256];
  // "0-1" or "0" or "0,2-3": count the CPUs the kernel brought online.
  if (slurp("/sys/devices/system/cpu/online", buf, sizeof(buf)) < 0) return 0;
  int n = 0;
  char *p = buf;
  while (*p) {
    unsigned long a = parse_num(p), b = a;
    while (*p >= '0' && *p <= '9') p++;
    if (*p == '-') {
      p++;
      b = parse_num(p);
      while (*p >= '0' && *p <= '9') p++;
    }
    n += b - a + 1;
    if (*p == ',') p++;
    else break;
  }
  return n;
}

static int count_memdevs(void) {
  static char buf[8192];
  int fd = open("/sys/bus/cxl/devices", O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) return 0;
  int n = 0;
  for (;;) {
    int r = getdents64(fd, (struct linux_dirent64 *)buf, sizeof(buf));
    if (r <= 0) break;
    for (int off = 0; off < r;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
      const char *s = d->d_name;
      if (s[0] == 'm' && s[1] == 'e' && s[2] == 'm' && s[3] >= '0' && s[3] <= '9') n++;
      off += d->d_reclen;
    }
  }
  close(fd);
  return n;
}

/** cxl_pci probes the endpoints after PCI enumeration; give them a few seconds to appear. */
static void wait_memdevs(int want) {
  for (int i = 0; i < 100 && count_memdevs() < want; i++) msleep(50);
}

/** The memdev whose serial is `serial` (name copied into `name`), or 0 when none has it. */
static int find_memdev(unsigned long serial, char *name) {
  static char buf[8192];
  int found = 0;
  int fd = open("/sys/bus/cxl/devices", O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) return 0;
  for (;;) {
    int r = getdents64(fd, (struct linux_dirent64 *)buf, sizeof(buf));
    if (r <= 0) break;
    for (int off = 0; off < r && !found; off += ((struct linux_dirent64 *)(buf + off))->d_reclen) {
      const char *s = ((struct linux_dirent64 *)(buf + off))->d_name;
      if (!(s[0] == 'm' && s[1] == 'e' && s[2] == 'm' && s[3] >= '0' && s[3] <= '9')) continue;
      char path[128], got[64];
      strcpy(path, "/sys/bus/cxl/devices/");
      append(append(path, s), "/serial");
      if (slurp(path, got, sizeof(got)) > 0 && parse_num(got) == serial) {
        strcpy(name, s);
        found = 1;
      }
    }
  }
  close(fd);
  return found;
}

static void check_memdev(char *spec) {
  // SERIAL:ram:pmem:payload:lsa:fw (the memdev is found by its serial: Linux names them in probe order)
  char *f[6];
  int n = split_fields(spec, f, 6);
  if (n != 6) {
    say("check cxlemu.mem: MISMATCH malformed expectation\n");
    failures++;
    return;
  }
  char name[64];
  if (!find_memdev(parse_num(f[0]), name)) {
    say("check memdev with serial ");
    say(f[0]);
    say(": MISMATCH not found\n");
    failures++;
    return;
  }
  say("memdev serial ");
  say(f[0]);
  say(" is ");
  say(name);
  say("\n");
  static const char *attr[] = {0, "ram/size", "pmem/size", "payload_max", "label_storage_size", "firmware_version"};
  for (int i = 1; i < 6; i++) {
    char path[128], what[96], got[256];
    strcpy(path, "/sys/bus/cxl/devices/");
    append(append(append(path, name), "/"), attr[i]);
    strcpy(what, "serial ");
    append(append(append(what, f[0]), " "), attr[i]);
    if (slurp(path, got, sizeof(got)) < 0) {
      say("check ");
      say(what);
      say(": MISMATCH missing ");
      say(path);
      say("\n");
      failures++;
      continue;
    }
    if (i == 5) check_str(what, got, f[i]);
    else check_num(what, parse_num(got), parse_num(f[i]));
  }
}

// ---- cxlemu.dump=cxl: /sys/bus/cxl/devices, one line per entry ----

#ifndef CXL_DEVICES  // overridable to try the dump on a fake tree on the host
#define CXL_DEVICES "/sys/bus/cxl/devices"
#endif
#define MAX_ENTRIES 512
#define NAME_LEN 64
#define DUMP_LINE 8192

/** readlink(2): nolibc has no wrapper, so the raw readlinkat as nolibc's own wrappers call it. */
static int read_link(const char *path, char *buf, int size) {
  long n = my_syscall4(__NR_readlinkat, AT_FDCWD, path, buf, size - 1);
  if (n < 0) {
    buf[0] = 0;
    return -1;
  }
  buf[n] = 0;
  return n;
}

/** Appends `v` in decimal to `dst`. */
static char *append_num(char *dst, unsigned long v) { return append(dst, decimal(v)); }

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/** `s` is `prefix` followed by a digit (so "mem0" is a memdev, "memory" would not be). */
static int named(const char *s, const char *prefix) { return starts(s, prefix) && is_digit(s[strlen(prefix)]); }

/** strcmp, but runs of digits compare as numbers: mem2 < mem10, decoder1.2 < decoder1.10. */
static int name_cmp(const char *a, const char *b) {
  while (*a && *b) {
    if (is_digit(*a) && is_digit(*b)) {
      unsigned long x = 0, y = 0;
      while (is_digit(*a)) x = x * 10 + (*a++ - '0');
      while (is_digit(*b)) y = y * 10 + (*b++ - '0');
      if (x != y) return x < y ? -1 : 1;
      continue;
    }
    if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
    a++;
    b++;
  }
  return (unsigned char)*a - (unsigned char)*b;
}

/** The names in `dir` that start with `prefix` ("" for all), sorted by name_cmp; their count. */
static int list_dir(const char *dir, const char *prefix, char (*names)[NAME_LEN], int max) {
  static char buf[8192];
  int fd = open(dir, O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) return 0;
  int n = 0;
  for (;;) {
    int r = getdents64(fd, (struct linux_dirent64 *)buf, sizeof(buf));
    if (r <= 0) break;
    for (int off = 0; off < r; off += ((struct linux_dirent64 *)(buf + off))->d_reclen) {
      const char *s = ((struct linux_dirent64 *)(buf + off))->d_name;
      if (s[0] == '.' || !starts(s, prefix) || strlen(s) >= NAME_LEN || n >= max) continue;
      // Insertion sort: a few hundred entries at most.
      int i = n++;
      for (; i > 0 && name_cmp(names[i - 1], s) > 0; i--) strcpy(names[i], names[i - 1]);
      strcpy(names[i], s);
    }
  }
  close(fd);
  return n;
}

static char dump_names[MAX_ENTRIES][NAME_LEN];

/** The CXL tree grows while cxl_acpi, cxl_port and cxl_mem probe: wait until its size holds. */
static void wait_cxl_settled(void) {
  int last = -1, same = 0, i = 0;
  // 50 ms polls, at most 100 (5 s); settled once the count held for 10 polls (0.5 s).
  for (; i < 100 && same < 10; i++) {
    int n = list_dir(CXL_DEVICES, "", dump_names, MAX_ENTRIES);
    if (n == last) {
      same++;
    } else {
      last = n;
      same = 0;
    }
    msleep(50);
  }
  say(same < 10 ? "cxlemu-init: cxl tree still changing after " : "cxlemu-init: cxl tree settled after ");
  say_num(i * 50);
  say(" ms at ");
  say_num(last);
  say(" entries\n");
}

static char dump_line[DUMP_LINE];
static int dump_len;

// Room kept at the end of dump_line for " truncated=1\n".
#define DUMP_RESERVE 16

static void put_raw(const char *s) {
  while (*s && dump_len < DUMP_LINE - DUMP_RESERVE) dump_line[dump_len++] = *s++;
}

static void put_escaped(const char *s) {
  static const char hex[] = "0123456789abcdef";
  for (; *s; s++) {
    unsigned char c = *s;
    if (c > ' ' && c < 0x7f && c != '%') {
      char one[2] = {(char)c, 0};
      put_raw(one);
    } else {
      char esc[4] = {'%', hex[c >> 4], hex[c & 15], 0};
      put_raw(esc);
    }
  }
}

static void put_pair(const char *key, const char *value) {
  put_raw(" ");
  put_raw(key);
  put_raw("=");
  put_escaped(value);
}

/** ` key=<contents of dir/file>` when the file exists and reads (key defaults to the file name). */
static void put_attr(const char *dir, const char *file, const char *key) {
  static char path[256], value[1024];
  strcpy(path, dir);
  append(append(path, "/"), file);
  if (slurp(path, value, sizeof(value)) < 0) return;
  put_pair(key ? key : file, value);
}

/** ` key=<basename of the target of the symlink dir/file>` when the link exists. */
static void put_link(const char *dir, const char *file, const char *key) {
  static char path[256], target[512];
  strcpy(path, dir);
  append(append(path, "/"), file);
  if (read_link(path, target, sizeof(target)) < 0) return;
  put_pair(key ? key : file, base_name(target));
}

static void put_attrs(const char *dir, const char *const *files) {
  for (; *files; files++) put_attr(dir, *files, 0);
}

static void dump_entry(const char *name) {
  static const char *const decoder_attrs[] = {"start", "size", "interleave_ways", "interleave_granularity",
                                              "target_list", "target_type", "locked", "mode", "dpa_resource",
                                              "dpa_size", "region", "cap_type2", "cap_type3", "cap_ram", "cap_pmem",
                                              "qos_class", 0};
  static const char *const region_attrs[] = {
      "uuid", "size", "resource", "interleave_ways", "interleave_granularity", "mode", "commit", 0};
  static const char *const access_attrs[] = {"read_latency", "write_latency", "read_bandwidth", "write_bandwidth", 0};
  static const char *const memdev_attrs[] = {"serial",        "numa_node",      "ram/size",    "pmem/size",
                                             "ram/qos_class", "pmem/qos_class", "payload_max", "label_storage_size",
                                             "firmware_version", 0};
  static char dir[128], link[512];
  static char dports[64][NAME_LEN];
  strcpy(dir, CXL_DEVICES "/");
  append(dir, name);
  dump_len = 0;
  put_raw("cxl-sysfs: ");
  put_raw(name);
  put_attr(dir, "devtype", 0);
  // The entry links to its real directory; the component before the name is its device parent.
  if (read_link(dir, link, sizeof(link)) > 0) {
    char *slash = strrchr(link, '/');
    if (slash) {
      *slash = 0;
      put_pair("parent", base_name(link));
    }
  }
  if (named(name, "root") || named(name, "port") || named(name, "endpoint")) {
    put_link(dir, "uport", 0);
    put_link(dir, "parent_dport", 0);
    int n = list_dir(dir, "dport", dports, 64);
    for (int i = 0; i < n; i++) put_link(dir, dports[i], 0);
    put_attr(dir, "decoders_committed", 0);
    put_attr(dir, "nr_dports", 0);
  } else if (named(name, "decoder")) {
    put_attrs(dir, decoder_attrs);
  } else if (named(name, "region")) {
    put_attrs(dir, region_attrs);
    // target0..target(interleave_ways - 1); 16 is the most ways CXL allows.
    for (int t = 0; t < 16; t++) {
      char file[16] = "target";
      put_attr(dir, append_num(file, t), 0);
    }
    for (int level = 0; level < 2; level++) {
      for (int i = 0; access_attrs[i]; i++) {
        char file[48] = "access", key[48] = "access";
        append(append_num(file, level), "/");
        append(append_num(key, level), ".");
        put_attr(dir, append(file, access_attrs[i]), append(key, access_attrs[i]));
      }
    }
  } else if (named(name, "mem")) {
    put_attrs(dir, memdev_attrs);
  }
  if (dump_len >= DUMP_LINE - DUMP_RESERVE) put_raw(" truncated=1");
  dump_line[dump_len++] = '\n';
  // One write per line, so console output from the kernel cannot split it between pairs.
  write(1, dump_line, dump_len);
}

static void dump_cxl(void) {
  wait_cxl_settled();
  int n = list_dir(CXL_DEVICES, "", dump_names, MAX_ENTRIES);
  for (int i = 0; i < n; i++) dump_entry(dump_names[i]);
  say("cxl-sysfs: end count=");
  say_num(n);
  say("\n");
}

// ---- cxlemu.create=ROOT:WAYS:GRAN:SIZE:SERIAL,...: a RAM region made through sysfs as cxl-cli ----
// create-region does it: name it at the root decoder, set granularity, ways and size, give each
// endpoint (found by memdev serial, in position order) a free decoder with mode ram and its share
// of DPA, name the decoders as targets 0..N-1, then commit. Linux programs every HDM decoder on the
// way; cxlemu's audit checks afterwards where the bytes go.

/** Writes `value` to DIR/FILE (DIR under /sys/bus/cxl/devices unless absolute) and prints the step; a failure counts. */
static int sysfs_step(const char *dir, const char *file, const char *value) {
  char path[192];
  strcpy(path, dir[0] == '/' ? "" : CXL_DEVICES "/");
  append(append(append(path, dir), "/"), file);
  say("cxl-create: ");
  say(dir);
  say("/");
  say(file);
  say(" <- ");
  say(value);
  int fd = open(path, O_WRONLY, 0);
  int n = fd < 0 ? -1 : write(fd, value, strlen(value));
  if (fd >= 0) close(fd);
  if (n < 0) {
    say(": FAILED errno ");
    say_num(errno);
    say("\n");
    failures++;
    return -1;
  }
  say("\n");
  return 0;
}

/** The endpoint port whose uport is memdev `mem` (name into `out`), or 0. */
static int endpoint_of(const char *mem, char *out) {
  static char names[MAX_ENTRIES][NAME_LEN];
  int n = list_dir(CXL_DEVICES, "endpoint", names, MAX_ENTRIES);
  for (int i = 0; i < n; i++) {
    char path[160], target[256];
    strcpy(path, CXL_DEVICES "/");
    append(append(path, names[i]), "/uport");
    if (read_link(path, target, sizeof(target)) > 0 && strcmp(base_name(target), mem) == 0) {
      strcpy(out, names[i]);
      return 1;
    }
  }
  return 0;
}

/** The first decoder of endpoint `ep` with no DPA yet (decoders are allocated in order), or 0. */
static int free_decoder(const char *ep, char *out) {
  const char *id = ep + strlen("endpoint");
  for (int j = 0; j < 32; j++) {
    char name[NAME_LEN], path[160], got[64];
    strcpy(name, "decoder");
    append_num(append(append(name, id), "."), j);
    strcpy(path, CXL_DEVICES "/");
    append(append(path, name), "/dpa_size");
    if (slurp(path, got, sizeof(got)) < 0) return 0;
    if (parse_num(got) == 0) {
      strcpy(out, name);
      return 1;
    }
  }
  return 0;
}

static void create_region(char *spec) {
  char *f[6];
  int n = split_fields(spec, f, 6);
  const char *mode = n == 6 ? f[5] : "ram";
  if ((n != 5 && n != 6) || (strcmp(mode, "ram") != 0 && strcmp(mode, "pmem") != 0)) {
    say("cxl-create: MISMATCH malformed cxlemu.create (ROOT:WAYS:GRAN:SIZE:SERIAL,...[:ram|pmem])\n");
    failures++;
    return;
  }
  const char *create = strcmp(mode, "pmem") == 0 ? "create_pmem_region" : "create_ram_region";
  wait_cxl_settled();
  unsigned long ways = parse_num(f[1]), size = parse_num(f[3]);
  char path[160], region[NAME_LEN];
  strcpy(path, CXL_DEVICES "/");
  append(append(append(path, f[0]), "/"), create);
  if (slurp(path, region, sizeof(region)) <= 0) {
    say("cxl-create: MISMATCH cannot read ");
    say(path);
    say("\n");
    failures++;
    return;
  }
  // A persistent region needs a UUID before its size (cxl-cli generates one; ours is fixed, with
  // the region's number in the last digits, so a run is reproducible).
  char uuid[40];
  strcpy(uuid, "c0ffee00-cafe-4000-8000-0000000000");
  append(uuid, region + strlen(region) - 1);
  append(uuid, "0\n"); // the attribute wants exactly a UUID and its newline
  if (sysfs_step(f[0], create, region) || sysfs_step(region, "interleave_granularity", f[2]) ||
      sysfs_step(region, "interleave_ways", f[1]) ||
      (strcmp(mode, "pmem") == 0 && sysfs_step(region, "uuid", uuid)) || sysfs_step(region, "size", f[3]))
    return;
  unsigned long pos = 0;
  for (char *s = f[4]; s && *s; pos++) {
    char *comma = strchr(s, ',');
    if (comma) *comma = 0;
    char mem[NAME_LEN], ep[NAME_LEN], dec[NAME_LEN], target[16];
    if (!find_memdev(parse_num(s), mem) || !endpoint_of(mem, ep) || !free_decoder(ep, dec)) {
      say("cxl-create: MISMATCH no free endpoint decoder for serial ");
      say(s);
      say("\n");
      failures++;
      return;
    }
    strcpy(target, "target");
    append_num(target, pos);
    if (sysfs_step(dec, "mode", mode) || sysfs_step(dec, "dpa_size", decimal(size / ways)) ||
        sysfs_step(region, target, dec))
      return;
    s = comma ? comma + 1 : 0;
  }
  // cxl-cli then enables the region: binding it to the region driver hands it to dax.
  if (sysfs_step(region, "commit", "1") || sysfs_step("/sys/bus/cxl/drivers/cxl_region", "bind", region)) return;
  say("cxl-create: ");
  say(region);
  say(" committed\n");
}

// ---- cxlemu.kmem=REGION:SEED:MIB: the region as a NUMA node, with a pattern audited afterwards ----
// As `daxctl reconfigure-device -m system-ram` does: the region's dax device goes to the kmem
// driver (unbound from device_dax first if needed), its memory blocks are onlined movable, and the
// node they joined is the region's. Then MIB MiB of anonymous memory bound to that node (an
// MPOL_BIND policy) gets a seeded pattern: the 8-byte word at physical address A holds A ^ K, with
// K = SEED * 0x9e3779b97f4a7c15 mod 2^64. The init reads it back, finds every page's frame in
// /proc/self/pagemap (each must lie in the region) and prints the frames as ranges:
//   kmem-pattern: seed=<hex> k=<hex> pages=<n>
//   kmem-pattern: range <first hpa hex> <end hpa hex>      (one line per run of frames)
// `cxlemu run --audit-pattern SEED` then proves from the device side where each word went.

#define MPOL_BIND 2
#define PAGE 4096UL
#define PATTERN_K 0x9e3779b97f4a7c15UL

static char *hex(unsigned long v) {
  static char b[24];
  int i = sizeof(b);
  b[--i] = 0;
  do {
    b[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v && i > 2);
  b[--i] = 'x';
  b[--i] = '0';
  return b + i;
}

/** Reads DIR/FILE (a number, decimal or 0x-hex; hex without 0x when `bare_hex`) into *v; 0 if absent. */
static int read_num(const char *path, unsigned long *v, int bare_hex) {
  char b[64], t[72];
  if (slurp(path, b, sizeof(b)) <= 0) return 0;
  strcpy(t, bare_hex && !(b[0] == '0' && b[1] == 'x') ? "0x" : "");
  append(t, b);
  *v = parse_num(t);
  return 1;
}

/** The node a memory block belongs to (its nodeN link), or -1. */
static int block_node(const char *block_dir) {
  static char names[8][NAME_LEN];
  if (list_dir(block_dir, "node", names, 8) < 1) return -1;
  return (int)parse_num(names[0] + 4);
}

/** Shell sort of page frame numbers. */
static void sort_frames(unsigned long *a, unsigned long n) {
  for (unsigned long gap = n / 2; gap > 0; gap /= 2)
    for (unsigned long i = gap; i < n; i++) {
      unsigned long v = a[i], j = i;
      for (; j >= gap && a[j - gap] > v; j -= gap) a[j] = a[j - gap];
      a[j] = v;
    }
}

/** One line with every memory tier and its nodes: `kmem: tiers memory_tier4=0 memory_tier10=1`. */
static void print_tiers(void) {
  static char tiers[16][NAME_LEN];
  int n = list_dir("/sys/devices/virtual/memory_tiering", "memory_tier", tiers, 16);
  say("kmem: tiers");
  for (int i = 0; i < n; i++) {
    char path[160], nodes[128];
    strcpy(path, "/sys/devices/virtual/memory_tiering/");
    append(append(path, tiers[i]), "/nodelist");
    if (slurp(path, nodes, sizeof(nodes)) < 0) continue;
    say(" ");
    say(tiers[i]);
    say("=");
    say(nodes);
  }
  say("\n");
}

static void kmem_fail(const char *what, const char *detail) {
  say("kmem: MISMATCH ");
  say(what);
  if (detail) {
    say(" ");
    say(detail);
  }
  say("\n");
  failures++;
}

static void kmem_one(const char *region, unsigned long seed, unsigned long mib);

/** cxlemu.kmem=REGION:SEED:MIB, REGION a region name or `all` (every region, in name order). */
static void kmem_region(char *spec) {
  char *f[3];
  int n = split_fields(spec, f, 3);
  if (n != 3) return kmem_fail("malformed cxlemu.kmem (REGION:SEED:MIB)", 0);
  if (strcmp(f[0], "all") != 0) return kmem_one(f[0], parse_num(f[1]), parse_num(f[2]));
  static char regions[16][NAME_LEN];
  wait_cxl_settled();
  int count = list_dir(CXL_DEVICES, "region", regions, 16);
  if (count == 0) return kmem_fail("no regions for cxlemu.kmem=all", 0);
  for (int i = 0; i < count; i++) kmem_one(regions[i], parse_num(f[1]), parse_num(f[2]));
}

static void kmem_one(const char *region, unsigned long seed, unsigned long mib) {
  char path[192], dax_region[NAME_LEN], dax[NAME_LEN], link[256];
  static char names[4][NAME_LEN];

  // The region's dax device (dax probing may still be running: wait up to 5 s).
  int found = 0;
  for (int i = 0; i < 100 && !found; i++) {
    strcpy(path, CXL_DEVICES "/");
    append(path, region);
    if (list_dir(path, "dax_region", names, 4) == 1) {
      strcpy(dax_region, names[0]);
      append(append(path, "/"), dax_region);
      if (list_dir(path, "dax", names, 4) >= 1) {
        // "dax_region" entries are not devices; a device is daxN.M.
        for (int j = 0; j < 4 && !found; j++)
          if (named(names[j], "dax")) {
            strcpy(dax, names[j]);
            found = 1;
          }
      }
    }
    if (!found) msleep(50);
  }
  if (!found) return kmem_fail("no dax device under", region);

  strcpy(path, "/sys/bus/dax/devices/");
  append(append(path, dax), "/driver");
  const char *driver = read_link(path, link, sizeof(link)) > 0 ? base_name(link) : "";
  say("kmem: ");
  say(region);
  say(" ");
  say(dax);
  say(" driver=");
  say(driver[0] ? driver : "none");
  say("\n");
  if (strcmp(driver, "kmem") != 0) {
    if (driver[0] && sysfs_step("/sys/bus/dax/drivers/device_dax", "unbind", dax)) return;
    if (sysfs_step("/sys/bus/dax/drivers/kmem", "new_id", dax)) return;
    if (read_link(path, link, sizeof(link)) <= 0 && sysfs_step("/sys/bus/dax/drivers/kmem", "bind", dax)) return;
  }

  // Online every memory block of the region, movable (as daxctl does by default).
  unsigned long start = 0, size = 0, block = 0;
  strcpy(path, CXL_DEVICES "/");
  append(append(path, region), "/resource");
  read_num(path, &start, 0);
  strcpy(path, CXL_DEVICES "/");
  append(append(path, region), "/size");
  read_num(path, &size, 0);
  if (!read_num("/sys/devices/system/memory/block_size_bytes", &block, 1) || !block || !size)
    return kmem_fail("cannot read the region's range or the memory block size", 0);
  int node = -1;
  unsigned long blocks = 0, onlined = 0;
  for (unsigned long b = start / block; b < (start + size) / block; b++) {
    char dir[96], state[32];
    strcpy(dir, "/sys/devices/system/memory/memory");
    append_num(dir, b);
    strcpy(path, dir);
    append(path, "/state");
    if (slurp(path, state, sizeof(state)) <= 0) return kmem_fail("memory block missing:", dir);
    blocks++;
    if (strcmp(state, "online") != 0) {
      int fd = open(path, O_WRONLY, 0);
      int w = fd < 0 ? -1 : write(fd, "online_movable", 14);
      if (fd >= 0) close(fd);
      if (w < 0) return kmem_fail("cannot online", dir);
      onlined++;
    }
    int nb = block_node(dir);
    if (node < 0) node = nb;
    else if (nb != node) return kmem_fail("the region's blocks are on several nodes", 0);
  }
  say("kmem: ");
  say(region);
  say(" blocks=");
  say_num(blocks);
  say(" onlined=");
  say_num(onlined);
  say(" node=");
  say_num(node);
  say("\n");
  print_lines("/proc/meminfo", "fact meminfo: ", "MemTotal", 0);
  strcpy(path, "/sys/devices/system/node/node");
  append(append_num(path, node), "/meminfo");
  print_lines(path, "fact node meminfo: ", 0, "MemTotal");
  if (node < 0) return kmem_fail("the region's blocks have no node", 0);
  print_tiers();

  // The pattern, through memory bound to that node.
  unsigned long mask[2] = {0, 0};
  mask[node / 64] = 1UL << (node % 64);
  long e = my_syscall3(__NR_set_mempolicy, MPOL_BIND, mask, 128);
  if (e < 0) return kmem_fail("set_mempolicy failed", decimal(-e));
  unsigned long len = mib << 20, pages = len / PAGE;
  unsigned long *mem = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (mem == MAP_FAILED) return kmem_fail("mmap failed", 0);
  unsigned long *frames = mmap(0, pages * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  my_syscall3(__NR_set_mempolicy, 0, 0, 0);
  if (frames == MAP_FAILED) return kmem_fail("mmap failed", 0);
  int pm = open("/proc/self/pagemap", O_RDONLY, 0);
  if (pm < 0) return kmem_fail("cannot open /proc/self/pagemap", 0);
  lseek(pm, (unsigned long)mem / PAGE * 8, SEEK_SET);
  if (read(pm, frames, pages * 8) != (long)(pages * 8)) return kmem_fail("short read of pagemap", 0);
  unsigned long k = seed * PATTERN_K;
  for (unsigned long i = 0; i < pages; i++) {
    if (!(frames[i] >> 63)) return kmem_fail("a page is not present", 0);
    frames[i] &= (1UL << 55) - 1;
    unsigned long a = frames[i] * PAGE;
    if (a < start || a >= start + size) return kmem_fail("a page lies outside the region:", hex(a));
    unsigned long *w = mem + i * (PAGE / 8);
    for (unsigned long j = 0; j < PAGE / 8; j++) w[j] = (a + j * 8) ^ k;
  }
  unsigned long bad = 0;
  for (unsigned long i = 0; i < pages; i++) {
    unsigned long *w = mem + i * (PAGE / 8), a = frames[i] * PAGE;
    for (unsigned long j = 0; j < PAGE / 8; j++) bad += w[j] != ((a + j * 8) ^ k);
  }
  // The frames again: none may have moved while the pattern was written.
  unsigned long *again = mmap(0, pages * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  lseek(pm, (unsigned long)mem / PAGE * 8, SEEK_SET);
  if (again == MAP_FAILED || read(pm, again, pages * 8) != (long)(pages * 8)) return kmem_fail("pagemap reread", 0);
  close(pm);
  for (unsigned long i = 0; i < pages; i++)
    if ((again[i] & ((1UL << 55) - 1)) != frames[i]) return kmem_fail("a page moved while the pattern was written", 0);
  check_num("kmem pattern words read back wrong", bad, 0);
  say("kmem-pattern: seed=");
  say(hex(seed));
  say(" k=");
  say(hex(k));
  say(" pages=");
  say_num(pages);
  say("\n");
  sort_frames(frames, pages);
  for (unsigned long i = 0; i < pages;) {
    unsigned long j = i + 1;
    while (j < pages && frames[j] == frames[j - 1] + 1) j++;
    say("kmem-pattern: range ");
    say(hex(frames[i] * PAGE));
    say(" ");
    say(hex((frames[j - 1] + 1) * PAGE));
    say("\n");
    i = j;
  }
}

// ---- cxlemu.poison=REGION: poison through the kernel, as a CXL developer would exercise it ----
// REGION must be a 1-way region already onlined by cxlemu.kmem (its DPA is then the endpoint
// decoder's dpa_resource plus the offset in the region). The init takes one page of that node,
// fills it, finds its frame (pagemap) and so the HPA and the memdev's DPA, then, through the kernel:
// debugfs inject_poison, a read of the line from a child process (which must die of SIGSEGV, the
// RISC-V kernel's answer to a load access fault), trigger_poison_list, debugfs clear_poison, a
// second read (which must succeed and see the zeros Clear Poison wrote), trigger_poison_list again.
// The cxl_poison trace events (tracefs) are printed as `poison-trace: ...` lines.
//   poison: <region> hpa=<hex> memdev=<memN> dpa=<hex>

#define SIGSEGV_NR 11
#define POISON_FILL 0x5a5a5a5a5a5a5a5aUL

/** A child reads the first word of `page`: 0 if it saw `want`, 1 if another value, else the signal. */
static const char *child_read(volatile unsigned long *page, unsigned long want) {
  pid_t pid = fork();
  if (pid == 0) exit(*page == want ? 0 : 1);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return "no child";
  // nolibc's WIFSIGNALED is true for status 0: test the termination signal bits directly.
  int sig = status & 0x7f;
  if (sig != 0) return sig == SIGSEGV_NR ? "SIGSEGV" : "another signal";
  return ((status >> 8) & 0xff) == 0 ? "read" : "wrong value";
}

static int write_file(const char *path, const char *value) {
  const char *slash = strrchr(path, '/');
  static char dir[192];
  int n = slash - path;
  memcpy(dir, path, n);
  dir[n] = 0;
  return sysfs_step(dir, slash + 1, value);
}

static void poison_region(const char *region) {
  char path[192], target[NAME_LEN], ep[NAME_LEN], link[256], mem[NAME_LEN];
  unsigned long ways = 0, start = 0, size = 0, dpa_base = 0, block = 0;
  strcpy(path, CXL_DEVICES "/");
  append(append(path, region), "/interleave_ways");
  read_num(path, &ways, 0);
  if (ways != 1) return kmem_fail("cxlemu.poison needs a 1-way region:", region);
  strcpy(path, CXL_DEVICES "/");
  append(append(path, region), "/resource");
  read_num(path, &start, 0);
  strcpy(path, CXL_DEVICES "/");
  append(append(path, region), "/size");
  read_num(path, &size, 0);
  strcpy(path, CXL_DEVICES "/");
  append(append(path, region), "/target0");
  if (slurp(path, target, sizeof(target)) <= 0) return kmem_fail("no target0 in", region);
  strcpy(path, CXL_DEVICES "/");
  append(append(path, target), "/dpa_resource");
  read_num(path, &dpa_base, 0);
  // decoderX.Y belongs to endpointX, whose uport is the memdev.
  strcpy(ep, "endpoint");
  append(ep, target + strlen("decoder"));
  *strchr(ep, '.') = 0;
  strcpy(path, CXL_DEVICES "/");
  append(append(path, ep), "/uport");
  if (read_link(path, link, sizeof(link)) <= 0) return kmem_fail("no memdev for", ep);
  strcpy(mem, base_name(link));
  if (!read_num("/sys/devices/system/memory/block_size_bytes", &block, 1) || !block)
    return kmem_fail("no memory block size", 0);
  strcpy(path, "/sys/devices/system/memory/memory");
  append_num(path, start / block);
  int node = block_node(path);
  if (node < 0) return kmem_fail("region not onlined (cxlemu.kmem first):", region);

  mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, 0);
  if (write_file("/sys/kernel/tracing/events/cxl/cxl_poison/enable", "1")) return;
  // The device reports the uncorrectable read as a General Media event record (the event interrupt).
  write_file("/sys/kernel/tracing/events/cxl/cxl_general_media/enable", "1");

  unsigned long mask[2] = {0, 0};
  mask[node / 64] = 1UL << (node % 64);
  my_syscall3(__NR_set_mempolicy, MPOL_BIND, mask, 128);
  volatile unsigned long *page =
      mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  my_syscall3(__NR_set_mempolicy, 0, 0, 0);
  if (page == MAP_FAILED) return kmem_fail("mmap failed", 0);
  for (unsigned long i = 0; i < PAGE / 8; i++) page[i] = POISON_FILL;
  unsigned long frame = 0;
  int pm = open("/proc/self/pagemap", O_RDONLY, 0);
  lseek(pm, (unsigned long)page / PAGE * 8, SEEK_SET);
  if (pm < 0 || read(pm, &frame, 8) != 8 || !(frame >> 63)) return kmem_fail("no frame for the page", 0);
  close(pm);
  unsigned long hpa = (frame & ((1UL << 55) - 1)) * PAGE;
  if (hpa < start || hpa >= start + size) return kmem_fail("the page lies outside the region:", hex(hpa));
  unsigned long dpa = dpa_base + (hpa - start);
  say("poison: ");
  say(region);
  say(" hpa=");
  say(hex(hpa));
  say(" memdev=");
  say(mem);
  say(" dpa=");
  say(hex(dpa));
  say("\n");

  strcpy(path, "/sys/kernel/debug/cxl/");
  append(append(path, mem), "/inject_poison");
  if (write_file(path, hex(dpa))) return;
  check_str("poison read of the injected line", child_read(page, POISON_FILL), "SIGSEGV");
  strcpy(path, CXL_DEVICES "/");
  append(append(path, mem), "/trigger_poison_list");
  write_file(path, "1");
  strcpy(path, "/sys/kernel/debug/cxl/");
  append(append(path, mem), "/clear_poison");
  if (write_file(path, hex(dpa))) return;
  check_str("read after clear_poison (zeros)", child_read(page, 0), "read");
  strcpy(path, CXL_DEVICES "/");
  append(append(path, mem), "/trigger_poison_list");
  write_file(path, "1");
  print_lines("/sys/kernel/tracing/trace", "poison-trace: ", 0, "cxl_poison:");
}

// ---- cxlemu.events: the CXL event records Linux reported, and the interrupts that brought them ----
// Records come in as cxl_general_media / cxl_dram trace events: those the driver drained at probe
// (enable them from the command line: trace_event=cxl:cxl_general_media,cxl:cxl_dram) and those a
// device signalled later through its event interrupt (MSI-X). Waits up to WAIT_EVENTS_MS for
// `want` records, then prints each as `event-trace: ...` and the MSI lines of /proc/interrupts as
// `irq: ...`.
#define WAIT_EVENTS_MS 5000
static int count_lines(const char *path, const char *needle) {
  static char buf[16384];
  int n = 0;
  if (slurp(path, buf, sizeof(buf)) < 0) return 0;
  for (char *p = buf; *p; p++)
    if (starts(p, needle)) n++;
  return n;
}

static void print_events(const char *arg) {
  int want = parse_num(arg);
  mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, 0);
  const char *trace = "/sys/kernel/tracing/trace";
  for (int i = 0; i < WAIT_EVENTS_MS / 50; i++) {
    if (count_lines(trace, "cxl_general_media:") + count_lines(trace, "cxl_dram:") >= want) break;
    msleep(50);
  }
  print_lines(trace, "event-trace: ", 0, "cxl_general_media:");
  print_lines(trace, "event-trace: ", 0, "cxl_dram:");
  print_lines("/proc/interrupts", "irq: ", 0, "MSI");
  check_num("CXL event records reported", count_lines(trace, "cxl_general_media:") + count_lines(trace, "cxl_dram:"), want);
}

// ---- cxlemu.pmem=REGION:SEED:MIB:write|check: a namespace on a persistent region, as ndctl makes it ----
// REGION is a committed persistent CXL region (cxlemu.create=...:pmem, or assembled at boot from
// decoders a saved machine keeps). Its libnvdimm region (the one whose resource is REGION's) gets a
// pmem namespace through sysfs as `ndctl create-namespace` does: the namespace seed's uuid and size
// (the kernel writes the namespace labels to each device's label storage area), then nd_pmem binds
// it. With `check` the namespace must already exist (found from the labels at boot) with the UUID
// below, and the pattern must read back. The pattern is the kmem one (word at HPA A = A ^ K) over
// the first MIB MiB of /dev/pmemN, whose HPA is the namespace's resource; `write` writes and fsyncs.
//   pmem: <region> nd=<ndregion> namespace=<name> uuid=<uuid> size=<bytes> dev=<pmemN> resource=<hex>
//   pmem-pattern: <written|checked> seed=<hex> words=<n> bad=<n>

#define PMEM_UUID "c0ffee00-cafe-4000-8000-00000000beef"

static int nd_region_of(unsigned long start, char *out) {
  static char names[16][NAME_LEN];
  int n = list_dir("/sys/bus/nd/devices", "region", names, 16);
  for (int i = 0; i < n; i++) {
    char path[160];
    unsigned long r = 0;
    strcpy(path, "/sys/bus/nd/devices/");
    append(append(path, names[i]), "/resource");
    if (read_num(path, &r, 0) && r == start) {
      strcpy(out, names[i]);
      return 1;
    }
  }
  return 0;
}

static void pmem_region(char *spec) {
  char *f[4];
  int n = split_fields(spec, f, 4);
  if (n != 4 || (strcmp(f[3], "write") != 0 && strcmp(f[3], "check") != 0))
    return kmem_fail("malformed cxlemu.pmem (REGION:SEED:MIB:write|check)", 0);
  const char *region = f[0];
  int writing = strcmp(f[3], "write") == 0;
  unsigned long seed = parse_num(f[1]), bytes = parse_num(f[2]) << 20;
  char path[192], nd[NAME_LEN], ns[NAME_LEN], uuid[64], dev[NAME_LEN];
  static char names[4][NAME_LEN];
  unsigned long start = 0, size = 0, ns_start = 0;
  wait_cxl_settled();
  strcpy(path, CXL_DEVICES "/");
  append(append(path, region), "/resource");
  if (!read_num(path, &start, 0)) return kmem_fail("no region", region);
  int found = 0;
  for (int i = 0; i < 100 && !(found = nd_region_of(start, nd)); i++) msleep(50);
  if (!found) return kmem_fail("no libnvdimm region for", region);

  if (writing) {
    strcpy(path, "/sys/bus/nd/devices/");
    append(append(path, nd), "/namespace_seed");
    if (slurp(path, ns, sizeof(ns)) <= 0) return kmem_fail("no namespace seed in", nd);
    unsigned long avail = 0;
    strcpy(path, "/sys/bus/nd/devices/");
    append(append(path, nd), "/available_size");
    read_num(path, &avail, 0);
    strcpy(path, "/sys/bus/nd/devices/");
    append(path, ns);
    if (sysfs_step(path, "uuid", PMEM_UUID "\n") || sysfs_step(path, "size", decimal(avail)) ||
        sysfs_step("/sys/bus/nd/drivers/nd_pmem", "bind", ns))
      return;
  } else {
    // The namespace the labels describe, probed at boot: the one of `nd` with our UUID.
    static char all[16][NAME_LEN];
    int count = list_dir("/sys/bus/nd/devices", "namespace", all, 16);
    found = 0;
    for (int i = 0; i < count && !found; i++) {
      char got[64];
      strcpy(path, "/sys/bus/nd/devices/");
      append(append(path, all[i]), "/uuid");
      if (slurp(path, got, sizeof(got)) > 0 && strcmp(got, PMEM_UUID) == 0) {
        strcpy(ns, all[i]);
        found = 1;
      }
    }
    if (!found) return kmem_fail("no namespace with uuid " PMEM_UUID " after boot (labels lost?) in", nd);
  }
  strcpy(path, "/sys/bus/nd/devices/");
  append(append(path, ns), "/uuid");
  slurp(path, uuid, sizeof(uuid));
  strcpy(path, "/sys/bus/nd/devices/");
  append(append(path, ns), "/size");
  read_num(path, &size, 0);
  strcpy(path, "/sys/bus/nd/devices/");
  append(append(path, ns), "/resource");
  read_num(path, &ns_start, 0);
  strcpy(path, "/sys/bus/nd/devices/");
  append(append(path, ns), "/block");
  if (list_dir(path, "pmem", names, 4) < 1) return kmem_fail("no block device for", ns);
  strcpy(dev, names[0]);
  say("pmem: ");
  say(region);
  say(" nd=");
  say(nd);
  say(" namespace=");
  say(ns);
  say(" uuid=");
  say(uuid);
  say(" size=");
  say(decimal(size));
  say(" dev=");
  say(dev);
  say(" resource=");
  say(hex(ns_start));
  say("\n");
  if (bytes > size) return kmem_fail("the namespace is smaller than the pattern", 0);

  strcpy(path, "/dev/");
  append(path, dev);
  int fd = open(path, writing ? O_RDWR : O_RDONLY, 0);
  if (fd < 0) return kmem_fail("cannot open", path);
  static unsigned long buf[PAGE / 8];
  unsigned long k = seed * PATTERN_K, bad = 0;
  for (unsigned long off = 0; off < bytes; off += PAGE) {
    if (writing) {
      for (unsigned long j = 0; j < PAGE / 8; j++) buf[j] = (ns_start + off + j * 8) ^ k;
      if (write(fd, buf, PAGE) != (long)PAGE) return kmem_fail("short write to", path);
    } else {
      if (read(fd, buf, PAGE) != (long)PAGE) return kmem_fail("short read of", path);
      for (unsigned long j = 0; j < PAGE / 8; j++) bad += buf[j] != ((ns_start + off + j * 8) ^ k);
    }
  }
  if (writing && my_syscall1(__NR_fsync, fd) < 0) return kmem_fail("fsync failed on", path);
  close(fd);
  say("pmem-pattern: ");
  say(writing ? "written" : "checked");
  say(" seed=");
  say(hex(seed));
  say(" words=");
  say_num(bytes / 8);
  say(" bad=");
  say_num(bad);
  say("\n");
  check_num("pmem pattern words wrong", bad, 0);
}

// ---- cxlemu.run=PATH: another program of the initramfs, its output on the console ----

static void run_program(const char *path) {
  pid_t pid = fork();
  if (pid == 0) {
    char *const argv[] = {(char *)path, 0};
    char *const envp[] = {0};
    execve(path, argv, envp);
    exit(127);
  }
  int status = -1;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) status = -1;
  check_num(path, status, 0); // exit status 0, no signal
}

// ---- cxlemu.exec=TAG:PATH,ARG,...: a program with arguments, its output captured line by line ----
// The kernel command line splits at spaces, so the arguments are separated by commas. The program
// gets an empty environment; its stdout and stderr come through two pipes and each line is printed
// whole, in one write, so kernel messages cannot split it:
//   exec TAG: PATH ARG ...            (before it starts)
//   exec TAG out: <line>              (each line of stdout)
//   exec TAG err: <line>              (each line of stderr)
//   check exec TAG exit status: ok (0)   (or MISMATCH; a signal reads as 128 + its number)
// Lines longer than EXEC_LINE bytes are printed in pieces, each with the prefix.

#define EXEC_ARGS 32
#define EXEC_LINE 2048

struct exec_stream {
  int fd;
  const char *prefix;
  char line[EXEC_LINE];
  int len;
};

static void exec_flush(struct exec_stream *s) {
  static char out[EXEC_LINE + 96];
  strcpy(out, s->prefix);
  int n = strlen(out);
  memcpy(out + n, s->line, s->len);
  n += s->len;
  out[n++] = '\n';
  write(1, out, n);
  s->len = 0;
}

/** Reads what is there on `s`; 0 at end of file. */
static int exec_drain(struct exec_stream *s) {
  char buf[512];
  int r = read(s->fd, buf, sizeof(buf));
  if (r <= 0) {
    if (s->len) exec_flush(s);
    return 0;
  }
  for (int i = 0; i < r; i++) {
    if (buf[i] == '\n') exec_flush(s);
    else {
      s->line[s->len++] = buf[i];
      if (s->len == EXEC_LINE) exec_flush(s);
    }
  }
  return 1;
}

static void exec_program(char *spec) {
  char *colon = strchr(spec, ':');
  if (!colon || colon == spec || !colon[1]) {
    say("check cxlemu.exec: MISMATCH malformed (TAG:PATH,ARG,...)\n");
    failures++;
    return;
  }
  *colon = 0;
  const char *tag = spec;
  char *argv[EXEC_ARGS + 1];
  int argc = 0;
  for (char *a = colon + 1; a && argc < EXEC_ARGS;) {
    char *comma = strchr(a, ',');
    if (comma) *comma = 0;
    argv[argc++] = a;
    a = comma ? comma + 1 : 0;
  }
  argv[argc] = 0;
  static struct exec_stream streams[2];
  static char prefixes[2][96];
  char what[96];
  strcpy(what, "exec ");
  append(what, tag);
  say(what);
  say(":");
  for (int i = 0; i < argc; i++) {
    say(" ");
    say(argv[i]);
  }
  say("\n");
  int out[2], err[2];
  if (pipe(out) < 0 || pipe(err) < 0) {
    say("check cxlemu.exec: MISMATCH no pipe\n");
    failures++;
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    char *const envp[] = {0};
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(out[1]);
    close(err[0]);
    close(err[1]);
    execve(argv[0], argv, envp);
    exit(127);
  }
  close(out[1]);
  close(err[1]);
  for (int i = 0; i < 2; i++) {
    strcpy(prefixes[i], what);
    append(prefixes[i], i == 0 ? " out: " : " err: ");
    streams[i].fd = i == 0 ? out[0] : err[0];
    streams[i].prefix = prefixes[i];
    streams[i].len = 0;
  }
  // Both pipes at once, so a program that fills one while we wait on the other cannot stall.
  int open_streams = 2;
  struct pollfd fds[2];
  while (open_streams > 0) {
    int n = 0;
    struct exec_stream *which[2];
    for (int i = 0; i < 2; i++)
      if (streams[i].fd >= 0) {
        fds[n].fd = streams[i].fd;
        fds[n].events = POLLIN;
        fds[n].revents = 0;
        which[n++] = &streams[i];
      }
    if (poll(fds, n, -1) < 0) break;
    for (int i = 0; i < n; i++)
      if (fds[i].revents && !exec_drain(which[i])) {
        close(which[i]->fd);
        which[i]->fd = -1;
        open_streams--;
      }
  }
  int status = -1;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) status = -1;
  // nolibc's WIFSIGNALED is true for status 0: take the bits directly.
  int code = status < 0 ? 255 : (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
  append(what, " exit status");
  check_num(what, code, 0);
}

// ---- cxlemu.let=NAME:PATH: a value read from sysfs, for later parameters ----
// The contents of PATH (or, for DIR/PREFIX*, the first name in DIR that starts with PREFIX), read
// when the parameter comes up, replaces `$NAME` in every later parameter. Linux numbers memdevs and
// regions in probe order, so steps name them through what is stable: a memdev by its PCI function
// (M:/sys/bus/pci/devices/0000:14:00.0/mem*), a region cxl-cli is about to create by the seed it
// will take (R:/sys/bus/cxl/devices/decoder0.1/create_ram_region).
//   let NAME=<value>

#define LET_MAX 8
static char let_names[LET_MAX][16], let_values[LET_MAX][NAME_LEN];
static int lets;

static void let_value(const char *spec) {
  const char *colon = strchr(spec, ':');
  int n = colon ? colon - spec : 0;
  if (n <= 0 || n >= 16 || lets == LET_MAX) {
    say("check cxlemu.let: MISMATCH malformed (NAME:PATH) or too many\n");
    failures++;
    return;
  }
  memcpy(let_names[lets], spec, n);
  let_names[lets][n] = 0;
  const char *path = colon + 1;
  int got = -1;
  if (path[strlen(path) - 1] == '*') {
    // DIR/PREFIX*: the first entry of DIR whose name starts with PREFIX.
    static char dir[192], prefix[NAME_LEN], names[1][NAME_LEN];
    const char *slash = strrchr(path, '/');
    memcpy(dir, path, slash - path);
    dir[slash - path] = 0;
    strcpy(prefix, slash + 1);
    prefix[strlen(prefix) - 1] = 0;
    if (list_dir(dir, prefix, names, 1) == 1) got = strlen(strcpy(let_values[lets], names[0]));
  } else {
    got = slurp(path, let_values[lets], NAME_LEN);
  }
  if (got <= 0) {
    say("check cxlemu.let: MISMATCH cannot read ");
    say(colon + 1);
    say("\n");
    failures++;
    return;
  }
  say("let ");
  say(let_names[lets]);
  say("=");
  say(let_values[lets]);
  say("\n");
  lets++;
}

/** `tok` with every `$NAME` of a cxlemu.let replaced, in a static buffer. */
static char *substitute(const char *tok) {
  static char buf[MAX_LINE];
  int n = 0;
  while (*tok && n < MAX_LINE - 1) {
    int done = 0;
    for (int i = 0; i < lets && *tok == '$' && !done; i++) {
      int len = strlen(let_names[i]);
      char next = tok[1 + len];
      int word = (next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z') || is_digit(next) || next == '_';
      if (strncmp(tok + 1, let_names[i], len) == 0 && !word) {
        for (const char *v = let_values[i]; *v && n < MAX_LINE - 1;) buf[n++] = *v++;
        tok += 1 + len;
        done = 1;
      }
    }
    if (!done) buf[n++] = *tok++;
  }
  buf[n] = 0;
  return buf;
}

// ---- cxlemu.shell: a small interactive shell on the console, for a person at the terminal ----
// Reads a line (the tty echoes and edits it), splits it at spaces and runs it: the builtins
// below, else the program (PATH, or /bin/NAME) with those arguments and the console as its stdin,
// stdout and stderr. `poweroff` (or `exit`, or end of input) ends it with the checks' verdict;
// `reboot` reboots. The prompt is "cxlemu# ".

#define SHELL_ARGS 32

static void shell_cat(char **argv, int argc) {
  static char buf[4096];
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY, 0);
    if (fd < 0) {
      say("cat: ");
      say(argv[i]);
      say(": cannot open\n");
      continue;
    }
    for (int r; (r = read(fd, buf, sizeof(buf))) > 0;) write(1, buf, r);
    close(fd);
  }
}

static void shell_ls(char **argv, int argc) {
  const char *dir = argc > 1 ? argv[1] : "/";
  int n = list_dir(dir, "", dump_names, MAX_ENTRIES);
  for (int i = 0; i < n; i++) {
    say(dump_names[i]);
    say(i + 1 == n || (i + 1) % 6 == 0 ? "\n" : "  ");
  }
}

static void shell_run(char **argv) {
  static char path[NAME_LEN + 8];
  const char *prog = argv[0];
  if (strlen(prog) >= NAME_LEN) {
    say("sh: name too long\n");
    return;
  }
  if (!strchr(prog, '/')) {
    strcpy(path, "/bin/");
    append(path, prog);
    prog = path;
  }
  pid_t pid = fork();
  if (pid == 0) {
    char *const envp[] = {"PATH=/bin", "TERM=dumb", 0};
    execve(prog, argv, envp);
    say(argv[0]);
    say(": not found\n");
    exit(127);
  }
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
}

/** The shell; returns 1 when the user asked for a reboot. */
static int shell(void) {
  static char line[1024];
  say("cxlemu-init: shell (cat, ls, echo, poweroff, reboot, or a program in /bin)\n");
  for (;;) {
    say("cxlemu# ");
    int n = 0;
    for (;;) {
      char c;
      int r = read(0, &c, 1);
      if (r <= 0) return 0;
      if (c == '\n' || c == '\r') break;
      if (n < (int)sizeof(line) - 1) line[n++] = c;
    }
    line[n] = 0;
    char *argv[SHELL_ARGS + 1];
    int argc = 0;
    for (char *a = line; *a && argc < SHELL_ARGS;) {
      while (*a == ' ' || *a == '\t') *a++ = 0;
      if (!*a) break;
      argv[argc++] = a;
      while (*a && *a != ' ' && *a != '\t') a++;
    }
    argv[argc] = 0;
    if (argc == 0) continue;
    if (strcmp(argv[0], "poweroff") == 0 || strcmp(argv[0], "exit") == 0) return 0;
    if (strcmp(argv[0], "reboot") == 0) return 1;
    if (strcmp(argv[0], "cat") == 0) shell_cat(argv, argc);
    else if (strcmp(argv[0], "ls") == 0) shell_ls(argv, argc);
    else if (strcmp(argv[0], "echo") == 0) {
      for (int i = 1; i < argc; i++) {
        say(argv[i]);
        say(i + 1 < argc ? " " : "");
      }
      say("\n");
    } else shell_run(argv);
  }
}

int main(void) {
  static char cmdline[MAX_LINE];
  int dump = 0, interactive = 0;
  mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
  mount("proc", "/proc", "proc", 0, 0);
  mount("sysfs", "/sys", "sysfs", 0, 0);
  mount("debugfs", "/sys/kernel/debug", "debugfs", 0, 0);
  // Scratch space for programs that want it (the tools initramfs has /run and /tmp; without
  // them these mounts fail quietly).
  mount("tmpfs", "/run", "tmpfs", 0, "mode=0755");
  mount("tmpfs", "/tmp", "tmpfs", 0, "mode=01777");
  say("cxlemu-init: started\n");
  say("fact harts online: ");
  say_num(count_harts());
  say("\n");
  print_lines("/proc/cpuinfo", "fact cpuinfo: ", "isa", 0);
  print_lines("/proc/meminfo", "fact meminfo: ", "MemTotal", 0);
  print_lines("/proc/iomem", "fact iomem: ", 0, "System RAM");

  slurp("/proc/cmdline", cmdline, sizeof(cmdline));
  say("cmdline: ");
  say(cmdline);
  say("\n");
  // Memdev count first (it waits for the probes), then the rest in order.
  for (char *next = cmdline; next && *next;) {
    char *sp = strchr(next, ' ');
    if (sp) *sp = 0;
    char *tok = substitute(next);
    if (starts(tok, "cxlemu.memdevs=")) {
      int want = parse_num(tok + 15);
      wait_memdevs(want);
      check_num("memdev count", count_memdevs(), want);
    } else if (starts(tok, "cxlemu.harts=")) {
      check_num("harts online", count_harts(), parse_num(tok + 13));
    } else if (starts(tok, "cxlemu.mem=")) {
      check_memdev(tok + 11);
    } else if (starts(tok, "cxlemu.create=")) {
      create_region(tok + 14);
    } else if (starts(tok, "cxlemu.kmem=")) {
      kmem_region(tok + 12);
    } else if (starts(tok, "cxlemu.pmem=")) {
      pmem_region(tok + 12);
    } else if (starts(tok, "cxlemu.poison=")) {
      poison_region(tok + 14);
    } else if (starts(tok, "cxlemu.events=")) {
      print_events(tok + 14);
    } else if (starts(tok, "cxlemu.run=")) {
      run_program(tok + 11);
    } else if (starts(tok, "cxlemu.exec=")) {
      exec_program(tok + 12);
    } else if (starts(tok, "cxlemu.let=")) {
      let_value(tok + 11);
    } else if (strcmp(tok, "cxlemu.dump=cxl") == 0) {
      dump = 1;
    } else if (strcmp(tok, "cxlemu.shell") == 0) {
      interactive = 1;
    }
    next = sp ? sp + 1 : 0;
  }
  if (dump) dump_cxl();
  if (interactive && shell()) {
    say("cxlemu-init: rebooting\n");
    reboot(LINUX_REBOOT_CMD_RESTART);
  }
  if (failures) {
    say("cxlemu-init: ");
    say_num(failures);
    say(" check(s) failed: rebooting\n");
    reboot(LINUX_REBOOT_CMD_RESTART);
  } else {
    say("cxlemu-init: all checks passed: powering off\n");
    reboot(LINUX_REBOOT_CMD_POWER_OFF);
  }
  for (;;) sleep(1);
  return 0;
}
