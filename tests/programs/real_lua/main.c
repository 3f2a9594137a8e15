/* Lua 5.4 (the sources bundled by the lua-src crate) embedded in C: runs
 * scripts/main.lua (a preopened directory) with all standard libraries, then
 * calls between C and Lua. Errors cannot be caught in this build (see
 * shim/setjmp.h): the script is written never to raise one. */
#include <stdio.h>
#include <string.h>
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

/* A C function for Lua: returns the sum and the product of its arguments. */
static int c_sumprod(lua_State *L) {
    int n = lua_gettop(L);
    lua_Number s = 0, p = 1;
    for (int i = 1; i <= n; i++) {
        lua_Number v = luaL_checknumber(L, i);
        s += v; p *= v;
    }
    lua_pushnumber(L, s);
    lua_pushnumber(L, p);
    return 2;
}

/* Upvalue-carrying C closure: a counter. */
static int c_counter(lua_State *L) {
    lua_Integer n = lua_tointeger(L, lua_upvalueindex(1)) + 1;
    lua_pushinteger(L, n);
    lua_copy(L, -1, lua_upvalueindex(1));
    return 1;
}

static void run(lua_State *L, const char *chunk, const char *name) {
    if (luaL_loadbufferx(L, chunk, strlen(chunk), name, "t") != LUA_OK ||
        lua_pcall(L, 0, LUA_MULTRET, 0) != LUA_OK) {
        printf("error: %s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
}

int main(void) {
    lua_State *L = luaL_newstate();
    if (!L) return 1;
    luaL_openlibs(L);
    printf("%s\n", LUA_RELEASE);

    if (luaL_loadfilex(L, "scripts/main.lua", "t") != LUA_OK) {
        printf("load failed: %s\n", lua_tostring(L, -1));
        return 1;
    }
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        printf("run failed: %s\n", lua_tostring(L, -1));
        return 1;
    }

    printf("== C API\n");
    lua_register(L, "sumprod", c_sumprod);
    lua_pushinteger(L, 40);
    lua_pushcclosure(L, c_counter, 1);
    lua_setglobal(L, "tick");
    run(L, "local s, p = sumprod(1, 2, 3, 4.5)\n"
           "print('sumprod', s, p)\n"
           "tick(); tick()\n"
           "print('tick', tick())\n"
           "function scale(t, k) local r = {} for i, v in ipairs(t) do r[i] = v * k end return r end\n"
           "config = {name = 'weld', level = 3, ratio = 0.75, tags = {'a', 'b', 'c'}}\n",
        "=api");

    /* Call a Lua function from C and walk the returned table. */
    lua_getglobal(L, "scale");
    lua_createtable(L, 5, 0);
    for (int i = 1; i <= 5; i++) {
        lua_pushinteger(L, i * i);
        lua_rawseti(L, -2, i);
    }
    lua_pushnumber(L, 1.5);
    lua_call(L, 2, 1);
    lua_Integer len = luaL_len(L, -1);
    printf("scale ->");
    for (lua_Integer i = 1; i <= len; i++) {
        lua_geti(L, -1, i);
        printf(" %s:%g", lua_isinteger(L, -1) ? "int" : "float", (double)lua_tonumber(L, -1));
        lua_pop(L, 1);
    }
    printf("\n");
    lua_pop(L, 1);

    lua_getglobal(L, "config");
    lua_getfield(L, -1, "name");
    lua_getfield(L, -2, "level");
    lua_getfield(L, -3, "ratio");
    lua_getfield(L, -4, "tags");
    printf("config name=%s level=%lld ratio=%.2f tags=%lld\n", lua_tostring(L, -4),
           (long long)lua_tointeger(L, -3), (double)lua_tonumber(L, -2), (long long)luaL_len(L, -1));
    lua_pop(L, 5);

    /* Strings built on the C side with luaL_Buffer and lua_pushfstring. */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0; i < 1000; i++) luaL_addstring(&b, i % 2 ? "ab" : "c");
    luaL_pushresult(&b);
    lua_pushfstring(L, "%s|%d|%f|%c|%%", "fmt", 42, 0.5, 'Z');
    printf("buffer len %lld, fstring %s\n", (long long)luaL_len(L, -2), lua_tostring(L, -1));
    lua_pop(L, 2);
    printf("stack top %d\n", lua_gettop(L));
    lua_close(L);
    printf("closed\n");
    return 0;
}
