// cxlemu's Linux init (PID 1 of the project's initramfs). Built without a libc against the
// kernel's tools/include/nolibc (scripts/build-initramfs.sh).
//
// It mounts proc, sysfs, devtmpfs and debugfs, prints facts for the differential boot against
// QEMU (harts online, the ISA line, MemTotal, System RAM ranges), then checks what the kernel
// command line asks for:
//   cxlemu.memdevs=N                      exactly N memory devices in /sys/bus/cxl/devices
//   cxlemu.mem=SERIAL:ram:pmem:payload:lsa:fw   the attributes of the memdev with that serial
//   cxlemu.harts=N                        N harts online
// Each check prints one `check ...: ok` or `check ...: MISMATCH got ... want ...` line. With
// every check passing it powers off (emulator exit 0); with any mismatch it reboots (exit 3).

#define MAX_LINE 4096

static int failures;

static void say(const char *s) { write(1, s, strlen(s)); }

static void say_num(unsigned long v) {
  char b[24];
  int i = sizeof(b);
  b[--i] = 0;
  do {
    b[--i] = '0' + v % 10;
    v /= 10;
  } while (v && i > 0);
  say(b + i);
}

/** Reads a whole small file into buf (NUL-terminated, trailing newline removed); -1 if absent. */
static int slurp(const char *path, char *buf, int size) {
  int fd = open(path, O_RDONLY, 0);
  if (fd < 0) return -1;
  int n = 0;
  for (;;) {
    int r = read(fd, buf + n, size - 1 - n);
    if (r <= 0) break;
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
  int n = 0;
  f[n++] = spec;
  for (char *p = spec; *p && n < 6; p++)
    if (*p == ':') {
      *p = 0;
      f[n++] = p + 1;
    }
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

int main(void) {
  static char cmdline[MAX_LINE];
  mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
  mount("proc", "/proc", "proc", 0, 0);
  mount("sysfs", "/sys", "sysfs", 0, 0);
  mount("debugfs", "/sys/kernel/debug", "debugfs", 0, 0);
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
  for (char *tok = cmdline; tok && *tok;) {
    char *sp = strchr(tok, ' ');
    if (sp) *sp = 0;
    if (starts(tok, "cxlemu.memdevs=")) {
      int want = parse_num(tok + 15);
      wait_memdevs(want);
      check_num("memdev count", count_memdevs(), want);
    } else if (starts(tok, "cxlemu.harts=")) {
      check_num("harts online", count_harts(), parse_num(tok + 13));
    } else if (starts(tok, "cxlemu.mem=")) {
      check_memdev(tok + 11);
    }
    tok = sp ? sp + 1 : 0;
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
