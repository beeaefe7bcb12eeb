// cxlemu's optional native addon: binds a range of a typed array's memory (the guest arena) to host
// NUMA nodes with mbind(2), and reads a page's policy back with get_mempolicy(2). Owns these two
// system calls only; called when a host-backed store takes a run of arena pages, never per access.
// Linux only; no libnuma: the calls go through syscall(2) with the constants of <linux/mempolicy.h>.

#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_BIND 2
#define MPOL_MF_STRICT (1 << 0)
#define MPOL_MF_MOVE (1 << 1)
#define MPOL_F_NODE (1 << 0)
#define MPOL_F_ADDR (1 << 1)
#define MAX_NODES 1024
#define MASK_WORDS (MAX_NODES / (8 * sizeof(unsigned long)))

static napi_value throw_msg(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

/** The address of byte `offset` of a typed array (over an ArrayBuffer or a SharedArrayBuffer). */
static int typed_address(napi_env env, napi_value arr, double offset, size_t need, uintptr_t *out) {
  napi_typedarray_type type;
  size_t length;
  void *data = NULL;
  napi_value buffer;
  size_t byte_offset;
  if (napi_get_typedarray_info(env, arr, &type, &length, &data, &buffer, &byte_offset) != napi_ok) return 0;
  if (type != napi_uint8_array || offset < 0 || offset + (double)need > (double)length) return 0;
  *out = (uintptr_t)data + (uintptr_t)offset;
  return 1;
}

static napi_value errno_result(napi_env env, int err) {
  napi_value r;
  napi_create_int32(env, err, &r);
  return r;
}

// bind(u8: Uint8Array, offset: number, length: number, nodes: number[]) -> 0 or an errno value.
static napi_value bind_range(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return throw_msg(env, "bind(u8, offset, length, nodes)");
  double offset, length;
  if (napi_get_value_double(env, argv[1], &offset) != napi_ok || napi_get_value_double(env, argv[2], &length) != napi_ok)
    return throw_msg(env, "offset and length must be numbers");
  uintptr_t addr;
  if (!typed_address(env, argv[0], offset, (size_t)length, &addr)) return throw_msg(env, "a Uint8Array and a range inside it");
  long page = sysconf(_SC_PAGESIZE);
  if (addr % (uintptr_t)page != 0 || (uint64_t)length % (uint64_t)page != 0) return errno_result(env, EINVAL);
  unsigned long mask[MASK_WORDS];
  memset(mask, 0, sizeof mask);
  uint32_t n = 0;
  napi_get_array_length(env, argv[3], &n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    int32_t node = -1;
    napi_get_element(env, argv[3], i, &v);
    napi_get_value_int32(env, v, &node);
    if (node < 0 || node >= MAX_NODES) return errno_result(env, EINVAL);
    mask[node / (8 * sizeof(unsigned long))] |= 1UL << (node % (8 * sizeof(unsigned long)));
  }
  // maxnode counts one more than the bits the kernel reads (it decrements it first).
  long rc = syscall(SYS_mbind, (void *)addr, (unsigned long)length, MPOL_BIND, mask, (unsigned long)MAX_NODES + 1,
                    (unsigned)MPOL_MF_MOVE);
  return errno_result(env, rc == 0 ? 0 : errno);
}

// policy(u8: Uint8Array, offset: number) -> { mode, nodes: number[], node } (node: where the page
// is, -1 if that cannot be read) or an errno value.
static napi_value policy_of(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_msg(env, "policy(u8, offset)");
  double offset;
  if (napi_get_value_double(env, argv[1], &offset) != napi_ok) return throw_msg(env, "offset must be a number");
  uintptr_t addr;
  if (!typed_address(env, argv[0], offset, 1, &addr)) return throw_msg(env, "a Uint8Array and an offset inside it");
  unsigned long mask[MASK_WORDS];
  memset(mask, 0, sizeof mask);
  int mode = -1;
  if (syscall(SYS_get_mempolicy, &mode, mask, (unsigned long)MAX_NODES + 1, (void *)addr, (unsigned long)MPOL_F_ADDR) != 0)
    return errno_result(env, errno);
  int where = -1;
  if (syscall(SYS_get_mempolicy, &where, NULL, 0UL, (void *)addr, (unsigned long)(MPOL_F_NODE | MPOL_F_ADDR)) != 0)
    where = -1;
  napi_value out, nodes, v;
  napi_create_object(env, &out);
  napi_create_array(env, &nodes);
  uint32_t k = 0;
  for (int i = 0; i < MAX_NODES; i++)
    if (mask[i / (8 * sizeof(unsigned long))] & (1UL << (i % (8 * sizeof(unsigned long))))) {
      napi_create_int32(env, i, &v);
      napi_set_element(env, nodes, k++, v);
    }
  napi_create_int32(env, mode, &v);
  napi_set_named_property(env, out, "mode", v);
  napi_set_named_property(env, out, "nodes", nodes);
  napi_create_int32(env, where, &v);
  napi_set_named_property(env, out, "node", v);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "bind", NAPI_AUTO_LENGTH, bind_range, NULL, &f);
  napi_set_named_property(env, exports, "bind", f);
  napi_create_function(env, "policy", NAPI_AUTO_LENGTH, policy_of, NULL, &f);
  napi_set_named_property(env, exports, "policy", f);
  napi_value page;
  napi_create_int32(env, (int32_t)sysconf(_SC_PAGESIZE), &page);
  napi_set_named_property(env, exports, "pageSize", page);
  return exports;
}
