(module
  (type (;0;) (func (param i64) (result i64)))
  (import "env" "mem" (memory (;0;) 1 1 shared))
  (import "env" "loadSlow" (func (;0;) $env.loadSlow (type 0)))
  (func (;1;) $load64 (type 0) (param i64) (result i64)
    (local i32)
    local.get 0
    i64.const 12
    i64.shr_u
    i32.wrap_i64
    i32.const 255
    i32.and
    i32.const 4
    i32.shl
    local.set 1
    local.get 1
    i64.load offset=4096
    local.get 0
    i64.const -4096
    i64.and
    i64.eq
    if (result i64)
      local.get 0
      local.get 1
      i64.load offset=4104
      i64.add
      i32.wrap_i64
      i64.load
    else
      local.get 0
      call $env.loadSlow
    end
  )
  (export "load64" (func 1))
)
