# Relocation types that compilers rarely emit, for tests/relocations.rs: a tag (TAG_INDEX_LEB),
# a pointer-relative word (MEMORY_ADDR_LOCREL_I32), a function index in a custom section
# (FUNCTION_INDEX_I32) and an imported global (GLOBAL_INDEX_LEB).
  .globaltype __stack_pointer, i32
  .tagtype my_tag i32
  .globl my_tag
my_tag:

  .globl _start
_start:
  .functype _start () -> ()
  i32.const 0
  i32.load rel_ptr
  drop
  global.get __stack_pointer
  drop
  end_function

  .globl thrower
thrower:
  .functype thrower (i32) -> ()
  local.get 0
  throw my_tag
  end_function

  .section .data.rel_ptr,"",@
  .globl rel_ptr
  .p2align 2
rel_ptr:
  .int32 target_data-rel_ptr
  .size rel_ptr, 4

  .section .data.target_data,"",@
  .p2align 2
target_data:
  .int32 42
  .size target_data, 4

  .section .custom_section.fnidx,"",@
  .int32 thrower@FUNCINDEX
