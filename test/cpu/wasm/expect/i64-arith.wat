(module
  (type (;0;) (func (param i64 i64) (result i64)))
  (func (;0;) $mix (type 0) (param i64 i64) (result i64)
    (local i64)
    local.get 0
    local.get 1
    i64.mul
    local.get 0
    i64.const 3
    i64.shr_u
    i64.add
    local.set 2
    local.get 2
    local.get 1
    i64.const 13
    i64.rotl
    i64.xor
    i64.const 0xdeadbeef00000001
    i64.xor
  )
  (func (;1;) $addw (type 0) (param i64 i64) (result i64)
    local.get 0
    local.get 1
    i64.add
    i32.wrap_i64
    i64.extend_i32_s
  )
  (func (;2;) $sltu (type 0) (param i64 i64) (result i64)
    local.get 0
    local.get 1
    i64.lt_u
    i64.extend_i32_u
  )
  (func (;3;) $sra (type 0) (param i64 i64) (result i64)
    local.get 0
    local.get 1
    i64.const 63
    i64.and
    i64.shr_s
  )
  (func (;4;) $divu (type 0) (param i64 i64) (result i64)
    local.get 1
    i64.eqz
    if (result i64)
      i64.const -1
    else
      local.get 0
      local.get 1
      i64.div_u
    end
  )
  (export "mix" (func 0))
  (export "addw" (func 1))
  (export "sltu" (func 2))
  (export "sra" (func 3))
  (export "divu" (func 4))
)
