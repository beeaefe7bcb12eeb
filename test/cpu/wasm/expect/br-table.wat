(module
  (type (;0;) (func (param i64) (result i32)))
  (func (;0;) $collatz (type 0) (param i64) (result i32)
    (local i32)
    block
      loop
        local.get 0
        i64.const 1
        i64.le_u
        br_if 1
        block
          block
            local.get 0
            i32.wrap_i64
            i32.const 1
            i32.and
            br_table 0 1 3
          end
          local.get 0
          i64.const 1
          i64.shr_u
          local.set 0
          local.get 1
          i32.const 1
          i32.add
          local.set 1
          br 1
        end
        local.get 0
        i64.const 3
        i64.mul
        i64.const 1
        i64.add
        local.set 0
        local.get 1
        i32.const 1
        i32.add
        local.set 1
        br 0
      end
    end
    local.get 1
  )
  (export "collatz" (func 0))
)
