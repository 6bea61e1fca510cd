// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT through the real dispatcher: numkeys, KEYS and
// ARGV, the script cache and NOSCRIPT, shebang flags and read-only scripts, maxmemory and CLIENT
// PAUSE, scripts inside MULTI/EXEC, SELECT inside a script, and what a script's writes do to the
// rest of the server: WATCH, keyspace events, blocked clients, INFO's counters, propagation as
// effects, and time that stands still while a script runs. The conversions between RESP and Lua
// and the error texts are in script_replies_test.cc.
//
// Most cases are step tables produced by running the steps on redis-server 7.0.15 (see
// script_steps.h). The others need the harness's hooks (a memory probe, an injected clock moved
// while a script runs, a propagation sink, Lua bytecode made by the server itself) and say in a
// comment what Redis did for the same commands.
//
// Left out: the long-running and SCRIPT KILL paths and FUNCTION/FCALL (tested elsewhere), and
// SCRIPT DEBUG, which baozi does not offer.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "server/propagate.h"
#include "tests/command/aof_capture.h"
#include "tests/command/harness.h"
#include "tests/command/notify_harness.h"
#include "tests/command/script_steps.h"

namespace baozi::testing {
namespace {

using namespace std::string_literals;

// Memory far over any small maxmemory: with `CONFIG SET maxmemory 1` (as on the Redis the table
// came from) every eviction attempt fails under the default noeviction policy.
const StepSetup kOverMaxmemory = [](CommandHarness& h) {
  h.server().memory_probe = [] { return size_t{100'000'000}; };
};

// clang-format off
TEST_CASE("scripting: numkeys, KEYS and ARGV", "[scripting]") {
  RunSteps({
      {{"EVAL", "return 1", "a"}, "-ERR value is not an integer or out of range\r\n"},
      {{"EVAL", "return 1", "-1"}, "-ERR Number of keys can't be negative\r\n"},
      {{"EVAL", "return 1", "2", "a"},
       "-ERR Number of keys can't be greater than number of args\r\n"},
      {{"EVAL", "return 1", "1"}, "-ERR Number of keys can't be greater than number of args\r\n"},
      {{"EVAL", "return 1", "1.5"}, "-ERR value is not an integer or out of range\r\n"},
      {{"EVAL", "return 1", ""}, "-ERR value is not an integer or out of range\r\n"},
      {{"EVAL", "return 1", "9223372036854775808"},
       "-ERR value is not an integer or out of range\r\n"},
      {{"EVAL", "return 1", "-9223372036854775808"}, "-ERR Number of keys can't be negative\r\n"},
      {{"EVAL", "return 1", "+1", "k"}, "-ERR value is not an integer or out of range\r\n"},
      {{"EVAL", "return 1", " 1", "k"}, "-ERR value is not an integer or out of range\r\n"},
      {{
           "EVAL",
           "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}",
           "2",
           "k1",
           "k2",
           "a1",
           "a2",
           "a3"},
       "*6\r\n$2\r\nk1\r\n$2\r\nk2\r\n$2\r\na1\r\n$2\r\na2\r\n:2\r\n:3\r\n"},
      {{"EVAL", "return #KEYS + #ARGV", "0"}, ":0\r\n"},
      {{"EVAL", "return {type(KEYS), type(ARGV)}", "0"}, "*2\r\n$5\r\ntable\r\n$5\r\ntable\r\n"},
      {{"EVAL", "return KEYS", "3", "a", "b", "c"}, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
      {{"EVAL", "return ARGV", "0", "a", "", "c"}, "*3\r\n$1\r\na\r\n$0\r\n\r\n$1\r\nc\r\n"},
      {{"EVAL", "return ARGV[1]", "0", "a\x00" "b"s}, "$3\r\na\x00" "b\r\n"s},
      {{"EVAL", "return #ARGV[1]", "0", "a\x00" "b"s}, ":3\r\n"},
      {{"EVAL", R"lua(KEYS[1] = 'x'; return KEYS[1])lua", "1", "k"}, "$1\r\nx\r\n"},
      {{
           "EVAL",
           R"lua(KEYS[1] = 'changed'; ARGV[3] = 'added'; return {#KEYS, #ARGV})lua",
           "2",
           "a",
           "b",
           "c"},
       "*2\r\n:2\r\n:1\r\n"},
      {{"EVAL", "return {#KEYS, #ARGV, KEYS[1], ARGV[3]}", "0"}, "*2\r\n:0\r\n:0\r\n"},
      {{"EVAL", "return {#KEYS, #ARGV, KEYS[1]}", "1", "x", "y"}, "*3\r\n:1\r\n:1\r\n$1\r\nx\r\n"},
      {{"SCRIPT", "LOAD", "return 1"}, "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n"},
      {{"EVAL", "return type(f_e0e1f9fabfc9d4800c877a703b823ac0578ff8db)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'f_e0e1f9fa"
       "bfc9d4800c877a703b823ac0578ff8db' script: 55de33952fcb66cc2a442a398e0b488ebe9c2bea, on"
       " @user_script:1.\r\n"},
      {{"EVAL", R"lua(return rawget(_G, 'f_e0e1f9fabfc9d4800c877a703b823ac0578ff8db'))lua", "0"},
       "$-1\r\n"},
      {{"EVAL", "return KEYS[1]", "0"}, "$-1\r\n"},
      {{"EVAL", "KEYS = {}", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 6f9c2135c385ef4406555ad"
       "3ccccb97d6af382cb, on @user_script:1.\r\n"},
      {{"EVAL", "ARGV = nil", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: e467bd36a8b4335c32d72a8"
       "eff839e07b2f4ca43, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(table.insert(KEYS, 'x'); return KEYS)lua", "1", "k"},
       "*2\r\n$1\r\nk\r\n$1\r\nx\r\n"},
      {{"EVAL", R"lua(return redis.call('get', KEYS[1]))lua", "1", "nokey"}, "$-1\r\n"},
      {{"EVAL", R"lua(return redis.call('set', 'undeclared', ARGV[1]))lua", "0", "v"}, "+OK\r\n"},
      {{"GET", "undeclared"}, "$1\r\nv\r\n"},
      {{"EVAL", "return 1"}, "-ERR wrong number of arguments for 'eval' command\r\n"},
      {{"EVAL"}, "-ERR wrong number of arguments for 'eval' command\r\n"},
      {{"EVALSHA", "x"}, "-ERR wrong number of arguments for 'evalsha' command\r\n"},
  });
}

TEST_CASE("scripting: EVALSHA, NOSCRIPT and the script cache", "[scripting]") {
  RunSteps({
      {{"SCRIPT", "LOAD", "return 1"}, "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n"},
      {{
           "SCRIPT",
           "EXISTS",
           "e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
           "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB",
           "ffffffffffffffffffffffffffffffffffffffff",
           "x",
           ""},
       "*5\r\n:1\r\n:1\r\n:0\r\n:0\r\n:0\r\n"},
      {{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}, ":1\r\n"},
      {{"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"}, ":1\r\n"},
      {{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"},
       "-NOSCRIPT No matching script. Please use EVAL.\r\n"},
      {{"EVALSHA", "short", "0"}, "-NOSCRIPT No matching script. Please use EVAL.\r\n"},
      {{"EVALSHA", "", "0"}, "-NOSCRIPT No matching script. Please use EVAL.\r\n"},
      {{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db0", "0"},
       "-NOSCRIPT No matching script. Please use EVAL.\r\n"},
      {{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "x"},
       "-ERR value is not an integer or out of range\r\n"},
      {{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "x"},
       "-ERR value is not an integer or out of range\r\n"},
      {{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "5"},
       "-ERR Number of keys can't be greater than number of args\r\n"},
      {{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "5"},
       "-ERR Number of keys can't be greater than number of args\r\n"},
      {{"EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}, ":1\r\n"},
      {{"EVALSHA_RO", "ffffffffffffffffffffffffffffffffffffffff", "0"},
       "-NOSCRIPT No matching script. Please use EVAL.\r\n"},
      {{"EVAL", "return 2", "0"}, ":2\r\n"},
      {{"SCRIPT", "EXISTS", "7f923f79fe76194c868d7e1d0820de36700eb649"}, "*1\r\n:1\r\n"},
      {{"EVALSHA", "7f923f79fe76194c868d7e1d0820de36700eb649", "0"}, ":2\r\n"},
      {{"EVAL", "return +", "0"},
       "-ERR Error compiling script (new function):"
       " user_script:1: unexpected symbol near '+'\r\n"},
      {{"SCRIPT", "EXISTS", "1fd5091818ea327c4e55ed84125fdc6179ae44cf"}, "*1\r\n:0\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=bad
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unexpected flag in script shebang: bad\r\n"},
      {{"SCRIPT", "EXISTS", "f76d38084aec569ee9cdabc39bd668be29465a92"}, "*1\r\n:0\r\n"},
      {{"SCRIPT", "LOAD", R"lua(return redis.call('get', KEYS[1]))lua"},
       "$40\r\n4e6d8fc8bb01276962cce5371fa795a7763657ae\r\n"},
      {{"SET", "k", "v"}, "+OK\r\n"},
      {{"EVALSHA", "4e6d8fc8bb01276962cce5371fa795a7763657ae", "1", "k"}, "$1\r\nv\r\n"},
      {{"EVALSHA", "206396248e12c6e742fd7296250433c8d7343b74", "0"},
       "-NOSCRIPT No matching script. Please use EVAL.\r\n"},
      {{"SCRIPT", "LOAD", R"lua(return redis.call('nosuch'))lua"},
       "$40\r\n206396248e12c6e742fd7296250433c8d7343b74\r\n"},
      {{"EVALSHA", "206396248e12c6e742fd7296250433c8d7343b74", "0"},
       "-ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8"
       "d7343b74, on @user_script:1.\r\n"},
      {{"SCRIPT", "LOAD", "return 1"}, "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n"},
      {{"SCRIPT", "FLUSH"}, "+OK\r\n"},
      {{
           "SCRIPT",
           "EXISTS",
           "e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
           "7f923f79fe76194c868d7e1d0820de36700eb649"},
       "*2\r\n:0\r\n:0\r\n"},
      {{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
       "-NOSCRIPT No matching script. Please use EVAL.\r\n"},
      {{"SCRIPT", "LOAD", "return 3"}, "$40\r\n09d3822de862f46d784e6a36848b4f0736dda47a\r\n"},
      {{"SCRIPT", "FLUSH", "sync"}, "+OK\r\n"},
      {{"SCRIPT", "EXISTS", "09d3822de862f46d784e6a36848b4f0736dda47a"}, "*1\r\n:0\r\n"},
      {{"SCRIPT", "LOAD", "return 3"}, "$40\r\n09d3822de862f46d784e6a36848b4f0736dda47a\r\n"},
      {{"SCRIPT", "FLUSH", "ASYNC"}, "+OK\r\n"},
      {{"SCRIPT", "EXISTS", "09d3822de862f46d784e6a36848b4f0736dda47a"}, "*1\r\n:0\r\n"},
      {{"SCRIPT", "FLUSH", "bad"}, "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n"},
      {{"SCRIPT", "FLUSH", "sync", "async"},
       "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n"},
      {{"SCRIPT", "EXISTS"}, "-ERR wrong number of arguments for 'script|exists' command\r\n"},
      {{"SCRIPT", "LOAD"}, "-ERR wrong number of arguments for 'script|load' command\r\n"},
      {{"SCRIPT", "LOAD", "a", "b"},
       "-ERR wrong number of arguments for 'script|load' command\r\n"},
      {{"SCRIPT", "KILL"}, "-NOTBUSY No scripts in execution right now.\r\n"},
      {{"SCRIPT", "KILL", "x"}, "-ERR wrong number of arguments for 'script|kill' command\r\n"},
      {{"SCRIPT", "foo"}, "-ERR unknown subcommand 'foo'. Try SCRIPT HELP.\r\n"},
      {{"SCRIPT"}, "-ERR wrong number of arguments for 'script' command\r\n"},
      {{"SCRIPT", "HELP", "x"}, "-ERR wrong number of arguments for 'script|help' command\r\n"},
  });
}

TEST_CASE("scripting: a script's globals and cached functions do not outlive SCRIPT FLUSH",
          "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(return redis.sha1hex('x'))lua", "0"},
       "$40\r\n11f6ad8ec52a2984abaafd7c3b516503785c2072\r\n"},
      {{"EVAL", R"lua(local t = {}; t[1] = 'keep'; return t[1])lua", "0"}, "$4\r\nkeep\r\n"},
      {{"SCRIPT", "LOAD", R"lua(return 'loaded')lua"},
       "$40\r\nb534286061d4b9e4026607613b95c06c06015ae8\r\n"},
      {{"SCRIPT", "FLUSH"}, "+OK\r\n"},
      {{"EVALSHA", "b534286061d4b9e4026607613b95c06c06015ae8", "0"},
       "-NOSCRIPT No matching script. Please use EVAL.\r\n"},
      {{"EVAL", R"lua(return 'loaded')lua", "0"}, "$6\r\nloaded\r\n"},
      {{"EVALSHA", "b534286061d4b9e4026607613b95c06c06015ae8", "0"}, "$6\r\nloaded\r\n"},
      {{"EVAL", "return type(redis)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "a = 1", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: b88f1ec0c9fe96fde96a6f9"
       "dabcbeee661dd7afe, on @user_script:1.\r\n"},
  });
}

TEST_CASE("scripting: EVAL_RO, EVALSHA_RO and shebang flags", "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(return redis.call('set','a','1'))lua", "0"}, "+OK\r\n"},
      {{"EVAL_RO", R"lua(return redis.call('set','a','1'))lua", "0"},
       "-ERR Write commands are not allowed from read-only scripts. script: 67ed14c1cb086d8c2f"
       "cf91ebe13410ba087fd0f8, on @user_script:1.\r\n"},
      {{"EVAL_RO", R"lua(return redis.call('get','a'))lua", "0"}, "$1\r\n1\r\n"},
      {{"EVAL_RO", R"lua(return redis.pcall('set','a','1'))lua", "0"},
       "-ERR Write commands are not allowed from read-only scripts.\r\n"},
      {{"EVAL_RO", R"lua(return redis.pcall('incr','a'))lua", "0"},
       "-ERR Write commands are not allowed from read-only scripts.\r\n"},
      {{"EVAL_RO", R"lua(return redis.call('del','a'))lua", "0"},
       "-ERR Write commands are not allowed from read-only scripts. script: 28e650f60f252340a1"
       "85b0754612ac7c00965a3e, on @user_script:1.\r\n"},
      {{"EVAL_RO", R"lua(return redis.call('nosuch'))lua", "0"},
       "-ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8"
       "d7343b74, on @user_script:1.\r\n"},
      {{"EVAL_RO", "return 1", "x"}, "-ERR value is not an integer or out of range\r\n"},
      {{
           "EVAL_RO",
           R"lua(#!lua
)lua"
           R"lua(return redis.call('get','a'))lua",
           "0"},
       "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
      {{
           "EVAL_RO",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(return redis.call('get','a'))lua",
           "0"},
       "$1\r\n1\r\n"},
      {{
           "EVAL_RO",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(return redis.call('set','a','2'))lua",
           "0"},
       "-ERR Write commands are not allowed from read-only scripts. script: 65068a31dbb31b10c3"
       "ad2d7c4e3c6e9fca5b82e4, on @user_script:2.\r\n"},
      {{
           "EVAL_RO",
           R"lua(#!lua flags=allow-oom
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(return redis.call('set','a','1'))lua",
           "0"},
       "-ERR Write commands are not allowed from read-only scripts. script: 71c6978aa8dbb43cfe"
       "b7536150d4b9326e6031a2, on @user_script:2.\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(return redis.call('get','a'))lua",
           "0"},
       "$1\r\n1\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(return redis.pcall('set','a','1'))lua",
           "0"},
       "-ERR Write commands are not allowed from read-only scripts.\r\n"},
      {{
           "EVAL",
           R"lua(#!lua
)lua"
           R"lua(return redis.call('set','a','2'))lua",
           "0"},
       "+OK\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=bad
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unexpected flag in script shebang: bad\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes,bad
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unexpected flag in script shebang: bad\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=allow-cross-slot-keys
)lua"
           R"lua(return 1)lua",
           "0"},
       ":1\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes,allow-oom,allow-stale,no-cluster
)lua"
           R"lua(return 1)lua",
           "0"},
       ":1\r\n"},
      {{
           "EVAL",
           R"lua(#!python
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unexpected engine in script shebang: #!python\r\n"},
      {{
           "EVAL",
           R"lua(#!lua foo=bar
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unknown lua shebang option: foo=bar\r\n"},
      {{
           "EVAL",
           R"lua(#!
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unexpected engine in script shebang: #!\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=
)lua"
           R"lua(return 1)lua",
           "0"},
       ":1\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes,
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unexpected flag in script shebang: \r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=,no-writes
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unexpected flag in script shebang: \r\n"},
      {{
           "EVAL",
           R"lua(#!lua  flags=no-writes
)lua"
           R"lua(return redis.call('set','a','1'))lua",
           "0"},
       "-ERR Write commands are not allowed from read-only scripts. script: 7f10203dfcaabbe828"
       "a1ea47c7ceb1dea1a4ee53, on @user_script:2.\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes flags=allow-oom
)lua"
           R"lua(return 1)lua",
           "0"},
       ":1\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=NO-WRITES
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unexpected flag in script shebang: NO-WRITES\r\n"},
      {{
           "EVAL",
           R"lua(#!LUA
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unexpected engine in script shebang: #!LUA\r\n"},
      {{"EVAL", "#!lua\r\nreturn 1", "0"}, ":1\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(error('x'))lua",
           "0"},
       "-ERR user_script:2: x script: 92a1f2c9b02e32b5bc57bd411dde4eebcb848a63, on @user_scrip"
       "t:2.\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(
)lua"
           R"lua(return redis.call('nosuch'))lua",
           "0"},
       "-ERR Unknown Redis command called from script script: 87bfd390de4c18a35987a79f1deef61f"
       "051f33b6, on @user_script:3.\r\n"},
      {{"EVAL", "#!lua", "0"}, "-ERR Invalid script shebang\r\n"},
      {{"EVAL", "#!lua flags=no-writes", "0"}, "-ERR Invalid script shebang\r\n"},
      {{
           "EVAL",
           R"lua(#!lua name=x
)lua"
           R"lua(return 1)lua",
           "0"},
       "-ERR Unknown lua shebang option: name=x\r\n"},
      {{
           "EVAL",
           R"lua(#!lua
)lua"
           R"lua(return KEYS[1])lua",
           "1",
           "k"},
       "$1\r\nk\r\n"},
      {{
           "SCRIPT",
           "LOAD",
           R"lua(#!lua flags=bad
)lua"
           R"lua(return 1)lua"},
       "-ERR Unexpected flag in script shebang: bad\r\n"},
      {{
           "SCRIPT",
           "LOAD",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(return redis.call('set','a','1'))lua"},
       "$40\r\n71c6978aa8dbb43cfeb7536150d4b9326e6031a2\r\n"},
      {{"EVALSHA", "71c6978aa8dbb43cfeb7536150d4b9326e6031a2", "0"},
       "-ERR Write commands are not allowed from read-only scripts. script: 71c6978aa8dbb43cfe"
       "b7536150d4b9326e6031a2, on @user_script:2.\r\n"},
      {{"EVALSHA_RO", "71c6978aa8dbb43cfeb7536150d4b9326e6031a2", "0"},
       "-ERR Write commands are not allowed from read-only scripts. script: 71c6978aa8dbb43cfe"
       "b7536150d4b9326e6031a2, on @user_script:2.\r\n"},
      {{
           "SCRIPT",
           "LOAD",
           R"lua(#!lua
)lua"
           R"lua(return redis.call('set','a','1'))lua"},
       "$40\r\nc3e5064461f2756638df46c2948f07d266f1da26\r\n"},
      {{"EVALSHA_RO", "c3e5064461f2756638df46c2948f07d266f1da26", "0"},
       "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
      {{"SCRIPT", "LOAD", R"lua(return redis.call('set','a','3'))lua"},
       "$40\r\n6c70d580a00cef549a4b05e895bb6356275b6d0d\r\n"},
      {{"EVALSHA_RO", "6c70d580a00cef549a4b05e895bb6356275b6d0d", "0"},
       "-ERR Write commands are not allowed from read-only scripts. script: 6c70d580a00cef549a"
       "4b05e895bb6356275b6d0d, on @user_script:1.\r\n"},
      {{"EVALSHA", "6c70d580a00cef549a4b05e895bb6356275b6d0d", "0"}, "+OK\r\n"},
      {{"GET", "a"}, "$1\r\n3\r\n"},
  });
}

