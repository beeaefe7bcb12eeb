(module
  (type (;0;) (func (param i32 i64) (result i64)))
  (import "env" "chain" (table (;0;) 4 funcref))
  (func (;0;) $block1 (type 0) (param i32 i64) (result i64)
    local.get 1
    i64.const 31
    i64.mul
    i64.const 1
    i64.add
    local.set 1
    local.get 0
    i32.eqz
    if
      local.get 1
      return
    end
    local.get 0
    i32.const 1
    i32.sub
    local.get 1
    i32.const 2
    return_call_indirect 0 (type 0)
  )
  (func (;1;) $block3 (type 0) (param i32 i64) (result i64)
    local.get 1
    i64.const 31
    i64.mul
    i64.const 3
    i64.add
    local.set 1
    local.get 0
    i32.eqz
    if
      local.get 1
      return
    end
    local.get 0
    i32.const 1
    i32.sub
    local.get 1
    i32.const 0
    return_call_indirect 0 (type 0)
  )
  (elem (;0;) (table 0) (i32.const 1) func 0)
  (elem (;1;) (table 0) (i32.const 3) func 1)
)
