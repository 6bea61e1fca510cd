// Redis's replacement for Lua's math.random / math.randomseed.
//
// Lua 5.1's math.random calls libc's rand(), whose sequence differs between C libraries, so
// Redis swaps in a generator with a fixed definition: the rand48 family (POSIX drand48). It is
// a 48-bit linear congruential generator,
//
//     x' = (a * x + c) mod 2^48,   a = 0x5DEECE66D, c = 0xB,
//
// and each draw returns the top 31 bits of the new state (x' >> 17), a number in [0, 2^31-1].
// Redis writes it with three 16-bit limbs; a 64-bit integer holding the 48-bit state computes
// exactly the same numbers. Seeding with a 32-bit s sets x = (s << 16) | 0x330E (the low limb
// is the constant 0x330E, the high 32 bits are s). A fresh Redis starts from
// x = 0x1234ABCD330E, which is the state seed 0x1234ABCD gives.
//
// math.random() turns a draw r into (r % (2^31-1)) / (2^31-1), a double in [0, 1) (the modulo
// folds the one draw that would give exactly 1 onto 0). With arguments it scales that double
// as Lua's own math.random does: random(u) = floor(d*u)+1, random(l, u) = floor(d*(u-l+1))+l,
// with l and u truncated to C ints and u-l+1 computed in (wrapping) 32-bit arithmetic.
//
// The state is one per process, not per script: Redis 7 does not reseed before each EVAL, so
// consecutive scripts continue the same sequence and math.randomseed in one script affects the
// next. Scripts only run on the main thread, so no locking is needed.
#include <cmath>
#include <cstdint>

#include "server/scripting/lua_libs.h"

namespace baozi::lua {
namespace {

constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
constexpr uint64_t kIncrement = 0xB;
constexpr uint64_t kStateMask = (uint64_t{1} << 48) - 1;
constexpr uint64_t kFreshState = 0x1234ABCD330EULL;
constexpr int32_t kLrand48Max = INT32_MAX;

uint64_t state = kFreshState;

int MathRandom(lua_State* L) {
  lua_Number r =
      static_cast<lua_Number>(RedisLrand48() % kLrand48Max) / static_cast<lua_Number>(kLrand48Max);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      // Redis computes u-l+1 in int; for the widest ranges it wraps, and so must we.
      auto span = static_cast<int32_t>(static_cast<uint32_t>(u) - static_cast<uint32_t>(l) + 1u);
      lua_pushnumber(L, std::floor(r * span) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomSeed(lua_State* L) {
  RedisSrand48(luaL_checkint(L, 1));
  return 0;
}

}  // namespace

int32_t RedisLrand48() {
  state = (kMultiplier * state + kIncrement) & kStateMask;
  return static_cast<int32_t>(state >> 17);
}

void RedisSrand48(int32_t seed) { state = (uint64_t{static_cast<uint32_t>(seed)} << 16) | 0x330E; }

void RedisRand48Reset() { state = kFreshState; }

void OpenRedisMath(lua_State* L) {
  lua_getglobal(L, "math");
  lua_pushstring(L, "random");
  lua_pushcfunction(L, MathRandom);
  lua_settable(L, -3);
  lua_pushstring(L, "randomseed");
  lua_pushcfunction(L, MathRandomSeed);
  lua_settable(L, -3);
  lua_setglobal(L, "math");
}

}  // namespace baozi::lua
