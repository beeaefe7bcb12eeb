(module
  (type (;0;) (func (param i32) (result i64)))
  (type (;1;) (func (param i32 i64)))
  (type (;2;) (func (param i32 i32 i32)))
  (type (;3;) (func (param i32 i64 i64) (result i64)))
  (type (;4;) (func (param i32 i64) (result i64)))
  (type (;5;) (func (param i32 i32) (result i32)))
  (import "env" "mem" (memory (;0;) 1 1 shared))
  (func (;0;) $load64 (type 0) (param i32) (result i64)
    local.get 0
    i64.load offset=8
  )
  (func (;1;) $loadS8 (type 0) (param i32) (result i64)
    local.get 0
    i64.load8_s
  )
  (func (;2;) $loadU16 (type 0) (param i32) (result i64)
    local.get 0
    i64.load16_u align=1
  )
  (func (;3;) $store32 (type 1) (param i32 i64)
    local.get 0
    local.get 1
    i64.store32
  )
  (func (;4;) $copy (type 2) (param i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    memory.copy
  )
  (func (;5;) $fill (type 2) (param i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    memory.fill
  )
  (func (;6;) $cas64 (type 3) (param i32 i64 i64) (result i64)
    local.get 0
    local.get 1
    local.get 2
    i64.atomic.rmw.cmpxchg
  )
  (func (;7;) $setBits (type 4) (param i32 i64) (result i64)
    local.get 0
    local.get 1
    i64.atomic.rmw.or
  )
  (func (;8;) $atomicAdd32 (type 5) (param i32 i32) (result i32)
    local.get 0
    local.get 1
    atomic.fence
    i32.atomic.rmw.add
  )
  (export "load64" (func 0))
  (export "loadS8" (func 1))
  (export "loadU16" (func 2))
  (export "store32" (func 3))
  (export "copy" (func 4))
  (export "fill" (func 5))
  (export "cas64" (func 6))
  (export "setBits" (func 7))
  (export "atomicAdd32" (func 8))
)
