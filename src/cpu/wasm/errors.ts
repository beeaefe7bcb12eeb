// The one error of src/cpu/wasm: misuse of the module writer. Owns nothing else.

/** A broken builder invariant: the emitting code (ours) is wrong, not the guest. */
export class WasmBuilderBug extends Error {
  override readonly name = 'WasmBuilderBug';
}
