(module
  (type (;0;) (func (param i32) (result i32)))
  (import "env" "mem" (memory (;0;) 1 1 shared))
  (import "env" "tbl" (table (;0;) 1 funcref))
  (func (;0;) $b0_80002000 (type 0) (param i32) (result i32)
    (local i64 i64 i64 i64 i64 i32 i32 i32 i32 i64 i64 i64 i32)
    local.get 0
    i32.const 4
    i32.lt_s
    if
      i32.const 0
      i64.const 0x80002000
      i64.store offset=4608
      i32.const 0
      i32.const 1
      i32.store offset=4616
      local.get 0
      return
    end
    i32.const 0
    i64.load32_u offset=4116
    i32.const 0
    i64.load32_s offset=4372
    i64.const 32
    i64.shl
    i64.or
    local.set 1
    i32.const 0
    i64.load32_u offset=4136
    i32.const 0
    i64.load32_s offset=4392
    i64.const 32
    i64.shl
    i64.or
    local.set 2
    i32.const 0
    i64.load32_u offset=4140
    i32.const 0
    i64.load32_s offset=4396
    i64.const 32
    i64.shl
    i64.or
    local.set 3
    i32.const 0
    i64.load32_u offset=4148
    i32.const 0
    i64.load32_s offset=4404
    i64.const 32
    i64.shl
    i64.or
    local.set 4
    block
      loop
        local.get 3
        i64.const 8
        i64.add
        local.set 3
        local.get 3
        i64.const -8
        i64.add
        local.set 5
        local.get 5
        i32.wrap_i64
        local.set 6
        local.get 5
        i64.const 32
        i64.shr_u
        i32.wrap_i64
        local.set 7
        local.get 6
        i32.const 12
        i32.shr_u
        i32.const 255
        i32.and
        i32.const 2
        i32.shl
        local.set 8
        local.get 8
        i32.load offset=8192
        local.get 6
        i32.const -4096
        i32.and
        i32.eq
        local.get 8
        i32.load offset=9216
        local.get 7
        i32.eq
        i32.and
        local.get 6
        i32.const 4095
        i32.and
        i32.const 4088
        i32.le_u
        i32.and
        if (result i32)
          local.get 8
          i32.load offset=10240
          local.get 6
          i32.const 4095
          i32.and
          i32.add
        else
          local.get 6
          i32.const 8
          i32.shr_u
          i32.const 1023
          i32.and
          i32.const 2
          i32.shl
          local.set 8
          local.get 8
          i32.load offset=16384
          local.get 6
          i32.const -249
          i32.and
          i32.eq
          local.get 8
          i32.load offset=20480
          local.get 7
          i32.eq
          i32.and
          if (result i32)
            local.get 8
            i32.load offset=24576
            local.get 6
            i32.const 255
            i32.and
            i32.add
          else
            i64.const 0x80002004
            local.set 12
            i32.const 1
            local.set 13
            br 3
          end
        end
        local.set 9
        local.get 9
        i64.load
        local.set 1
        local.get 2
        local.get 1
        i64.add
        local.set 2
        local.get 0
        i32.const 4
        i32.sub
        local.set 0
        local.get 3
        local.get 4
        i64.ne
        if
          local.get 0
          i32.const 4
          i32.ge_s
          br_if 1
          i32.const 0
          local.get 3
          i64.store32 offset=4140
          i32.const 0
          local.get 3
          i64.const 32
          i64.shr_u
          i64.store32 offset=4396
          i32.const 0
          local.get 1
          i64.store32 offset=4116
          i32.const 0
          local.get 1
          i64.const 32
          i64.shr_u
          i64.store32 offset=4372
          i32.const 0
          local.get 2
          i64.store32 offset=4136
          i32.const 0
          local.get 2
          i64.const 32
          i64.shr_u
          i64.store32 offset=4392
          i32.const 0
          i64.const 0x80002000
          i64.store offset=4608
          i32.const 0
          i32.const 1
          i32.store offset=4616
          local.get 0
          return
        end
        i32.const 0
        local.get 3
        i64.store32 offset=4140
        i32.const 0
        local.get 3
        i64.const 32
        i64.shr_u
        i64.store32 offset=4396
        i32.const 0
        local.get 1
        i64.store32 offset=4116
        i32.const 0
        local.get 1
        i64.const 32
        i64.shr_u
        i64.store32 offset=4372
        i32.const 0
        local.get 2
        i64.store32 offset=4136
        i32.const 0
        local.get 2
        i64.const 32
        i64.shr_u
        i64.store32 offset=4392
        i32.const 0
        i64.const 0x80002010
        i64.store offset=4608
        local.get 0
        i32.const 7
        return_call_indirect 0 (type 0)
      end
    end
    i32.const 0
    local.get 3
    i64.store32 offset=4140
    i32.const 0
    local.get 3
    i64.const 32
    i64.shr_u
    i64.store32 offset=4396
    i32.const 0
    local.get 1
    i64.store32 offset=4116
    i32.const 0
    local.get 1
    i64.const 32
    i64.shr_u
    i64.store32 offset=4372
    i32.const 0
    local.get 2
    i64.store32 offset=4136
    i32.const 0
    local.get 2
    i64.const 32
    i64.shr_u
    i64.store32 offset=4392
    i32.const 0
    local.get 12
    i64.store offset=4608
    i32.const 0
    i32.const 2
    i32.store offset=4616
    local.get 0
    local.get 13
    i32.sub
  )
  (export "b0" (func 0))
)
