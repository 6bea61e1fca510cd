// FUNCTION and FCALL through the real dispatcher: every reply and error text below is what
// redis-server 7.0.15 answers for the same commands.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "server/propagate.h"
#include "server/version.h"
#include "tests/command/harness.h"

namespace baozi::testing {
namespace {

constexpr char kLib[] =
    "#!lua name=mylib\n"
    "redis.register_function('myfunc', function(keys, args) return args[1] end)";

std::string Lib(std::string_view name, std::string_view body) {
  return "#!lua name=" + std::string(name) + "\n" + std::string(body);
}

// FUNCTION LOAD of a library made of `body`, returning the reply.
std::string Load(CommandHarness& h, std::string_view name, std::string_view body) {
  const std::string code = Lib(name, body);
  return h.Run({"FUNCTION", "LOAD", code});
}

std::string LoadError(CommandHarness& h, std::string_view body) { return Load(h, "t", body); }

class Recorder : public PropagationSink {
 public:
  void Feed(int, std::span<const std::string_view> argv) override {
    std::string line;
    for (std::string_view a : argv) {
      if (!line.empty()) line += ' ';
      line.append(a);
    }
    ops.push_back(line);
  }
  std::vector<std::string> ops;
};

TEST_CASE("FUNCTION LOAD then FCALL", "[function]") {
  CommandHarness h;
  CHECK(h.Run({"FUNCTION", "LOAD", kLib}) == "\"mylib\"");
  CHECK(h.Run({"FCALL", "myfunc", "0", "hello"}) == "\"hello\"");
  // Function names are looked up case-insensitively.
  CHECK(h.Run({"FCALL", "MYFUNC", "0", "x"}) == "\"x\"");
  CHECK(h.Run({"FCALL_RO", "myfunc", "0", "x"}) ==
        "(error) ERR Can not execute a script with write flag using *_ro command.");
  CHECK(h.Run({"FUNCTION", "LOAD", kLib}) == "(error) ERR Library 'mylib' already exists");
  CHECK(h.Run({"FUNCTION", "LOAD", "REPLACE", kLib}) == "\"mylib\"");
  CHECK(h.Run({"FUNCTION", "LOAD", "replace", "replace", kLib}) == "\"mylib\"");
  CHECK(h.Run({"FUNCTION", "LOAD", "foo", kLib}) == "(error) ERR Unknown option given: foo");
  CHECK(h.Run({"FUNCTION", "LOAD", "replace"}) == "(error) ERR Missing library metadata");
  CHECK(h.Run({"FUNCTION", "LOAD"}) ==
        "(error) ERR wrong number of arguments for 'function|load' command");
}

TEST_CASE("FUNCTION LOAD: library metadata errors", "[function]") {
  CommandHarness h;
  auto load = [&](std::string code) { return h.Run({"FUNCTION", "LOAD", code}); };
  CHECK(load("return 1") == "(error) ERR Missing library metadata");
  CHECK(load("#!lua") == "(error) ERR Invalid library metadata");
  CHECK(load("#!lua name=ok") == "(error) ERR Invalid library metadata");
  CHECK(load("#!lua name=a b=c\n") == "(error) ERR Invalid metadata value given: b=c");
  CHECK(load("#!lua name=a name=b\n") ==
        "(error) ERR Invalid metadata value, name argument was given multiple times");
  CHECK(load("#!lua\n") == "(error) ERR Library name was not given");
  const std::string bad_name =
      "(error) ERR Library names can only contain letters, numbers, or underscores(_) and must "
      "be at least one character long";
  CHECK(load("#!lua name=\n") == bad_name);
  CHECK(load("#!lua name=a-b\n") == bad_name);
  CHECK(load("#!luax name=a\n") == "(error) ERR Engine 'luax' not found");
  CHECK(load("#!lua NAME=abc\nreturn") == "(error) ERR No functions registered");
  CHECK(load("#!lua name=ok\n") == "(error) ERR No functions registered");
  CHECK(load("#!lua name=ok\nredis.register_function('a', function() end") ==
        "(error) ERR Error compiling function: user_function:2: ')' expected near '<eof>'");
  // The engine's name is case-insensitive.
  CHECK(load("#!LuA name=x\nredis.register_function('fx', function() return 1 end)") == "\"x\"");
}

TEST_CASE("redis.register_function: argument errors", "[function]") {
  CommandHarness h;
  const std::string prefix = "(error) ERR Error registering functions: ERR ";
  CHECK(LoadError(h, "redis.register_function()") ==
        prefix + "wrong number of arguments to redis.register_function");
  CHECK(LoadError(h, "redis.register_function(1,2,3)") ==
        prefix + "wrong number of arguments to redis.register_function");
  CHECK(LoadError(h, "redis.register_function('a')") ==
        prefix +
            "calling redis.register_function with a single argument is only applicable to Lua "
            "table (representing named arguments).");
  CHECK(LoadError(h, "redis.register_function('a', 1)") ==
        prefix + "second argument to redis.register_function must be a function");
  CHECK(LoadError(h, "redis.register_function({}, 5)") ==
        prefix + "first argument to redis.register_function must be a string");
  CHECK(LoadError(h, "redis.register_function({})") ==
        prefix + "redis.register_function must get a function name argument");
  CHECK(LoadError(h, "redis.register_function({function_name='a'})") ==
        prefix + "redis.register_function must get a callback argument");
  CHECK(LoadError(h, "redis.register_function({callback=function() end})") ==
        prefix + "redis.register_function must get a function name argument");
  CHECK(LoadError(h,
                  "redis.register_function({function_name='a', callback=function() end, "
                  "flags={'bad'}})") == prefix + "unknown flag given");
  CHECK(LoadError(h,
                  "redis.register_function({function_name='a', callback=function() end, "
                  "flags='no-writes'})") ==
        prefix +
            "flags argument to redis.register_function must be a table representing function "
            "flags");
  CHECK(LoadError(h,
                  "redis.register_function({function_name='a', callback=function() end, "
                  "foo=1})") == prefix + "unknown argument given to redis.register_function");
  CHECK(LoadError(h, "redis.register_function({function_name={}, callback=function() end})") ==
        prefix + "function_name argument given to redis.register_function must be a string");
  CHECK(LoadError(h, "redis.register_function({function_name='a', callback=1})") ==
        prefix + "callback argument given to redis.register_function must be a function");
  CHECK(LoadError(h,
                  "redis.register_function({function_name='a', callback=function() end, "
                  "description={}})") ==
        prefix + "description argument given to redis.register_function must be a string");
  CHECK(LoadError(h, "redis.register_function({[true]='a', callback=function() end})") ==
        prefix + "named argument key given to redis.register_function is not a string");
  CHECK(LoadError(h, "redis.register_function('a-b', function() end)") ==
        prefix +
            "Library names can only contain letters, numbers, or underscores(_) and must be at "
            "least one character long");
  CHECK(LoadError(h,
                  "redis.register_function('a', function() end) "
                  "redis.register_function('a', function() end)") ==
        prefix + "Function already exists in the library");
  // A number is a string to Lua: it names a function.
  CHECK(Load(h, "num", "redis.register_function(1, function() return 'one' end)") == "\"num\"");
  CHECK(h.Run({"FCALL", "1", "0"}) == "\"one\"");
}

TEST_CASE("Library code runs with only `redis` in reach", "[function]") {
  CommandHarness h;
  const std::string prefix = "(error) ERR Error registering functions: ERR user_function:2: ";
  CHECK(LoadError(h, "local s = string.format('a')") ==
        prefix + "Script attempted to access nonexistent global variable 'string'");
  CHECK(LoadError(h, "redis.call('ping')") ==
        prefix + "Script attempted to access nonexistent global variable 'call'");
  CHECK(LoadError(h, "redis.setresp(3)") ==
        prefix + "Script attempted to access nonexistent global variable 'setresp'");
  CHECK(LoadError(h, "foo = 1") == prefix + "Attempt to modify a readonly table");
  CHECK(LoadError(h, "redis.foo = 1") == prefix + "Attempt to modify a readonly table");
  CHECK(LoadError(h, "local a = _G") ==
        prefix + "Script attempted to access nonexistent global variable '_G'");
  CHECK(LoadError(h, "error('x')") ==
        prefix + "Script attempted to access nonexistent global variable 'error'");
  CHECK(LoadError(h, "redis.log()") ==
        "(error) ERR Error registering functions: ERR redis.log() requires two arguments or "
        "more.");
  // What the load-time API does offer.
  CHECK(Load(h, "ok",
             "redis.log(redis.LOG_DEBUG, 'loading') local v = redis.REDIS_VERSION "
             "local n = redis.REDIS_VERSION_NUM + redis.LOG_DEBUG + redis.LOG_NOTICE "
             "redis.register_function('v', function() return {v, n} end)") == "\"ok\"");
  // baozi reports its Redis version (server/version.h); NUM is 0x00MMmmpp, plus 0 + 2 here.
  int major = 0, minor = 0, patch = 0;
  std::sscanf(std::string(kRedisVersion).c_str(), "%d.%d.%d", &major, &minor, &patch);
  CHECK(h.Run({"FCALL", "v", "0"}) == "[\"" + std::string(kRedisVersion) + "\", " +
                                          std::to_string((major << 16 | minor << 8 | patch) + 2) +
                                          "]");
  // At run time the full environment is there, and register_function is not.
  CHECK(Load(h, "rt",
             "redis.register_function('rt1', function() return string.rep('a', 3) end)\n"
             "redis.register_function('rt2', function() return redis.register_function('z', "
             "function() end) end)\n"
             "redis.register_function('rt3', function() foo = 1 end)\n"
             "redis.register_function('rt4', function() return KEYS end)\n"
             "local r = redis\n"
             "redis.register_function('rt5', function() return r.call('ping') end)\n"
             "redis.register_function('rt6', function() return r.register_function('z', "
             "function() end) end)") == "\"rt\"");
  CHECK(h.Run({"FCALL", "rt1", "0"}) == "\"aaa\"");
  CHECK(h.Run({"FCALL", "rt2", "0"}) ==
        "(error) ERR user_function:3: attempt to call field 'register_function' (a nil value) "
        "script: rt2, on @user_function:3.");
  CHECK(h.Run({"FCALL", "rt3", "0"}) ==
        "(error) ERR user_function:4: Attempt to modify a readonly table script: rt3, on "
        "@user_function:4.");
  CHECK(h.Run({"FCALL", "rt4", "0"}) ==
        "(error) ERR user_function:5: Script attempted to access nonexistent global variable "
        "'KEYS' script: rt4, on @user_function:5.");
  // A captured load-time `redis` stays the load-time one.
  CHECK(h.Run({"FCALL", "rt5", "0"}) ==
        "(error) ERR user_function:7: Script attempted to access nonexistent global variable "
        "'call' script: rt5, on @user_function:7.");
  CHECK(h.Run({"FCALL", "rt6", "0"}) ==
        "(error) ERR redis.register_function can only be called on FUNCTION LOAD command "
        "script: rt6, on @user_function:8.");
}

TEST_CASE("A library keeps its local state between calls", "[function]") {
  CommandHarness h;
  CHECK(Load(h, "counter",
             "local n = 0\n"
             "redis.register_function{function_name='inc', callback=function() n = n + 1 "
             "return n end, flags={'no-writes'}}") == "\"counter\"");
  CHECK(h.Run({"FCALL", "inc", "0"}) == "1");
  CHECK(h.Run({"FCALL_RO", "inc", "0"}) == "2");
}

TEST_CASE("Function names collide across libraries, case-insensitively", "[function]") {
  CommandHarness h;
  CHECK(Load(h, "Lib", "redis.register_function('Foo', function() return 1 end)") == "\"Lib\"");
  CHECK(Load(h, "lib", "redis.register_function('bar', function() return 2 end)") == "\"lib\"");
  CHECK(Load(h, "lib2", "redis.register_function('fOO', function() return 1 end)") ==
        "(error) ERR Function fOO already exists");
  CHECK(h.Run({"FUNCTION", "LOAD", "REPLACE",
               Lib("lib", "redis.register_function('FOO', function() return 1 end)")}) ==
        "(error) ERR Function FOO already exists");
  // The failed REPLACE left the old library in place.
  CHECK(h.Run({"FCALL", "bar", "0"}) == "2");
  CHECK(h.Run({"FUNCTION", "LOAD", "REPLACE",
               Lib("lib", "redis.register_function('baz', function() return 3 end)")}) ==
        "\"lib\"");
  CHECK(h.Run({"FCALL", "bar", "0"}) == "(error) ERR Function not found");
  CHECK(h.Run({"FCALL", "baz", "0"}) == "3");
  CHECK(h.Run({"FUNCTION", "DELETE", "LIB"}) == "(error) ERR Library not found");
  CHECK(h.Run({"FUNCTION", "DELETE", "lib"}) == "OK");
  CHECK(h.Run({"FCALL", "baz", "0"}) == "(error) ERR Function not found");
  CHECK(h.Run({"FCALL", "foo", "0"}) == "1");
}

TEST_CASE("FUNCTION LIST in RESP2 and RESP3", "[function]") {
  CommandHarness h;
  CHECK(Load(h, "ok",
             "redis.register_function('ab', function() end) "
             "redis.register_function({function_name='cd', callback=function() end, "
             "flags={'no-writes','allow-oom', 'ALLOW-STALE', 'no-cluster', "
             "'allow-cross-slot-keys'}, description='hello'})") == "\"ok\"");
  CHECK(h.Run({"FUNCTION", "LIST"}) ==
        "[[\"library_name\", \"ok\", \"engine\", \"LUA\", \"functions\", [[\"name\", \"ab\", "
        "\"description\", nil, \"flags\", []], [\"name\", \"cd\", \"description\", \"hello\", "
        "\"flags\", [no-writes, allow-oom, allow-stale, no-cluster, allow-cross-slot-keys]]]]]");
  CHECK(h.Run({"FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "O*"})
            .find("\"library_code\", \"#!lua name=ok\\n") != std::string::npos);
  CHECK(h.Run({"FUNCTION", "LIST", "LIBRARYNAME", "x*"}) == "[]");
  CHECK(h.Run({"FUNCTION", "LIST", "foo"}) == "(error) ERR Unknown argument foo");
  CHECK(h.Run({"FUNCTION", "LIST", "libraryname"}) ==
        "(error) ERR library name argument was not given");
  CHECK(h.Run({"FUNCTION", "LIST", "withcode", "withcode"}) ==
        "(error) ERR Unknown argument withcode");
  CHECK(h.Run({"FUNCTION", "LIST", "libraryname", "a", "libraryname", "b"}) ==
        "(error) ERR Unknown argument libraryname");
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"FUNCTION", "LIST"}) ==
        "[{\"library_name\" => \"ok\", \"engine\" => \"LUA\", \"functions\" => [{\"name\" => "
        "\"ab\", \"description\" => nil, \"flags\" => ~{}}, {\"name\" => \"cd\", "
        "\"description\" => \"hello\", \"flags\" => ~{no-writes, allow-oom, allow-stale, "
        "no-cluster, allow-cross-slot-keys}}]}]");
  CHECK(h.Run({"FUNCTION", "STATS"}) ==
        "{\"running_script\" => nil, \"engines\" => {\"LUA\" => {\"libraries_count\" => 1, "
        "\"functions_count\" => 2}}}");
}

TEST_CASE("FUNCTION DELETE, FLUSH, STATS, KILL and HELP", "[function]") {
  CommandHarness h;
  CHECK(h.Run({"FUNCTION", "STATS"}) ==
        "[\"running_script\", nil, \"engines\", [\"LUA\", [\"libraries_count\", 0, "
        "\"functions_count\", 0]]]");
  CHECK(h.Run({"FUNCTION", "LOAD", kLib}) == "\"mylib\"");
  CHECK(h.Run({"FUNCTION", "STATS"}) ==
        "[\"running_script\", nil, \"engines\", [\"LUA\", [\"libraries_count\", 1, "
        "\"functions_count\", 1]]]");
  CHECK(h.Run({"FUNCTION", "DELETE"}) ==
        "(error) ERR wrong number of arguments for 'function|delete' command");
  CHECK(h.Run({"FUNCTION", "DELETE", "nope"}) == "(error) ERR Library not found");
  CHECK(h.Run({"FUNCTION", "FLUSH", "foo"}) ==
        "(error) ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  CHECK(h.Run({"FUNCTION", "flush", "sync", "async"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION "
        "HELP.");
  CHECK(h.Run({"FUNCTION", "FLUSH", "ASYNC"}) == "OK");
  CHECK(h.Run({"FCALL", "myfunc", "0"}) == "(error) ERR Function not found");
  CHECK(h.Run({"FUNCTION", "FLUSH"}) == "OK");
  CHECK(h.Run({"FUNCTION", "KILL"}) == "(error) NOTBUSY No scripts in execution right now.");
  CHECK(h.Run({"FUNCTION", "KILL", "x"}) ==
        "(error) ERR wrong number of arguments for 'function|kill' command");
  CHECK(h.Run({"FUNCTION", "STATS", "x"}) ==
        "(error) ERR wrong number of arguments for 'function|stats' command");
  CHECK(h.Run({"FUNCTION", "DUMP", "x"}) ==
        "(error) ERR wrong number of arguments for 'function|dump' command");
  CHECK(h.Run({"FUNCTION", "foo"}) == "(error) ERR unknown subcommand 'foo'. Try FUNCTION HELP.");
  CHECK(h.Run({"FUNCTION"}) == "(error) ERR wrong number of arguments for 'function' command");
  auto help = h.RunValue({"FUNCTION", "HELP"});
  REQUIRE(help.elems.size() == 40);
  CHECK(help.elems[0].str == "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  CHECK(help.elems[39].str == "    Prints this help.");
}

TEST_CASE("FUNCTION DUMP and RESTORE", "[function]") {
  CommandHarness h;
  CHECK(h.Run({"FUNCTION", "LOAD", kLib}) == "\"mylib\"");
  auto dump = h.RunValue({"FUNCTION", "DUMP"});
  REQUIRE(dump.type == protocol::RespValue::kBulk);
  // Redis 7.0.15's FUNCTION DUMP of the same library.
  CHECK(dump.str.substr(0, 8) == std::string("\xf5\xc3@V@[\x1f#", 8));
  const std::string payload = dump.str;

  CHECK(h.Run({"FUNCTION", "RESTORE", payload}) == "(error) ERR Library mylib already exists");
  CHECK(h.Run({"FUNCTION", "RESTORE", payload, "REPLACE"}) == "OK");
  CHECK(h.Run({"FUNCTION", "FLUSH"}) == "OK");
  CHECK(h.Run({"FUNCTION", "RESTORE", payload}) == "OK");
  CHECK(h.Run({"FCALL", "myfunc", "0", "back"}) == "\"back\"");
  CHECK(h.Run({"FUNCTION", "RESTORE", payload, "append"}) ==
        "(error) ERR Library mylib already exists");

  // FLUSH drops what is there first.
  CHECK(Load(h, "other", "redis.register_function('of', function() return 1 end)") == "\"other\"");
  CHECK(h.Run({"FUNCTION", "RESTORE", payload, "flush"}) == "OK");
  CHECK(h.Run({"FCALL", "of", "0"}) == "(error) ERR Function not found");
  CHECK(h.Run({"FCALL", "myfunc", "0", "x"}) == "\"x\"");

  // A function name taken by another library.
  CHECK(h.Run({"FUNCTION", "FLUSH"}) == "OK");
  CHECK(Load(h, "taker", "redis.register_function('MYFUNC', function() return 1 end)") ==
        "\"taker\"");
  CHECK(h.Run({"FUNCTION", "RESTORE", payload, "REPLACE"}) ==
        "(error) ERR Function myfunc already exists");

  CHECK(h.Run({"FUNCTION", "RESTORE"}) ==
        "(error) ERR wrong number of arguments for 'function|restore' command");
  CHECK(h.Run({"FUNCTION", "RESTORE", "x"}) ==
        "(error) ERR DUMP payload version or checksum are wrong");
  CHECK(h.Run({"FUNCTION", "RESTORE", "x", "y"}) ==
        "(error) ERR Wrong restore policy given, value should be either FLUSH, APPEND or "
        "REPLACE.");
  CHECK(h.Run({"FUNCTION", "restore", "x", "flush", "extra"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION "
        "HELP.");
  // An empty payload restores nothing.
  CHECK(h.Run({"FUNCTION", "FLUSH"}) == "OK");
  auto empty = h.RunValue({"FUNCTION", "DUMP"});
  CHECK(empty.str.size() == 10);
  CHECK(h.Run({"FUNCTION", "RESTORE", empty.str}) == "OK");
}

TEST_CASE("FCALL: argument errors and reply conversions", "[function]") {
  CommandHarness h;
  CHECK(Load(h, "t",
             "redis.register_function('ro', function(keys, args) return redis.call('get', "
             "keys[1]) end)\n"
             "redis.register_function{function_name='rof', callback=function(keys, args) "
             "return redis.call('get', keys[1]) end, flags={'no-writes'}}\n"
             "redis.register_function{function_name='wf', callback=function(keys, args) "
             "return redis.call('set', keys[1], args[1]) end, flags={'no-writes'}}\n"
             "redis.register_function('w', function(keys, args) return redis.call('set', "
             "keys[1], args[1]) end)\n"
             "redis.register_function('err', function() return redis.error_reply('MY err') "
             "end)\n"
             "redis.register_function('err2', function() error('boom') end)\n"
             "redis.register_function('err3', function() return redis.call('nocmd') end)\n"
             "redis.register_function('t', function() return {1, 'a', {ok='OK'}, false, true, "
             "3.7, {err='x'}} end)\n"
             "redis.register_function('ka', function(keys, args) return {keys, args, #keys} "
             "end)") == "\"t\"");
  CHECK(h.Run({"FCALL", "nofunc", "0"}) == "(error) ERR Function not found");
  CHECK(h.Run({"FCALL", "ro", "x"}) == "(error) ERR Bad number of keys provided");
  CHECK(h.Run({"FCALL", "ro", "1.5"}) == "(error) ERR Bad number of keys provided");
  CHECK(h.Run({"FCALL", "ro", "2", "a"}) ==
        "(error) ERR Number of keys can't be greater than number of args");
  CHECK(h.Run({"FCALL", "ro", "-1"}) == "(error) ERR Number of keys can't be negative");
  CHECK(h.Run({"FCALL", "ro"}) == "(error) ERR wrong number of arguments for 'fcall' command");
  CHECK(h.Run({"FCALL", "ro", "0"}) ==
        "(error) ERR Lua redis lib command arguments must be strings or integers script: ro, "
        "on @user_function:2.");
  CHECK(h.Run({"FCALL_RO", "ro", "1", "k"}) ==
        "(error) ERR Can not execute a script with write flag using *_ro command.");
  CHECK(h.Run({"FCALL_RO", "rof", "1", "k"}) == "nil");
  CHECK(h.Run({"FCALL", "rof", "1", "k"}) == "nil");
  CHECK(h.Run({"FCALL", "wf", "1", "k", "v"}) ==
        "(error) ERR Write commands are not allowed from read-only scripts. script: wf, on "
        "@user_function:4.");
  CHECK(h.Run({"FCALL", "w", "1", "k", "v"}) == "OK");
  CHECK(h.Run({"FCALL_RO", "rof", "1", "k"}) == "\"v\"");
  CHECK(h.Run({"FCALL", "err", "0"}) == "(error) MY err");
  CHECK(h.Run({"FCALL", "err2", "0"}) ==
        "(error) ERR user_function:7: boom script: err2, on @user_function:7.");
  CHECK(h.Run({"FCALL", "err3", "0"}) ==
        "(error) ERR Unknown Redis command called from script script: err3, on "
        "@user_function:8.");
  CHECK(h.Run({"FCALL", "t", "0"}) == "[1, \"a\", OK, nil, 1, 3, (error) x]");
  CHECK(h.Run({"FCALL", "ka", "2", "a", "b", "c", "d"}) == "[[\"a\", \"b\"], [\"c\", \"d\"], 2]");
}

TEST_CASE("FCALL in MULTI, with flags deciding OOM", "[function]") {
  CommandHarness h;
  CHECK(Load(h, "m",
             "redis.register_function('incr', function(keys) return redis.call('incr', keys[1]) "
             "end)\n"
             "redis.register_function{function_name='get', callback=function(keys) return "
             "redis.call('get', keys[1]) end, flags={'no-writes'}}\n"
             "redis.register_function{function_name='oomok', callback=function(keys) return "
             "redis.call('incr', keys[1]) end, flags={'allow-oom'}}") == "\"m\"");
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"FCALL", "incr", "1", "c"}) == "QUEUED");
  CHECK(h.Run({"FCALL", "incr", "1", "c"}) == "QUEUED");
  CHECK(h.Run({"EXEC"}) == "[1, 2]");

  h.server().memory_probe = [] { return size_t{1} << 40; };
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "1mb"}) == "OK");
  CHECK(h.Run({"FCALL", "incr", "1", "c"}) ==
        "(error) OOM command not allowed when used memory > 'maxmemory'.");
  CHECK(h.Run({"FCALL", "get", "1", "c"}) == "\"2\"");
  CHECK(h.Run({"FCALL", "oomok", "1", "c"}) == "3");
  CHECK(h.Run({"FUNCTION", "LOAD", kLib}) ==
        "(error) OOM command not allowed when used memory > 'maxmemory'.");
  h.server().memory_probe = nullptr;
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "0"}) == "OK");
}