TEST_CASE("scripting: scripts inside MULTI/EXEC", "[scripting]") {
  RunSteps({
      {{"MULTI"}, "+OK\r\n"},
      {{"EVAL", R"lua(return redis.call('incr','c'))lua", "0"}, "+QUEUED\r\n"},
      {{"EVAL", R"lua(return redis.call('nosuch'))lua", "0"}, "+QUEUED\r\n"},
      {{"EVAL", "return +", "0"}, "+QUEUED\r\n"},
      {{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"}, "+QUEUED\r\n"},
      {{"SCRIPT", "LOAD", "return 5"}, "+QUEUED\r\n"},
      {{"EVALSHA", "4ca238f611c9d0ae4e9a75a5dbac22aedc379801", "0"}, "+QUEUED\r\n"},
      {{"EVAL_RO", R"lua(return redis.call('incr','c'))lua", "0"}, "+QUEUED\r\n"},
      {{"EVAL", R"lua(return redis.call('get','c'))lua", "0"}, "+QUEUED\r\n"},
      {{"EVAL", R"lua(return {err='in exec'})lua", "0"}, "+QUEUED\r\n"},
      {{"EVAL", "return {1,{2}}", "0"}, "+QUEUED\r\n"},
      {{"EXEC"},
       "*10\r\n:1\r\n-ERR Unknown Redis command called "
       "from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.\r\n-ERR"
       " Error compiling script (new function): user_script:1: unexpected symbol near '+'\r\n-NO"
       "SCRIPT No matching script. Please use EVAL."
       "\r\n$40\r\n4ca238f611c9d0ae4e9a75a5dbac22aedc37"
       "9801\r\n:5\r\n-ERR Write commands are not allow"
       "ed from read-only scripts. script: 66a88e20dc374bafcf3f20b4a613139b6dd688f1, on @user_"
       "script:1.\r\n$1\r\n1\r\n-in exec\r\n*2\r\n:1\r\n*1\r\n:2\r\n"},
      {{"MULTI"}, "+OK\r\n"},
      {{"EVAL", "return 1", "x"}, "+QUEUED\r\n"},
      {{"EXEC"}, "*1\r\n-ERR value is not an integer or out of range\r\n"},
      {{"MULTI"}, "+OK\r\n"},
      {{"EVAL"}, "-ERR wrong number of arguments for 'eval' command\r\n"},
      {{"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
      {{"MULTI"}, "+OK\r\n"},
      {{"EVAL", R"lua(redis.call('select','1'); return 1)lua", "0"}, "+QUEUED\r\n"},
      {{"GET", "c"}, "+QUEUED\r\n"},
      {{"EXEC"}, "*2\r\n:1\r\n$1\r\n1\r\n"},
      {{"SCRIPT", "LOAD", "return 7"}, "$40\r\n59b6ab2fbe0ee4b25733de0f62e6cda4899ef8e9\r\n"},
      {{"MULTI"}, "+OK\r\n"},
      {{"SCRIPT", "FLUSH"}, "+QUEUED\r\n"},
      {{"EVALSHA", "59b6ab2fbe0ee4b25733de0f62e6cda4899ef8e9", "0"}, "+QUEUED\r\n"},
      {{"EXEC"}, "*2\r\n+OK\r\n-NOSCRIPT No matching script. Please use EVAL.\r\n"},
      {{"MULTI"}, "+OK\r\n"},
      {{"SCRIPT", "LOAD", "return 8"}, "+QUEUED\r\n"},
      {{"EVALSHA", "c2db959528781f82a78b455e9842f46a02a43b61", "0"}, "+QUEUED\r\n"},
      {{"EXEC"}, "*2\r\n$40\r\nc2db959528781f82a78b455e9842f46a02a43b61\r\n:8\r\n"},
      {{"MULTI"}, "+OK\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(return redis.call('incr','c'))lua",
           "0"},
       "+QUEUED\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=bad
)lua"
           R"lua(return 1)lua",
           "0"},
       "+QUEUED\r\n"},
      {{"EXEC"},
       "*2\r\n-ERR Write commands are not allowed from read-only scripts. script: 37273dada33787"
       "25c103ab5b7456c776d97291e8, on @user_script:2.\r\n-ERR Unexpected flag in script shebang"
       ": bad\r\n"},
      {{"MULTI"}, "+OK\r\n"},
      {{"SCRIPT", "KILL"}, "+QUEUED\r\n"},
      {{"EXEC"}, "*1\r\n-NOTBUSY No scripts in execution right now.\r\n"},
  });
}

TEST_CASE("scripting: SELECT inside a script changes only the script's database", "[scripting]") {
  RunSteps({
      {{"SELECT", "0"}, "+OK\r\n"},
      {{
           "EVAL",
           R"lua(redis.call('select','1'); redis.call('set','x','db1'); return redis.call('ge)lua"
           R"lua(t','x'))lua",
           "0"},
       "$3\r\ndb1\r\n"},
      {{"GET", "x"}, "$-1\r\n"},
      {{"SELECT", "1"}, "+OK\r\n"},
      {{"GET", "x"}, "$3\r\ndb1\r\n"},
      {{"EVAL", R"lua(return redis.call('get','x'))lua", "0"}, "$3\r\ndb1\r\n"},
      {{"EVAL", R"lua(redis.call('select','0'); return redis.call('get','x'))lua", "0"}, "$-1\r\n"},
      {{"GET", "x"}, "$3\r\ndb1\r\n"},
      {{"SELECT", "0"}, "+OK\r\n"},
      {{"EVAL", R"lua(redis.call('select','2'); return redis.call('dbsize'))lua", "0"}, ":0\r\n"},
      {{"EVAL", R"lua(return redis.call('get','x'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(redis.call('select','1'); return redis.call('swapdb','0','1'))lua", "0"},
       "+OK\r\n"},
      {{"GET", "x"}, "$3\r\ndb1\r\n"},
      {{"EVAL", R"lua(return redis.call('select','16'))lua", "0"},
       "-ERR DB index is out of range script: 078f4a17c7da9f7cb5016a9c47dd5830522234fa, on @us"
       "er_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('select','x'))lua", "0"},
       "-ERR value is not an integer or out of range script: e8700f003cff2a25227263baeda291e27"
       "696a5ac, on @user_script:1.\r\n"},
  });
}

