/* A stand-in <setjmp.h>: this wasi-libc has none, and real setjmp/longjmp on
 * wasm needs the exception-handling proposal (clang -mllvm -wasm-enable-sjlj),
 * which clang-19 cannot emit in its final form and the harness's wasmtime
 * does not enable. Only Lua's ldo.c includes it, for LUAI_TRY/LUAI_THROW:
 * here "try" is a plain call and "throw" aborts. So a Lua error aborts the
 * program -- and so does a coroutine.yield, which Lua 5.4 implements as a
 * throw to lua_resume. The driver's script never errors and never yields. */
#ifndef REAL_LUA_SETJMP_SHIM_H
#define REAL_LUA_SETJMP_SHIM_H
#include <stdlib.h>
typedef int jmp_buf[1];
#define setjmp(env) ((void)(env), 0)
#define _setjmp(env) ((void)(env), 0)
#define longjmp(env, val) ((void)(env), (void)(val), abort())
#define _longjmp(env, val) ((void)(env), (void)(val), abort())
#endif
