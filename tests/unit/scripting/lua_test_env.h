// A bare Lua state holding the libraries Redis 7.0 gives scripts (struct, cmsgpack and Redis's
// math.random from server/scripting, cjson and bit from Debian), used to compare snippets with
// what Redis itself returns for them.
//
// Every expected value in these tests was recorded from Redis 7.0.15 by running
//     SCRIPT FLUSH
//     EVAL "<kPrelude joined into one line> return R(pcall(function() <snippet> end))" 0
// (SCRIPT FLUSH gives each snippet a fresh Lua state, so cjson settings do not leak between
// them; math.random's generator is process-wide in Redis and is not reset by it). R renders the
// pcall results as one string: printable strings quoted, other strings as x<hex>, numbers with
// 17 significant digits, tables with their keys sorted. The chunk is one line named
// "@user_script", as Redis names it, so error positions read "user_script:1:" on both sides.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "server/scripting/lua_libs.h"

extern "C" {
#include <lua-bitop.h>
#include <lua-cjson.h>
}

namespace baozi::lua::testing {

struct LuaCase {
  const char* script;
  const char* expected;
};

inline constexpr std::string_view kPrelude =
    R"~(local function H(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end
local S
S = function(v, d)
  local t = type(v)
  if t == 'string' then
    if string.find(v, '^[%w%p ]*$') then return '"' .. v .. '"' end
    return 'x' .. H(v)
  elseif t == 'number' then
    if v ~= v then return 'nan' end
    if v == math.floor(v) and v > -1e15 and v < 1e15 then return string.format('%d', v) end
    return string.format('%.17g', v)
  elseif t == 'table' then
    if d > 20 then return '{...}' end
    local ks = {}
    for k in pairs(v) do ks[#ks + 1] = k end
    local sk = {}
    for i = 1, #ks do sk[i] = {S(ks[i], d + 1), ks[i]} end
    table.sort(sk, function(a, b) return a[1] < b[1] end)
    local out = {}
    for i = 1, #sk do out[i] = sk[i][1] .. '=' .. S(v[sk[i][2]], d + 1) end
    return '{' .. table.concat(out, ',') .. '}'
  else
    return tostring(v)
  end
end
local function R(...)
  local n = select('#', ...)
  local a = {...}
  local out = {}
  for i = 1, n do out[i] = S(a[i], 0) end
  return table.concat(out, ' ')
end)~";

class LuaEnv {
 public:
  LuaEnv() : L_(luaL_newstate()) {
    luaL_openlibs(L_);
    OpenStruct(L_);
    OpenCmsgpack(L_);
    OpenRedisMath(L_);
    luaopen_cjson(L_);  // Debian's module returns the table without setting the global
    lua_setglobal(L_, "cjson");
    luaopen_bit(L_);  // sets the global itself
    lua_pop(L_, 1);
  }
  ~LuaEnv() { lua_close(L_); }
  LuaEnv(const LuaEnv&) = delete;
  LuaEnv& operator=(const LuaEnv&) = delete;

  lua_State* state() { return L_; }

  // Runs a snippet the way the expected values were recorded; returns R's rendering, or
  // "LOAD/RUN ERROR: ..." when the wrapper itself fails.
  std::string Run(std::string_view snippet) {
    std::string script(kPrelude);
    for (char& c : script) {
      if (c == '\n') c = ' ';
    }
    script += " return R(pcall(function() ";
    script += snippet;
    script += " end))";
    if (luaL_loadbuffer(L_, script.data(), script.size(), "@user_script") != 0) {
      std::string error = std::string("LOAD ERROR: ") + lua_tostring(L_, -1);
      lua_settop(L_, 0);
      return error;
    }
    if (lua_pcall(L_, 0, 1, 0) != 0) {
      std::string error = std::string("RUN ERROR: ") + lua_tostring(L_, -1);
      lua_settop(L_, 0);
      return error;
    }
    size_t len = 0;
    const char* s = lua_tolstring(L_, -1, &len);
    std::string result(s == nullptr ? "(not a string)" : std::string(s, len));
    lua_settop(L_, 0);
    return result;
  }

 private:
  lua_State* L_;
};

// Runs each case in a fresh state and compares with the recorded value.
inline void CheckCases(const LuaCase* begin, const LuaCase* end) {
  for (const LuaCase* c = begin; c != end; ++c) {
    LuaEnv env;
    INFO(c->script);
    CHECK(env.Run(c->script) == c->expected);
  }
}

}  // namespace baozi::lua::testing
