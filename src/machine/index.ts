// Public API of src/machine: descriptions (schema, QEMU front end, default machine), building a
// Machine, its operations, loading/saving, the run entry point and report renderings. The CLI
// uses only these names, so everything it does a program can do too.

export { ConfigError, MachineBugError, formatIssue, type ConfigIssue } from './errors.js';
export { parseSize, parseInteger, formatSize, hex, humanSize } from './sizes.js';
export {
  validateDescription,
  parseDescriptionText,
  descriptionToDocument,
  descriptionToJson,
  descriptionToYaml,
  descriptionSchema,
  memdevsOf,
  findMemdev,
  placeWindows,
  DEFAULT_DEVICE_PERF,
  DEFAULT_SWITCH_PERF,
  DEFAULT_DECODERS,
  type MachineDescription,
  type DescriptionInput,
  type HostBridgeDesc,
  type PortDesc,
  type Type3Desc,
  type SwitchDesc,
  type WindowDesc,
  type RegionDesc,
  type PerfDesc,
  type NumaDesc,
} from './description.js';
export { parseQemuCommandLine, tokenizeQemu, type QemuParseResult, type QemuBoot } from './qemu-parser.js';
export { defaultDescription, defaultDescriptionInput } from './default-machine.js';
export {
  Machine,
  toTopologySpec,
  regionDescOf,
  type BuildOptions,
  type RegionRequest,
  type DpaReport,
} from './build.js';
export {
  loadDescription,
  saveDescription,
  descriptionText,
  type MachineSource,
  type LoadedDescription,
} from './load.js';
export {
  runMachine,
  NotYetError,
  demoKernelPath,
  planObservation,
  observationText,
  type RunMachineOptions,
  type RunOutcome,
  type ObservationReport,
} from './run.js';
export type { RunResult } from './board.js';
export * from './report.js';
// What the CLI reaches below src/machine, re-exported so src/cli imports this module only.
export { buildFirmwareTables, type FirmwareTables } from './firmware-tables.js';
export { firmwareTableFiles, type FirmwareTableFile, writeFirmwareTableFiles } from './table-files.js';
export { firmwareTableTrees, type FirmwareTableTrees, type TableTree, treeErrors } from './table-trees.js';
export {
  commandName,
  decodeMailboxOutput,
  parseOpcode,
  sendMailboxCommand,
  type AuditOptions,
  type AuditReport,
} from '../cxl/index.js';
// The board's address map (DESIGN.md "Board").
export {
  RAM_BASE,
  windowFloor,
  windowAlignment,
  defaultChbsBase,
  defaultAcpiBase,
  FINISHER_BASE,
  CLINT_BASE,
  PLIC_BASE,
  UART0_BASE,
  DMA_BASE,
  ECAM_BASE,
  ECAM_SIZE,
  PCIE_MMIO_BASE,
  PCIE_MMIO_SIZE,
  DEFAULT_RAM_SIZE,
  MAX_HARTS,
} from './board-map.js';
export { type BootRequest, type PreparedBoot, prepareBoot, writeBoot } from './linux-boot.js';
// Linux's memory tiers on the described machine (`cxlemu tiers`).
export {
  type GuestDemotion,
  type GuestTier,
  type GuestTierNode,
  type GuestTiers,
  guestMemoryTiers,
  guestTiersText,
} from './memory-tiers.js';
// The host's CXL memory (`cxlemu host`, host-mem-type=cxlram; docs/host-cxl.md).
export {
  bindableCxlNodes,
  discoverHostMemory,
  hostDescription,
  hostReportJson,
  hostReportText,
  type HostMemory,
  MBIND_ADDON_ENV,
  noCxlReason,
  SYSFS_ROOT_ENV,
  sysfsRootFromEnv,
} from './host.js';
