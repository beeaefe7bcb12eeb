// cxlemu's Linux init (PID 1 in the initramfs): mounts proc, sys and debugfs, prints what it
// finds, and powers off. Built without a libc against the kernel's tools/include/nolibc.
// (Extended by the boot tests: checks, then power-off on success or reboot on a mismatch.)

static void say(const char *s) { write(1, s, strlen(s)); }

int main(void) {
  mount("proc", "/proc", "proc", 0, 0);
  mount("sysfs", "/sys", "sysfs", 0, 0);
  say("cxlemu-init: started\n");
  reboot(LINUX_REBOOT_CMD_POWER_OFF);
  return 0;
}