TEST_CASE("scripting: scripts write and read every value type", "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(return redis.call('set','k','v'))lua", "0"}, "+OK\r\n"},
      {{"EVAL", R"lua(return redis.call('lpush','l','a','b','c'))lua", "0"}, ":3\r\n"},
      {{"EVAL", R"lua(return redis.call('lrange','l',0,-1))lua", "0"},
       "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"},
      {{"EVAL", R"lua(return redis.call('hset','h','f1','v1','f2','v2'))lua", "0"}, ":2\r\n"},
      {{"EVAL", R"lua(return redis.call('hget','h','f1'))lua", "0"}, "$2\r\nv1\r\n"},
      {{"EVAL", R"lua(return redis.call('hmget','h','f1','nof','f2'))lua", "0"},
       "*3\r\n$2\r\nv1\r\n$-1\r\n$2\r\nv2\r\n"},
      {{"EVAL", R"lua(return redis.call('sadd','s','x'))lua", "0"}, ":1\r\n"},
      {{"EVAL", R"lua(return redis.call('sismember','s','x'))lua", "0"}, ":1\r\n"},
      {{"EVAL", R"lua(return redis.call('zadd','z','1','a','2.5','b'))lua", "0"}, ":2\r\n"},
      {{"EVAL", R"lua(return redis.call('zrange','z',0,-1,'withscores'))lua", "0"},
       "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n"},
      {{"EVAL", R"lua(return redis.call('zincrby','z','0.5','a'))lua", "0"}, "$3\r\n1.5\r\n"},
      {{"EVAL", R"lua(return redis.call('incrbyfloat','f','1.5'))lua", "0"}, "$3\r\n1.5\r\n"},
      {{"EVAL", R"lua(return redis.call('getrange','k',0,-1))lua", "0"}, "$1\r\nv\r\n"},
      {{"EVAL", R"lua(return redis.call('mget','k','nokey','l'))lua", "0"},
       "*3\r\n$1\r\nv\r\n$-1\r\n$-1\r\n"},
      {{"EVAL", R"lua(return redis.call('del','k','l','h','s','z','f'))lua", "0"}, ":6\r\n"},
      {{"EVAL", R"lua(return redis.call('dbsize'))lua", "0"}, ":0\r\n"},
      {{
           "EVAL",
           R"lua(redis.call('rpush','q','1','2','3'); local n = 0; while redis.call('lpop','q)lua"
           R"lua(') )lua"
           R"lua(do n = n + 1 end; return n)lua",
           "0"},
       ":3\r\n"},
      {{"EVAL", R"lua(return redis.call('exists','q'))lua", "0"}, ":0\r\n"},
      {{
           "EVAL",
           R"lua(for i = 1, 100 do redis.call('incr','ctr') end; return redis.call('get','ctr)lua"
           R"lua('))lua",
           "0"},
       "$3\r\n100\r\n"},
      {{"EVAL", R"lua(return redis.call('setrange','big','1000','x'))lua", "0"}, ":1001\r\n"},
      {{"EVAL", R"lua(return #redis.call('get','big'))lua", "0"}, ":1001\r\n"},
  });
}