TEST_CASE("FUNCTION LOAD gives up on code running past 500 ms", "[function]") {
  CommandHarness h;
  CHECK(LoadError(h, "local i = 0 while true do i = i + 1 end") ==
        "(error) ERR Error registering functions: ERR FUNCTION LOAD timeout");
  // The interpreter is usable afterwards.
  CHECK(h.Run({"FUNCTION", "LOAD", kLib}) == "\"mylib\"");
  CHECK(h.Run({"FCALL", "myfunc", "0", "ok"}) == "\"ok\"");
}

TEST_CASE("FUNCTION commands propagate as themselves, FCALL as its effects", "[function]") {
  CommandHarness h;
  Recorder rec;
  h.server().propagation_sink = &rec;
  const std::string lib = Lib("t",
                              "redis.register_function('w', function(keys, args) return "
                              "redis.call('set', keys[1], args[1]) end)");
  CHECK(h.Run({"FUNCTION", "LOAD", lib}) == "\"t\"");
  CHECK(h.Run({"FCALL", "w", "1", "k", "v"}) == "OK");
  CHECK(h.Run({"FUNCTION", "LOAD", "REPLACE", lib}) == "\"t\"");
  CHECK(h.Run({"FUNCTION", "DELETE", "t"}) == "OK");
  CHECK(h.Run({"FUNCTION", "DELETE", "nope"}) == "(error) ERR Library not found");
  CHECK(h.Run({"FUNCTION", "FLUSH", "async"}) == "OK");
  h.server().propagation_sink = nullptr;
  REQUIRE(rec.ops.size() == 5);
  CHECK(rec.ops[0] == "FUNCTION LOAD " + lib);
  CHECK(rec.ops[1] == "set k v");
  CHECK(rec.ops[2] == "FUNCTION LOAD REPLACE " + lib);
  CHECK(rec.ops[3] == "FUNCTION DELETE t");
  CHECK(rec.ops[4] == "FUNCTION FLUSH async");
  CHECK(h.RunValue({"INFO", "persistence"}).str.find("rdb_changes_since_last_save:5\r\n") !=
        std::string::npos);
}

TEST_CASE("INFO memory counts functions and libraries", "[function]") {
  CommandHarness h;
  auto info = [&] { return h.RunValue({"INFO", "memory"}).str; };
  CHECK(info().find("number_of_functions:0\r\nnumber_of_libraries:0\r\n") != std::string::npos);
  CHECK(info().find("used_memory_functions:200\r\n") != std::string::npos);
  CHECK(Load(h, "a",
             "redis.register_function('f1', function() end) "
             "redis.register_function('f2', function() end)") == "\"a\"");
  CHECK(info().find("number_of_functions:2\r\nnumber_of_libraries:1\r\n") != std::string::npos);
  CHECK(info().find("used_memory_vm_functions:0\r\n") == std::string::npos);
  CHECK(h.Run({"FLUSHALL"}) == "OK");  // FLUSHALL leaves functions alone
  CHECK(info().find("number_of_functions:2\r\n") != std::string::npos);
}

}  // namespace
}  // namespace baozi::testing
