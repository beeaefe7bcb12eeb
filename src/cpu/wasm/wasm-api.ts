// The slice of the WebAssembly JS API that the JIT and its tests use. tsconfig's lib (ES2022, no
// DOM) declares no WebAssembly types, so this file states the shape we rely on and hands out the
// real global. Owns no state.

export interface WasmMemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}

export interface WasmTable {
  readonly length: number;
  get(index: number): ((...args: unknown[]) => unknown) | null;
  set(index: number, value: ((...args: unknown[]) => unknown) | null): void;
  grow(delta: number): number;
}

export interface WasmGlobal {
  value: number | bigint;
}

export type WasmModule = object;
export type WasmExports = Record<string, unknown>;
export interface WasmInstance {
  readonly exports: WasmExports;
}
export type WasmImports = Record<string, Record<string, unknown>>;

export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemoryLike;
  Table: new (descriptor: { element: 'anyfunc' | 'externref'; initial: number; maximum?: number }) => WasmTable;
  Global: new (
    descriptor: { value: 'i32' | 'i64' | 'f32' | 'f64'; mutable?: boolean },
    value?: number | bigint,
  ) => WasmGlobal;
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports?: WasmImports): Promise<WasmInstance>;
  CompileError: new (message?: string) => Error;
  LinkError: new (message?: string) => Error;
  RuntimeError: new (message?: string) => Error;
}

/** The host's WebAssembly object (Node 20). */
export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Compile and instantiate synchronously (small modules; the JIT's batches go through compile()). */
export function instantiateSync(bytes: Uint8Array, imports: WasmImports = {}): WasmExports {
  return new Wasm.Instance(new Wasm.Module(bytes), imports).exports;
}