TEST_CASE("scripting: a script's writes invalidate WATCH; reads, failed or refused writes and"
          " other databases do not",
          "[scripting]") {
  RunSteps({
      {"w", {"SET", "w", "str"}, "+OK\r\n"},
      {"w", {"WATCH", "w", "w3"}, "+OK\r\n"},
      {"other", {"EVAL", R"lua(redis.call('set', KEYS[1], 'x'))lua", "1", "w"}, "$-1\r\n"},
      {"w", {"MULTI"}, "+OK\r\n"},
      {"w", {"PING"}, "+QUEUED\r\n"},
      {"w", {"EXEC"}, "*-1\r\n"},
      {"w", {"SET", "w", "str"}, "+OK\r\n"},
      {"w", {"WATCH", "w", "w3"}, "+OK\r\n"},
      {"other", {"EVAL", R"lua(return redis.call('get', KEYS[1]))lua", "1", "w"}, "$3\r\nstr\r\n"},
      {"w", {"MULTI"}, "+OK\r\n"},
      {"w", {"PING"}, "+QUEUED\r\n"},
      {"w", {"EXEC"}, "*1\r\n+PONG\r\n"},
      {"w", {"SET", "w", "str"}, "+OK\r\n"},
      {"w", {"WATCH", "w", "w3"}, "+OK\r\n"},
      {"other", {"EVAL", R"lua(return redis.pcall('incr', KEYS[1]))lua", "1", "w"},
       "-ERR value is not an integer or out of range\r\n"},
      {"w", {"MULTI"}, "+OK\r\n"},
      {"w", {"PING"}, "+QUEUED\r\n"},
      {"w", {"EXEC"}, "*1\r\n+PONG\r\n"},
      {"w", {"SET", "w", "str"}, "+OK\r\n"},
      {"w", {"WATCH", "w", "w3"}, "+OK\r\n"},
      {"other", {
           "EVAL",
           R"lua(redis.call('select','1'); redis.call('set', KEYS[1], 'y'))lua",
           "1",
           "w"},
       "$-1\r\n"},
      {"w", {"MULTI"}, "+OK\r\n"},
      {"w", {"PING"}, "+QUEUED\r\n"},
      {"w", {"EXEC"}, "*1\r\n+PONG\r\n"},
      {"w", {"SET", "w", "str"}, "+OK\r\n"},
      {"w", {"WATCH", "w", "w3"}, "+OK\r\n"},
      {"other", {"EVAL", R"lua(redis.call('del', 'nokey'))lua", "0"}, "$-1\r\n"},
      {"w", {"MULTI"}, "+OK\r\n"},
      {"w", {"PING"}, "+QUEUED\r\n"},
      {"w", {"EXEC"}, "*1\r\n+PONG\r\n"},
      {"w", {"SET", "w", "str"}, "+OK\r\n"},
      {"w", {"WATCH", "w", "w3"}, "+OK\r\n"},
      {"other", {"EVAL", R"lua(redis.call('set', KEYS[1], 'x'))lua", "1", "w2"}, "$-1\r\n"},
      {"w", {"MULTI"}, "+OK\r\n"},
      {"w", {"PING"}, "+QUEUED\r\n"},
      {"w", {"EXEC"}, "*1\r\n+PONG\r\n"},
      {"w", {"SET", "w", "str"}, "+OK\r\n"},
      {"w", {"WATCH", "w", "w3"}, "+OK\r\n"},
      {"other", {
           "EVAL",
           R"lua(redis.call('lpush', KEYS[1], 'x'); redis.call('del', KEYS[1]))lua",
           "1",
           "w3"},
       "$-1\r\n"},
      {"w", {"MULTI"}, "+OK\r\n"},
      {"w", {"PING"}, "+QUEUED\r\n"},
      {"w", {"EXEC"}, "*-1\r\n"},
      {"w", {"SET", "w", "str"}, "+OK\r\n"},
      {"w", {"WATCH", "w", "w3"}, "+OK\r\n"},
      {"other", {"EVAL", R"lua(redis.call('set', KEYS[1], 'str'))lua", "1", "w"}, "$-1\r\n"},
      {"w", {"MULTI"}, "+OK\r\n"},
      {"w", {"PING"}, "+QUEUED\r\n"},
      {"w", {"EXEC"}, "*-1\r\n"},
      {"w", {"SET", "w", "str"}, "+OK\r\n"},
      {"w", {"WATCH", "w", "w3"}, "+OK\r\n"},
      {"other", {"EVAL_RO", R"lua(return redis.call('set', KEYS[1], 'z'))lua", "1", "w"},
       "-ERR Write commands are not allowed from read-only scripts. script: 2eba4ce252979588f0"
       "0e57dab3095e51633bb84f, on @user_script:1.\r\n"},
      {"w", {"MULTI"}, "+OK\r\n"},
      {"w", {"PING"}, "+QUEUED\r\n"},
      {"w", {"EXEC"}, "*1\r\n+PONG\r\n"},
  });
}

