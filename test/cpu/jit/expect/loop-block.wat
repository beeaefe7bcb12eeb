(module
  (type (;0;) (func (param i32 i32) (result i32)))
  (type (;1;) (func (param i32 i32 i32) (result i32)))
  (import "env" "mem" (memory (;0;) 1 1 shared))
  (import "env" "base" (global (;0;) i32))
  (func (;0;) $r_80002000 (type 0) (param i32 i32) (result i32)
    (local i64 i64 i64 i64 i64 i32 i32 i32 i32 i64 i64 i64 i32 i32 i32)
    global.get 0
    local.set 16
    local.get 16
    i64.load offset=4136
    local.set 2
    local.get 16
    i64.load offset=4176
    local.set 3
    local.get 16
    i64.load offset=4184
    local.set 4
    local.get 16
    i64.load offset=4200
    local.set 5
    block
      block
        block
          block
            loop
              block
                block
                  local.get 1
                  br_table 0 1 0
                end
              end
              local.get 0
              i32.const 4
              i32.lt_s
              (@metadata.code.branch_hint "\00")
              if
                local.get 16
                i64.const 0x80002000
                i64.store offset=4608
                local.get 16
                i32.const 1
                i32.store offset=4616
                br 2
              end
              loop
                local.get 4
                i64.const 8
                i64.add
                local.set 4
                local.get 4
                i64.const -8
                i64.add
                local.set 6
                local.get 6
                i32.wrap_i64
                local.set 7
                local.get 7
                i32.const 8
                i32.shr_u
                i32.const 16368
                i32.and
                local.get 16
                i32.add
                local.set 9
                local.get 9
                i64.load offset=131072
                local.get 6
                i64.const -4089
                i64.and
                i64.ne
                i32.eqz
                (@metadata.code.branch_hint "\01")
                if (result i32)
                  local.get 9
                  i32.load offset=131080
                  local.get 7
                  i32.add
                else
                  local.get 7
                  local.get 6
                  i64.const 32
                  i64.shr_u
                  i32.wrap_i64
                  local.get 16
                  call $probe64
                  local.tee 9
                  i32.eqz
                  (@metadata.code.branch_hint "\00")
                  if
                    i64.const 0x80002004
                    local.set 13
                    i32.const 1
                    local.set 14
                    br 7
                  end
                  local.get 9
                end
                local.set 10
                local.get 10
                i64.load
                local.set 2
                local.get 3
                local.get 2
                i64.add
                local.set 3
                local.get 0
                i32.const 4
                i32.sub
                local.set 0
                local.get 4
                local.get 5
                i64.ne
                if
                  local.get 0
                  i32.const 4
                  i32.ge_s
                  br_if 1
                  local.get 16
                  i64.const 0x80002000
                  i64.store offset=4608
                  local.get 16
                  i32.const 1
                  i32.store offset=4616
                  br 3
                end
                local.get 16
                i64.const 0x80002010
                i64.store offset=4608
                i32.const 7
                local.set 15
                br 3
              end
            end
          end
          local.get 16
          local.get 4
          i64.store offset=4184
          local.get 16
          local.get 2
          i64.store offset=4136
          local.get 16
          local.get 3
          i64.store offset=4176
          local.get 0
          return
        end
        local.get 16
        local.get 4
        i64.store offset=4184
        local.get 16
        local.get 2
        i64.store offset=4136
        local.get 16
        local.get 3
        i64.store offset=4176
        local.get 16
        local.get 15
        i32.store offset=4620
        local.get 0
        return
      end
      local.get 16
      local.get 4
      i64.store offset=4184
      local.get 16
      local.get 2
      i64.store offset=4136
      local.get 16
      local.get 3
      i64.store offset=4176
      local.get 16
      local.get 6
      i64.store offset=4608
      local.get 16
      i32.const 3
      i32.store offset=4616
      local.get 0
      return
    end
    local.get 16
    local.get 4
    i64.store offset=4184
    local.get 16
    local.get 2
    i64.store offset=4136
    local.get 16
    local.get 3
    i64.store offset=4176
    local.get 16
    local.get 13
    i64.store offset=4608
    local.get 16
    i32.const 2
    i32.store offset=4616
    local.get 0
    local.get 14
    i32.sub
  )
  (func (;1;) $probe64 (type 1) (param i32 i32 i32) (result i32)
    (local i32)
    local.get 0
    i32.const 4
    i32.shr_u
    i32.const 16368
    i32.and
    local.get 2
    i32.add
    local.set 3
    local.get 3
    i64.load offset=196608
    local.get 0
    i32.const -249
    i32.and
    i64.extend_i32_u
    local.get 1
    i64.extend_i32_u
    i64.const 32
    i64.shl
    i64.or
    i64.ne
    i32.eqz
    if (result i32)
      local.get 3
      i32.load offset=196616
      local.get 0
      i32.add
    else
      local.get 0
      i32.const 8
      i32.shr_u
      i32.const 16368
      i32.and
      local.get 2
      i32.add
      local.set 3
      local.get 3
      i64.load offset=131072
      local.get 0
      i32.const -4096
      i32.and
      i64.extend_i32_u
      local.get 1
      i64.extend_i32_u
      i64.const 32
      i64.shl
      i64.or
      i64.ne
      local.get 0
      i32.const 4095
      i32.and
      i32.const 7
      i32.add
      i32.const 12
      i32.shr_u
      i32.or
      i32.eqz
      if (result i32)
        local.get 3
        i32.load offset=131080
        local.get 0
        i32.add
      else
        i32.const 0
      end
    end
  )
  (export "r0" (func 0))
)
