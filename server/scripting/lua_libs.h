// The Lua libraries Redis 7.0 embeds in every script that Debian does not package for Lua 5.1
// (struct, cmsgpack), and Redis's deterministic math.random. cjson and bit come from Debian
// (luaopen_cjson, luaopen_bit). Each Open* function leaves the Lua stack as it found it.
#pragma once

#include <cstdint>
#include <lua.hpp>

namespace baozi::lua {

// Sets the global table `struct` {pack, unpack, size} (Roberto Ierusalimschy's struct library
// as Redis ships it, with Redis's bounds fixes).
void OpenStruct(lua_State* L);

// Sets the global table `cmsgpack` {pack, unpack, unpack_one, unpack_limit, _NAME, _VERSION,
// _COPYRIGHT, _DESCRIPTION} (lua-cmsgpack 0.4.0 as Redis ships it).
void OpenCmsgpack(lua_State* L);

// Replaces math.random and math.randomseed with Redis's versions, which draw from the rand48
// generator below instead of libc's rand(). Needs the math library already open.
void OpenRedisMath(lua_State* L);

// Redis's rand48 generator (rand.c). Its state is process-wide, as in Redis: it is not reset
// per script, so a fresh server gives the same sequence as a fresh Redis, and every script
// continues where the previous one stopped. math.randomseed(n) is RedisSrand48(n).
int32_t RedisLrand48();
void RedisSrand48(int32_t seed);
// The state a fresh Redis process starts in (RedisSrand48(0x1234ABCD) reaches the same state).
void RedisRand48Reset();

}  // namespace baozi::lua