TEST_CASE("scripting: under maxmemory: EVAL refuses deny-oom calls until the script wrote,"
          " shebang scripts need allow-oom",
          "[scripting]") {
  RunSteps({
      {{"SET", "a", "0"}, "+OK\r\n"},
      {{"CONFIG", "SET", "maxmemory", "1"}, "+OK\r\n"},
      {{"EVAL", R"lua(return redis.call('set','a','1'))lua", "0"},
       "-OOM command not allowed when used memory > 'maxmemory'. script: 67ed14c1cb086d8c2fcf9"
       "1ebe13410ba087fd0f8, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('set','a','1'))lua", "0"},
       "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
      {{"EVAL", R"lua(return redis.call('incr','n'))lua", "0"},
       "-OOM command not allowed when used memory > 'maxmemory'. script: a4714296f52e633140579"
       "c84b172b63da7bce890, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('get','a'))lua", "0"}, "$1\r\n0\r\n"},
      {{"EVAL", R"lua(return redis.call('lpop','nolist'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(return redis.call('del','nokey'))lua", "0"}, ":0\r\n"},
      {{"EVAL", R"lua(return redis.call('expire','nokey','100'))lua", "0"}, ":0\r\n"},
      {{"EVAL", R"lua(redis.call('del','a'); return redis.call('set','a','1'))lua", "0"},
       "+OK\r\n"},
      {{
           "EVAL",
           R"lua(#!lua
)lua"
           R"lua(return redis.call('set','a','1'))lua",
           "0"},
       "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
      {{
           "EVAL",
           R"lua(#!lua
)lua"
           R"lua(return 1)lua",
           "0"},
       "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=allow-oom
)lua"
           R"lua(return redis.call('set','a','2'))lua",
           "0"},
       "+OK\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes
)lua"
           R"lua(return redis.call('get','a'))lua",
           "0"},
       "$1\r\n2\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=no-writes,allow-oom
)lua"
           R"lua(return redis.call('get','a'))lua",
           "0"},
       "$1\r\n2\r\n"},
      {{"EVAL_RO", R"lua(return redis.call('get','a'))lua", "0"}, "$1\r\n2\r\n"},
      {{
           "EVAL_RO",
           R"lua(#!lua
)lua"
           R"lua(return redis.call('get','a'))lua",
           "0"},
       "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
      {{
           "SCRIPT",
           "LOAD",
           R"lua(#!lua
)lua"
           R"lua(return redis.call('set','a','1'))lua"},
       "$40\r\nc3e5064461f2756638df46c2948f07d266f1da26\r\n"},
      {{"EVALSHA", "c3e5064461f2756638df46c2948f07d266f1da26", "0"},
       "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
      {{
           "SCRIPT",
           "LOAD",
           R"lua(#!lua flags=allow-oom
)lua"
           R"lua(return redis.call('set','a','3'))lua"},
       "$40\r\nea793e82d70f4718b083a6411f0ad758bc3e0d18\r\n"},
      {{"EVALSHA", "ea793e82d70f4718b083a6411f0ad758bc3e0d18", "0"}, "+OK\r\n"},
      {{"MULTI"}, "+OK\r\n"},
      {{
           "EVAL",
           R"lua(#!lua flags=allow-oom
)lua"
           R"lua(return 1)lua",
           "0"},
       "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
      {{"EXEC"}, "-EXECABORT Transaction discarded because of previous errors.\r\n"},
      {{"CONFIG", "SET", "maxmemory", "0"}, "+OK\r\n"},
      {{"EVAL", R"lua(return redis.call('set','a','4'))lua", "0"}, "+OK\r\n"},
  }, kOverMaxmemory);
}
// clang-format on

