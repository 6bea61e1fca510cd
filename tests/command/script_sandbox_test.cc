// The Lua sandbox (server/scripting/lua_vm.h): read-only globals built from proxies must hold
// against every way a script can write a table, must stay invisible to scripts that only read,
// and nothing one script does may leak into the next. Expected texts are Redis 7.0.15's.
#include <catch2/catch.hpp>
#include <string>

#include "harness.h"
#include "server/allocator.h"
#include "server/scripting/scripting.h"

namespace baozi::testing {
namespace {

std::string Eval(CommandHarness& h, std::string_view script) {
  return h.Run({"EVAL", script, "0"});
}

// The reply of a script error without its " script: <sha>, on @user_script:N." suffix.
std::string ErrorHead(const std::string& reply) {
  size_t at = reply.find(" script: ");
  return at == std::string::npos ? reply : reply.substr(0, at);
}

TEST_CASE("sandbox: every way of writing a protected table is refused", "[scripting]") {
  CommandHarness h;
  const std::string vm_error = "(error) ERR user_script:1: Attempt to modify a readonly table";
  const std::string c_error = "(error) ERR Attempt to modify a readonly table";
  CHECK(ErrorHead(Eval(h, "x = 1")) == vm_error);
  CHECK(ErrorHead(Eval(h, "string.len = nil")) == vm_error);  // an existing field
  CHECK(ErrorHead(Eval(h, "redis.call = function() end")) == vm_error);
  CHECK(ErrorHead(Eval(h, "cjson.x = 1")) == vm_error);
  CHECK(ErrorHead(Eval(h, "_G._G.y = 1")) == vm_error);
  CHECK(ErrorHead(Eval(h, "rawset(_G, 'x', 1)")) == c_error);
  CHECK(ErrorHead(Eval(h, "rawset(math, 'pi', 3)")) == c_error);
  CHECK(ErrorHead(Eval(h, "setmetatable(_G, nil)")) == c_error);
  CHECK(ErrorHead(Eval(h, "setmetatable(string, {})")) == c_error);
  CHECK(ErrorHead(Eval(h, "table.insert(string, 1)")) == c_error);
  // A library has no array part: remove and sort find nothing to write, as in Redis.
  CHECK(Eval(h, "return table.remove(table)") == "nil");
  CHECK(Eval(h, "table.sort(string) return 1") == "1");
  CHECK(ErrorHead(Eval(h, "getmetatable('').__index.len = nil")) == vm_error);
  CHECK(ErrorHead(Eval(h, "getmetatable('').__index = {}")) == vm_error);
  CHECK(ErrorHead(Eval(h, "local f = loadstring('z = 1'); f()")) ==
        "(error) ERR [string \"z = 1\"]:1: Attempt to modify a readonly table");
  // coroutine.wrap passes the error on with its own position in front, as in Redis.
  CHECK(ErrorHead(Eval(h, "coroutine.wrap(function() w = 1 end)()")) ==
        "(error) ERR user_script:1: user_script:1: Attempt to modify a readonly table");
  // Nothing above got through: the libraries still work in the next script.
  CHECK(Eval(h, "return string.len('abc')") == "3");
  CHECK(Eval(h, "return ('abc'):upper()") == "\"ABC\"");
  CHECK(Eval(h, "return redis.call('ping')") == "PONG");
}

TEST_CASE("sandbox: reading through the proxies looks like Redis's plain tables", "[scripting]") {
  CommandHarness h;
  CHECK(Eval(h, "local n = 0 for k in pairs(string) do n = n + 1 end return n") == "15");
  CHECK(Eval(h, "return rawget(string, 'len') ~= nil") == "1");
  CHECK(Eval(h, "return next(redis) ~= nil") == "1");
  CHECK(Eval(h, "return type(getmetatable('').__index.rep)") == "\"function\"");
  CHECK(Eval(h, "return getmetatable('').__index.x") == "nil");
  CHECK(Eval(h, "return _G.string == string") == "1");
  CHECK(ErrorHead(Eval(h, "return nosuch")) ==
        "(error) ERR user_script:1: Script attempted to access nonexistent global variable "
        "'nosuch'");
  // What Redis never offers.
  for (const char* name : {"print", "dofile", "loadfile", "setfenv", "getfenv", "os", "io", "debug",
                           "require", "newproxy"}) {
    INFO(name);
    CHECK(Eval(h, std::string("return rawget(_G, '") + name + "') == nil") == "1");
  }
}

TEST_CASE("sandbox: Debian library calls that crash are answered as Redis answers", "[scripting]") {
  CommandHarness h;
  // lua-bitop's tohex with n = INT_MIN (Redis CVE-2024-31449), by value and by wrap-around.
  CHECK(Eval(h, "return bit.tohex(1, -2147483648)") == "\"00000001\"");
  CHECK(Eval(h, "return bit.tohex(0xabc, 2147483648)") == "\"00000ABC\"");
  CHECK(Eval(h, "return bit.tohex(0xabc, -2147483647)") == "\"00000ABC\"");
  CHECK(Eval(h, "return bit.tohex(255, 4)") == "\"00ff\"");
  // Lua 5.1's unpack with a range whose size overflows (CVE-2025-46817).
  CHECK(ErrorHead(Eval(h, "return select('#', unpack({}, -2147483648, 2147483647))")) ==
        "(error) ERR user_script:1: too many results to unpack");
  CHECK(ErrorHead(Eval(h, "return select('#', unpack({}, -2, 2147483646))")) ==
        "(error) ERR user_script:1: too many results to unpack");
  CHECK(Eval(h, "return {unpack({1, 2, 3})}") == "[1, 2, 3]");
  CHECK(Eval(h, "return {unpack({1, 2, 3}, 2)}") == "[2, 3]");
  CHECK(Eval(h, "return select('#', unpack({1, 2, 3}, 3, 2))") == "0");
}

TEST_CASE("sandbox: SCRIPT FLUSH starts a fresh interpreter", "[scripting]") {
  CommandHarness h;
  std::string sha = Eval(h, "return redis.sha1hex('return 1')");
  CHECK(h.Run({"SCRIPT", "LOAD", "return 1"}) == sha);
  CHECK(h.Run({"SCRIPT", "EXISTS", sha.substr(1, 40)}) == "[1]");
  CHECK(h.Run({"SCRIPT", "FLUSH"}) == "OK");
  CHECK(h.Run({"SCRIPT", "EXISTS", sha.substr(1, 40)}) == "[0]");
  CHECK(h.Run({"EVALSHA", sha.substr(1, 40), "0"}) ==
        "(error) NOSCRIPT No matching script. Please use EVAL.");
  CHECK(Eval(h, "return string.len('ab')") == "2");
}

TEST_CASE("sandbox: the interpreter's memory is outside used_memory, as in Redis", "[scripting]") {
  CommandHarness h;
  ScriptEngine& engine = h.server().scripting();
  const size_t vm_before = engine.EvalVmMemory();
  const size_t used_before = alloc::UsedBytes();
  // A script that leaves a megabyte of Lua strings behind until the collector runs.
  CHECK(Eval(h,
             "local t = {} for i = 1, 1000 do t[i] = string.rep('x', 1000) .. i end "
             "return #t") == "1000");
  CHECK(engine.EvalVmMemory() > vm_before);
  // used_memory moved by far less than the interpreter grew (the script cache and the reply
  // are counted; Lua's heap is not).
  CHECK(alloc::UsedBytes() < used_before + 256 * 1024);
}

}  // namespace
}  // namespace baozi::testing
