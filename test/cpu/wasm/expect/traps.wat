(module
  (type (;0;) (func))
  (type (;1;) (func (param i64 i64) (result i64)))
  (type (;2;) (func (param i32) (result i64)))
  (type (;3;) (func (param i32) (result i32)))
  (type (;4;) (func (result i64)))
  (table (;0;) 2 2 funcref)
  (memory (;0;) 1 1)
  (func (;0;) $unreach (type 0)
    unreachable
  )
  (func (;1;) $divS (type 1) (param i64 i64) (result i64)
    local.get 0
    local.get 1
    i64.div_s
  )
  (func (;2;) $load (type 2) (param i32) (result i64)
    local.get 0
    i64.load
  )
  (func (;3;) $other (type 3) (param i32) (result i32)
    local.get 0
  )
  (func (;4;) $indirect (type 2) (param i32) (result i64)
    local.get 0
    call_indirect 0 (type 4)
  )
  (func (;5;) $atomicLoad (type 3) (param i32) (result i32)
    local.get 0
    i32.atomic.load
  )
  (export "unreach" (func 0))
  (export "divS" (func 1))
  (export "load" (func 2))
  (export "indirect" (func 4))
  (export "atomicLoad" (func 5))
  (elem (;0;) (table 0) (i32.const 0) func 3)
)
