// src/debug: the GDB remote stub (protocol codec, session, TCP server) over the DebugTarget
// interface that src/machine implements.
export * from './rsp.js';
export * from './target.js';
export * from './gdb-server.js';