TEST_CASE("scripting: SCRIPT HELP lists what Redis lists, without SCRIPT DEBUG", "[scripting]") {
  // Redis 7.0.15 answers 17 lines; baozi has no Lua debugger, so the two DEBUG lines are absent.
  CommandHarness h;
  protocol::RespValue v = h.RunValue({"SCRIPT", "HELP"});
  std::vector<std::string> lines;
  for (const auto& e : v.elems) lines.push_back(e.str);
  CHECK(lines == std::vector<std::string>{
                     "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                     "EXISTS <sha1> [<sha1> ...]",
                     "    Return information about the existence of the scripts in the script "
                     "cache.",
                     "FLUSH [ASYNC|SYNC]",
                     "    Flush the Lua scripts cache. Very dangerous on replicas.",
                     "    When called without the optional mode argument, the behavior is "
                     "determined by the",
                     "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                     "    * ASYNC: Asynchronously flush the scripts cache.",
                     "    * SYNC: Synchronously flush the scripts cache.",
                     "KILL",
                     "    Kill the currently executing Lua script.",
                     "LOAD <script>",
                     "    Load a script into the scripts cache without executing it.",
                     "HELP",
                     "    Prints this help.",
                 });
  CHECK(h.raw().starts_with("*15\r\n+SCRIPT <subcommand>"));
}

TEST_CASE("scripting: Lua bytecode is refused everywhere, as Redis's Lua only reads source",
          "[scripting]") {
  // Redis 7.0.15 compiles every chunk as text, so precompiled chunks (which can break out of any
  // sandbox in Lua 5.1) fail with a syntax error at their first byte, ESC.
  CommandHarness h;
  const std::string bytecode =
      h.RunValue({"EVAL", "return string.dump(function() return 'from bytecode' end)", "0"}).str;
  REQUIRE(bytecode.starts_with("\x1bLua"));
  std::vector<std::string_view> eval = {"EVAL", bytecode, "0"};
  h.Run(eval);
  CHECK(Visible(h.raw()) ==
        Visible("-ERR Error compiling script (new function): user_script:1: unexpected symbol "
                "near 'char(27)'\r\n"));
  std::vector<std::string_view> load = {"SCRIPT", "LOAD", bytecode};
  h.Run(load);
  CHECK(Visible(h.raw()) ==
        Visible("-ERR Error compiling script (new function): user_script:1: unexpected symbol "
                "near 'char(27)'\r\n"));
  std::vector<std::string_view> viastring = {
      "EVAL", "local f, e = loadstring(ARGV[1]); if f then return f() end; return e", "0",
      bytecode};
  h.Run(viastring);
  CHECK(Visible(h.raw()) ==
        Visible("$53\r\n[string \"\x1bLuaQ\"]:1: unexpected symbol near 'char(27)'\r\n"));
  h.Run({"EVAL",
         "local s = string.dump(function() return 'bc' end); local done = false; "
         "local f, e = load(function() if done then return nil end done = true return s end); "
         "if f then return f() end return e",
         "0"});
  CHECK(Visible(h.raw()) == Visible("$43\r\n(load):1: unexpected symbol near 'char(27)'\r\n"));
  h.Run({"EVAL", "local f, e = loadstring('\\27 junk'); return e", "0"});
  CHECK(Visible(h.raw()) ==
        Visible("$54\r\n[string \"\x1b junk\"]:1: unexpected symbol near 'char(27)'\r\n"));
}

TEST_CASE("scripting: CLIENT PAUSE WRITE holds EVAL and EVALSHA unless the script says no-writes",
          "[scripting]") {
  // Redis 7.0.15: EVAL and EVALSHA carry the hidden may-replicate flag, so a pause of writes holds
  // them whatever the script does, as it holds a shebang script without no-writes and a body
  // whose shebang it cannot parse; EVAL_RO, EVALSHA_RO, a no-writes script and the SCRIPT
  // subcommands run.
  CommandHarness h;
  CHECK(h.Run({"SCRIPT", "LOAD", "return 1"}) == "\"e0e1f9fabfc9d4800c877a703b823ac0578ff8db\"");
  CHECK(h.Run({"CLIENT", "PAUSE", "1000", "WRITE"}) == "OK");
  const std::vector<std::vector<std::string_view>> held = {
      {"EVAL", "return 1", "0"},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
      {"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"},
      {"EVAL", "#!lua\nreturn 3", "0"},
      {"EVAL", "#!lua flags=allow-oom\nreturn 4", "0"},
      {"EVAL", "#!lua flags=bad\nreturn 4", "0"},
  };
  for (size_t i = 0; i < held.size(); ++i) {
    std::string conn = "held" + std::to_string(i);
    INFO(held[i][0] << " " << held[i][1]);
    CHECK(h.Run(held[i], conn).empty());
    CHECK(h.client(conn).Has(kClientPaused));
  }
  CHECK(h.Run({"EVAL_RO", "return 1", "0"}, "ro") == "1");
  CHECK(h.Run({"EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}, "ro") == "1");
  CHECK(h.Run({"EVAL", "#!lua flags=no-writes\nreturn 2", "0"}, "ro") == "2");
  CHECK(h.Run({"SCRIPT", "EXISTS", "x"}, "ro") == "[0]");
  CHECK(h.Run({"SCRIPT", "LOAD", "return 9"}, "ro") ==
        "\"09b143ac1d8426a09f24496a390fd0d70cafdc7c\"");
  h.AdvanceTime(std::chrono::milliseconds(1100));
  for (size_t i = 0; i < held.size(); ++i) {
    CHECK_FALSE(h.client("held" + std::to_string(i)).Has(kClientPaused));
  }
}

std::string InfoField(CommandHarness& h, std::string_view section, std::string_view field) {
  std::string info = h.RunValue({"INFO", section}).str;
  size_t pos = info.find("\r\n" + std::string(field) + ":");
  if (pos == std::string::npos) return "?";
  pos += field.size() + 3;
  return info.substr(pos, info.find("\r\n", pos) - pos);
}

TEST_CASE("scripting: INFO memory counts the cached scripts as Redis does", "[scripting]") {
  // Redis 7.0.15: LOAD, LOAD, a new EVAL -> 3; the same EVAL, a known LOAD, a compile error and an
  // EVALSHA add nothing; SCRIPT FLUSH -> 0.
  CommandHarness h;
  CHECK(InfoField(h, "memory", "number_of_cached_scripts") == "0");
  h.Run({"SCRIPT", "LOAD", "return 1"});
  h.Run({"SCRIPT", "LOAD", "return 2"});
  CHECK(InfoField(h, "memory", "number_of_cached_scripts") == "2");
  h.Run({"EVAL", "return 3", "0"});
  h.Run({"EVAL", "return 3", "0"});
  h.Run({"SCRIPT", "LOAD", "return 1"});
  CHECK(h.Run({"EVAL", "return +", "0"}).starts_with("(error) ERR Error compiling script"));
  h.Run({"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"});
  CHECK(InfoField(h, "memory", "number_of_cached_scripts") == "3");
  CHECK(InfoField(h, "memory", "used_memory_scripts_eval") != "?");
  CHECK(InfoField(h, "memory", "used_memory_lua") != "?");
  CHECK(h.Run({"SCRIPT", "FLUSH"}) == "OK");
  CHECK(InfoField(h, "memory", "number_of_cached_scripts") == "0");
}

// INFO commandstats (without the times) and errorstats, one "name:fields" entry per line.
std::vector<std::string> Stats(CommandHarness& h) {
  std::vector<std::string> out;
  for (std::string_view section : {"commandstats", "errorstats"}) {
    std::string info = h.RunValue({"INFO", std::string(section)}).str;
    size_t pos = 0;
    while (pos < info.size()) {
      size_t eol = info.find("\r\n", pos);
      if (eol == std::string::npos) eol = info.size();
      std::string line = info.substr(pos, eol - pos);
      pos = eol + 2;
      if (line.empty() || line[0] == '#') continue;
      // cmdstat_x:calls=1,usec=5,usec_per_call=5.00,rejected_calls=0,failed_calls=1
      size_t usec = line.find(",usec=");
      if (usec != std::string::npos) line.erase(usec, line.find(",rejected_calls") - usec);
      out.push_back(line);
    }
  }
  return out;
}

TEST_CASE("scripting: errors a script answers count in commandstats and errorstats as in Redis",
          "[scripting]") {
  // Redis 7.0.15 after SET s x and one EVAL each (CONFIG RESETSTAT in between): EVAL's
  // failed_calls counts every error reply it sends, including one that came from a command the
  // script called (whose own error was already counted in errorstats); a call the script makes
  // with the wrong arity is a rejected call of that command, and an unknown command is an error.
  struct Row {
    std::string script;
    std::vector<std::string> stats;
  };
  const std::vector<Row> rows = {
      {"return redis.call('nosuch')",
       {"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1", "errorstat_ERR:count=1"}},
      {"return redis.pcall('nosuch')",
       {"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1", "errorstat_ERR:count=1"}},
      {"return redis.call('incr','s')",
       {"cmdstat_incr:calls=1,rejected_calls=0,failed_calls=1",
        "cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1", "errorstat_ERR:count=1"}},
      {"return redis.pcall('incr','s')",
       {"cmdstat_incr:calls=1,rejected_calls=0,failed_calls=1",
        "cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1", "errorstat_ERR:count=1"}},
      {"local r = redis.pcall('incr','s'); return 1",
       {"cmdstat_incr:calls=1,rejected_calls=0,failed_calls=1",
        "cmdstat_eval:calls=1,rejected_calls=0,failed_calls=0", "errorstat_ERR:count=1"}},
      {"return redis.call('get')",
       {"cmdstat_get:calls=0,rejected_calls=1,failed_calls=0",
        "cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1", "errorstat_ERR:count=1"}},
      {"return redis.pcall('get')",
       {"cmdstat_get:calls=0,rejected_calls=1,failed_calls=0",
        "cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1", "errorstat_ERR:count=1"}},
      {"return {err='x'}",
       {"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1", "errorstat_ERR:count=1"}},
      {"error('x')",
       {"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1", "errorstat_ERR:count=1"}},
      {"return redis.error_reply('MY x')",
       {"cmdstat_eval:calls=1,rejected_calls=0,failed_calls=1", "errorstat_MY:count=1"}},
  };
  for (const Row& row : rows) {
    CommandHarness h;
    h.Run({"SET", "s", "x"});
    h.Run({"CONFIG", "RESETSTAT"});
    h.Run({"EVAL", row.script, "0"});
    std::vector<std::string> got;
    for (const std::string& line : Stats(h)) {
      if (!line.starts_with("cmdstat_info") && !line.starts_with("cmdstat_config")) {
        got.push_back(line);
      }
    }
    // Redis lists commands in its command table's hash order.
    std::vector<std::string> want = row.stats;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    INFO(row.script);
    CHECK(got == want);
  }
}

TEST_CASE("scripting: keyspace events fire for each write a script makes, in order",
          "[scripting]") {
  // Redis 7.0.15 with notify-keyspace-events KEAn, a client PSUBSCRIBEd to __keyevent@*__:*.
  CheckRows({
      {{},
       {"EVAL",
        "redis.call('set', KEYS[1], 'v'); redis.call('lpush', KEYS[2], 'a', 'b'); "
        "redis.call('incr', 'nokey'); redis.call('del', KEYS[1]); redis.call('expire', KEYS[2], "
        "100); redis.pcall('incr', KEYS[2]); redis.call('select', '1'); redis.call('set', 'x', "
        "'1'); return 1",
        "2", "k", "l"},
       {"new k", "set k", "new l", "lpush l", "new nokey", "incrby nokey", "del k", "expire l",
        "new@1 x", "set@1 x"}},
      {{{"SET", "k", "1"}},
       {"EVAL", "redis.call('incr', KEYS[1]); return redis.call('incr', KEYS[1])", "1", "k"},
       {"incrby k", "incrby k"}},
      // The write before the error stays, and so does its event.
      {{},
       {"EVAL", "redis.call('set', 'a', '1'); error('after a write')", "0"},
       {"new a", "set a"}},
      {{}, {"EVAL", "return redis.call('get', 'nokey')", "0"}, {}},
      // A key past its TTL when the script starts is expired by the script's first lookup.
      {{{"SET", "e", "1", "PX", "100"}, {"@wait"}},
       {"EVAL", "return redis.call('get', 'e')", "0"},
       {"expired e"}},
      // REPL_NONE leaves the command out of propagation, not out of the notifications.
      {{{"SET", "k", "1"}},
       {"EVAL", "redis.set_repl(redis.REPL_NONE); return redis.call('del', 'k')", "0"},
       {"del k"}},
      {{{"RPUSH", "l", "a"}},
       {"EVAL", "redis.call('lpop', 'l'); return redis.call('rpush', 'l', 'b')", "0"},
       {"lpop l", "del l", "new l", "rpush l"}},
      {{{"HSET", "h", "f", "1"}},
       {"EVAL", "return redis.call('hincrbyfloat', 'h', 'f', '1.5')", "0"},
       {"hincrbyfloat h"}},
      {{}, {"EVAL_RO", "return redis.call('set', 'a', '1')", "0"}, {}},
  });
}

TEST_CASE("scripting: a blocked client is served after the script that pushed, not during it",
          "[scripting]") {
  // Redis 7.0.15: the script sees its own pushes (LLEN 1 then 2); the BLPOP client gets the last
  // element pushed once the script is over, and "a" stays.
  CommandHarness h;
  CHECK(h.Run({"BLPOP", "q", "0"}, "b").empty());
  REQUIRE(h.IsBlocked("b"));
  CHECK(h.Run({"EVAL",
               "redis.call('lpush','q','a'); local n = redis.call('llen','q'); "
               "redis.call('lpush','q','b'); return {n, redis.call('llen','q')}",
               "0"}) == "[1, 2]");
  CHECK(h.TakeReply("b") == "[\"q\", \"b\"]");
  CHECK_FALSE(h.IsBlocked("b"));
  CHECK(h.Run({"LRANGE", "q", "0", "-1"}) == "[\"a\"]");

  // A script that pushes and pops again leaves the waiter waiting.
  CHECK(h.Run({"BLPOP", "q2", "0"}, "b").empty());
  CHECK(h.Run({"EVAL",
               "redis.call('rpush','q2','a'); redis.call('rpop','q2'); "
               "return redis.call('exists','q2')",
               "0"}) == "0");
  CHECK(h.TakeReply("b").empty());
  CHECK(h.IsBlocked("b"));
  CHECK(h.Run({"RPUSH", "q2", "z"}) == "1");
  CHECK(h.TakeReply("b") == "[\"q2\", \"z\"]");

  // The script's own blocking calls are refused rather than blocking the server.
  CHECK(h.Run({"EVAL", "return redis.pcall('blpop','q3','0')", "0"}) ==
        "(error) ERR This Redis command is not allowed from script");
}

TEST_CASE("scripting: time stands still while a script runs", "[scripting]") {
  // The clock moves by 50 ms each time the "sub" client is handed a message: the script's PUBLISH
  // makes time pass in the middle of it, taking "k" past its TTL. Redis 7.0.15 (checked with a
  // script that loops past the TTL) keeps the key for the rest of the script: EXISTS 1 and GET
  // still answer from it, while PTTL, which Redis 7.0 computes from the wall clock, says 0; the
  // key is gone for the next command.
  CommandHarness h;
  h.server().set_active_expire_enabled(false);
  h.Run({"SET", "k", "v", "PX", "100"});
  h.clock().AdvanceUs(90'000);
  h.Run({"SUBSCRIBE", "tick"}, "sub");
  h.TakeFrames("sub");
  Client* sub = &h.client("sub");
  h.server().on_reply_ready = [&h, sub](Client* c) {
    if (c == sub) h.clock().AdvanceUs(50'000);
  };
  const int64_t before = h.clock().NowMs();
  CHECK(h.Run({"EVAL",
               "local a = redis.call('exists','k'); local p = redis.call('pttl','k'); "
               "redis.call('publish','tick','x'); "
               "return {a, p, redis.call('exists','k'), redis.call('get','k')}",
               "0"}) == "[1, 10, 1, \"v\"]");
  h.server().on_reply_ready = nullptr;
  CHECK(h.clock().NowMs() == before + 50);
  CHECK(h.Run({"EXISTS", "k"}) == "0");

  // PTTL after the clock moved: Redis's wall-clock reading is past the deadline, so 0.
  h.Run({"SET", "k", "v", "PX", "100"});
  h.clock().AdvanceUs(90'000);
  h.server().on_reply_ready = [&h, sub](Client* c) {
    if (c == sub) h.clock().AdvanceUs(50'000);
  };
  CHECK(h.Run({"EVAL",
               "redis.call('publish','tick','x'); return {redis.call('exists','k'), "
               "redis.call('pttl','k')}",
               "0"}) == "[1, 0]");
  h.server().on_reply_ready = nullptr;
}

TEST_CASE("scripting: a script propagates its effects, wrapped in MULTI/EXEC when several",
          "[scripting]") {
  // The commands below ran on redis-server 7.0.15 (appendonly yes, appendfsync always, DEBUG
  // SET-ACTIVE-EXPIRE 0); `want` is its incr AOF, one command per line, with the absolute times
  // it computed written relative to the command's clock.
  CommandHarness h;
  h.server().set_active_expire_enabled(false);
  CapturingSink sink;
  h.server().propagation_sink = &sink;
  auto run = [&](std::vector<std::string_view> argv) { h.Run(argv); };
  const std::string t0 = std::to_string(h.clock().NowMs());
  run({"EVAL", "redis.call('set','a','1'); redis.call('incr','a'); return 1", "0"});
  run({"EVAL", "redis.call('set','b','1'); return 1", "0"});
  run({"EVAL", "return redis.call('get','a')", "0"});
  run({"EVAL",
       "redis.call('set','c','1'); redis.set_repl(redis.REPL_NONE); redis.call('set','d','1'); "
       "redis.set_repl(redis.REPL_ALL); redis.call('set','e','1'); return 1",
       "0"});
  run({"EVAL", "redis.call('select','3'); redis.call('set','f','1'); return 1", "0"});
  run({"EVAL",
       "redis.call('set','g','1'); redis.call('select','3'); redis.call('set','f','2'); return 1",
       "0"});
  run({"EVAL", "redis.call('set','h','1','ex','100'); redis.call('expire','a','100'); return 1",
       "0"});
  run({"EVAL", "return redis.call('incrbyfloat','fl','1.5')", "0"});
  run({"EVAL",
       "redis.call('rpush','l','1','2','3'); redis.call('lpop','l'); redis.call('spop','nos'); "
       "return 1",
       "0"});
  run({"EVAL", "redis.call('set','x','1'); error('fail after write')", "0"});
  run({"EVAL", "redis.call('set','y','1'); return redis.call('nosuch')", "0"});
  run({"EVAL", "redis.set_repl(redis.REPL_NONE); redis.call('set','z','1'); return 1", "0"});
  run({"EVAL", "redis.set_repl(redis.REPL_AOF); redis.call('set','z2','1'); return 1", "0"});
  run({"EVAL", "redis.set_repl(redis.REPL_REPLICA); redis.call('set','z3','1'); return 1", "0"});
  run({"MULTI"});
  run({"EVAL", "redis.call('set','m1','1'); return 1", "0"});
  run({"SET", "m2", "2"});
  run({"EXEC"});
  run({"MULTI"});
  run({"EVAL", "redis.call('set','m3','1'); return 1", "0"});
  run({"EXEC"});
  run({"MULTI"});
  run({"EVAL", "redis.call('set','m4','1'); redis.call('set','m5','1'); return 1", "0"});
  run({"EVAL", "return 1", "0"});
  run({"EXEC"});
  run({"EVAL", "redis.call('del','nokey'); return 1", "0"});
  run({"EVAL", "redis.call('set','a','1'); redis.call('set','a','1'); return 1", "0"});
  run({"EVAL_RO", "return redis.call('get','a')", "0"});
  run({"EVAL", "redis.call('sadd','s','a'); redis.call('spop','s'); return 1", "0"});
  run({"SCRIPT", "FLUSH"});
  run({"SCRIPT", "LOAD",
       "redis.call('set', KEYS[1], ARGV[1]); redis.call('set', KEYS[1], ARGV[1])"});
  run({"EVALSHA", "341e56ba517e571159c73c65e33693d8fad920f0", "1", "sha", "v"});
  run({"SET", "ex", "1", "PX", "100"});
  h.clock().AdvanceUs(200'000);
  const std::string t1 = std::to_string(h.clock().NowMs());
  run({"EVAL", "return redis.call('get','ex')", "0"});
  run({"SET", "ex2", "1", "PX", "100"});
  h.clock().AdvanceUs(200'000);
  run({"EVAL", "redis.call('set','other','1'); return redis.call('exists','ex2')", "0"});
  run({"SELECT", "5"});
  run({"EVAL", "redis.call('set','in5','1'); return 1", "0"});
  run({"EVAL", "redis.call('select','0'); redis.call('set','from5','1'); return 1", "0"});
  run({"SET", "after", "1"});
  run({"SELECT", "0"});
  run({"EVAL", "redis.call('set','end','1'); return 1", "0"});
  h.server().propagation_sink = nullptr;

  const std::string want =
      "SELECT 0\n"
      "MULTI\nset a 1\nincr a\nEXEC\n"
      "set b 1\n"
      "MULTI\nset c 1\nset e 1\nEXEC\n"
      "SELECT 3\nset f 1\n"
      "SELECT 0\nMULTI\nset g 1\nSELECT 3\nset f 2\nEXEC\n"
      "SELECT 0\nMULTI\nSET h 1 PXAT " +
      std::to_string(std::stoll(t0) + 100'000) + "\nPEXPIREAT a " +
      std::to_string(std::stoll(t0) + 100'000) +
      "\nEXEC\n"
      "SET fl 1.5 KEEPTTL\n"
      "MULTI\nrpush l 1 2 3\nlpop l\nEXEC\n"
      "set x 1\n"
      "set y 1\n"
      "set z2 1\n"
      "MULTI\nset m1 1\nSET m2 2\nEXEC\n"
      "set m3 1\n"
      "MULTI\nset m4 1\nset m5 1\nEXEC\n"
      "MULTI\nset a 1\nset a 1\nEXEC\n"
      "MULTI\nsadd s a\nSREM s a\nEXEC\n"
      "MULTI\nset sha v\nset sha v\nEXEC\n"
      "SET ex 1 PXAT " +
      std::to_string(std::stoll(t0) + 100) +
      "\nDEL ex\n"
      "SET ex2 1 PXAT " +
      std::to_string(std::stoll(t1) + 100) +
      "\nMULTI\nset other 1\nDEL ex2\nEXEC\n"
      "SELECT 5\nset in5 1\n"
      "SELECT 0\nset from5 1\n"
      "SELECT 5\nSET after 1\n"
      "SELECT 0\nset end 1\n";
  CHECK(PrettyAof(sink.bytes) == want);
}

}  // namespace
}  // namespace baozi::testing
