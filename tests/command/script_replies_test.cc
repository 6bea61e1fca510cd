// What crosses the border between Redis and Lua in EVAL, checked against Redis's bytes: Lua values
// becoming replies (numbers truncated, booleans, nil, tables cut at the first nil, {ok=}, {err=},
// the RESP3 tables for RESP2 and RESP3 callers), replies becoming Lua values under RESP2 and
// setresp(3), redis.call's arguments and refusals, every error text with its "script: <sha>, on
// @user_script:<line>." suffix, pcall, compile errors, the globals protection, the libraries a
// script sees, the redis.* helpers and math.random's sequence.
//
// Every table was produced by running its steps on redis-server 7.0.15 (see script_steps.h). Left
// out on purpose: redis.REDIS_VERSION (baozi reports its own version), tostring() of tables and
// functions (addresses), error tables without a string `err` (they crash Redis 7.0.15), commands
// baozi does not have (replication, LOLWUT), and sets of status replies under setresp(3), whose
// order is the order of Lua table addresses.
#include <catch2/catch.hpp>
#include <string>

#include "tests/command/script_steps.h"

namespace baozi::testing {
namespace {

using namespace std::string_literals;

// clang-format off
TEST_CASE("scripting: Lua values become replies: numbers truncate, booleans, nil, strings",
          "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(return 'hello')lua", "0"}, "$5\r\nhello\r\n"},
      {{"EVAL", R"lua(return '')lua", "0"}, "$0\r\n\r\n"},
      {{"EVAL", R"lua(return 'a\0b')lua", "0"}, "$3\r\na\x00" "b\r\n"s},
      {{"EVAL", "return 100.5", "0"}, ":100\r\n"},
      {{"EVAL", "return 3.99", "0"}, ":3\r\n"},
      {{"EVAL", "return -3.99", "0"}, ":-3\r\n"},
      {{"EVAL", "return -0.5", "0"}, ":0\r\n"},
      {{"EVAL", "return 0", "0"}, ":0\r\n"},
      {{"EVAL", "return -0", "0"}, ":0\r\n"},
      {{"EVAL", "return 2^53 + 1", "0"}, ":9007199254740992\r\n"},
      {{"EVAL", "return 9007199254740993", "0"}, ":9007199254740992\r\n"},
      {{"EVAL", "return 2^62", "0"}, ":4611686018427387904\r\n"},
      {{"EVAL", "return -2^63", "0"}, ":-9223372036854775808\r\n"},
      {{"EVAL", "return 1e20", "0"}, ":-9223372036854775808\r\n"},
      {{"EVAL", "return -1e20", "0"}, ":-9223372036854775808\r\n"},
      {{"EVAL", "return 1e300", "0"}, ":-9223372036854775808\r\n"},
      {{"EVAL", "return 1/0", "0"}, ":-9223372036854775808\r\n"},
      {{"EVAL", "return -1/0", "0"}, ":-9223372036854775808\r\n"},
      {{"EVAL", "return 0/0", "0"}, ":-9223372036854775808\r\n"},
      {{"EVAL", "return true", "0"}, ":1\r\n"},
      {{"EVAL", "return false", "0"}, "$-1\r\n"},
      {{"EVAL", "return nil", "0"}, "$-1\r\n"},
      {{"EVAL", "local x", "0"}, "$-1\r\n"},
      {{"EVAL", "return", "0"}, "$-1\r\n"},
      {{"EVAL", "return 1, 2", "0"}, ":1\r\n"},
      {{"EVAL", R"lua(return tonumber('0x10'))lua", "0"}, ":16\r\n"},
      {{"EVAL", R"lua(return '12')lua", "0"}, "$2\r\n12\r\n"},
      {{"EVAL", "return print == nil", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'print' scr"
       "ipt: 7108703141b6cfb77bf378c6364bac463a19c03a, on @user_script:1.\r\n"},
  });
}

TEST_CASE("scripting: Lua tables become arrays that stop at the first nil; nested tables nest",
          "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(return {1,2,3,'x',nil,5})lua", "0"}, "*4\r\n:1\r\n:2\r\n:3\r\n$1\r\nx\r\n"},
      {{"EVAL", "return {1,2,nil,4}", "0"}, "*2\r\n:1\r\n:2\r\n"},
      {{"EVAL", "return {nil,2}", "0"}, "*0\r\n"},
      {{"EVAL", "return {}", "0"}, "*0\r\n"},
      {{"EVAL", "return {a=1,b=2}", "0"}, "*0\r\n"},
      {{"EVAL", "return {1,2,a=3}", "0"}, "*2\r\n:1\r\n:2\r\n"},
      {{"EVAL", R"lua(return {1,{2,{3,{4}}},'x'})lua", "0"},
       "*3\r\n:1\r\n*2\r\n:2\r\n*2\r\n:3\r\n*1\r\n:4\r\n$1\r\nx\r\n"},
      {{"EVAL", "return {{},{{}}}", "0"}, "*2\r\n*0\r\n*1\r\n*0\r\n"},
      {{"EVAL", "return {1,false,3}", "0"}, "*3\r\n:1\r\n$-1\r\n:3\r\n"},
      {{"EVAL", "return {1,true,3}", "0"}, "*3\r\n:1\r\n:1\r\n:3\r\n"},
      {{"EVAL", "return {1.9,-1.9,1e20}", "0"}, "*3\r\n:1\r\n:-1\r\n:-9223372036854775808\r\n"},
      {{"EVAL", R"lua(local t = {}; t[1] = 'a'; t[2] = 'b'; t[4] = 'd'; return t)lua", "0"},
       "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
      {{"EVAL", R"lua(local t = {}; t[2] = 'b'; return t)lua", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return {1,{err='inner'},3})lua", "0"}, "*3\r\n:1\r\n-inner\r\n:3\r\n"},
      {{"EVAL", R"lua(return {1,{ok='inner'},3})lua", "0"}, "*3\r\n:1\r\n+inner\r\n:3\r\n"},
      {{
           "EVAL",
           R"lua(return {{ok='a'},{err='b'},{double=1.5},{big_number='7'},{map={x=1}},{set={y)lua"
           R"lua(=true}}})lua",
           "0"},
       "*6\r\n+a\r\n-b\r\n$3\r\n1.5\r\n$1\r\n7\r\n*2\r\n$1\r\nx\r\n:1\r\n*1\r\n$1\r\ny\r\n"},
      {{"EVAL", R"lua(return {redis.call('ping'), redis.pcall('nosuch')})lua", "0"},
       "*2\r\n+PONG\r\n-ERR Unknown Redis command called from script\r\n"},
      {{"EVAL", "local t = {} for i=1,100 do t[i] = i end return t", "0"},
       "*100\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:"
       "10\r\n:11\r\n:12\r\n:13\r\n:14\r\n:15\r\n:16\r\n:17\r\n:18\r\n"
       ":19\r\n:20\r\n:21\r\n:22\r\n:23\r\n:24\r\n:25\r\n:26\r\n:27"
       "\r\n:28\r\n:29\r\n:30\r\n:31\r\n:32\r\n:33\r\n:34\r\n:35\r\n:"
       "36\r\n:37\r\n:38\r\n:39\r\n:40\r\n:41\r\n:42\r\n:43\r\n:44\r\n"
       ":45\r\n:46\r\n:47\r\n:48\r\n:49\r\n:50\r\n:51\r\n:52\r\n:53"
       "\r\n:54\r\n:55\r\n:56\r\n:57\r\n:58\r\n:59\r\n:60\r\n:61\r\n:"
       "62\r\n:63\r\n:64\r\n:65\r\n:66\r\n:67\r\n:68\r\n:69\r\n:70\r\n"
       ":71\r\n:72\r\n:73\r\n:74\r\n:75\r\n:76\r\n:77\r\n:78\r\n:79"
       "\r\n:80\r\n:81\r\n:82\r\n:83\r\n:84\r\n:85\r\n:86\r\n:87\r\n:"
       "88\r\n:89\r\n:90\r\n:91\r\n:92\r\n:93\r\n:94\r\n:95\r\n:96\r\n"
       ":97\r\n:98\r\n:99\r\n:100\r\n"},
  });
}

TEST_CASE("scripting: {err=} and {ok=} tables, redis.error_reply and redis.status_reply",
          "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(return {err='My Error'})lua", "0"}, "-My Error\r\n"},
      {{"EVAL", R"lua(return {err='-My Error'})lua", "0"}, "--My Error\r\n"},
      {{"EVAL", R"lua(return {err='My\r\nError'})lua", "0"}, "-My  Error\r\n"},
      {{"EVAL", R"lua(return {err='My\nError'})lua", "0"}, "-My Error\r\n"},
      {{"EVAL", R"lua(return {err=''})lua", "0"}, "-\r\n"},
      {{"EVAL", "return {err=1}", "0"}, "*0\r\n"},
      {{"EVAL", "return {err={}}", "0"}, "*0\r\n"},
      {{"EVAL", "return {ok=1}", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return {ok='fine'})lua", "0"}, "+fine\r\n"},
      {{"EVAL", R"lua(return {ok=''})lua", "0"}, "+\r\n"},
      {{"EVAL", R"lua(return {ok='a\r\nb'})lua", "0"}, "+a  b\r\n"},
      {{"EVAL", R"lua(return {ok='+PONG'})lua", "0"}, "++PONG\r\n"},
      {{"EVAL", R"lua(return {err='e',ok='o'})lua", "0"}, "-e\r\n"},
      {{"EVAL", R"lua(return {ok='o',double=1.5})lua", "0"}, "+o\r\n"},
      {{"EVAL", R"lua(return {ok='o', 1, 2})lua", "0"}, "+o\r\n"},
      {{"EVAL", R"lua(return {1, 2, err='e'})lua", "0"}, "-e\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('My Error'))lua", "0"}, "-My Error\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('-My Error'))lua", "0"}, "-My Error\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('WRONGTYPE x'))lua", "0"}, "-WRONGTYPE x\r\n"},
      {{"EVAL", R"lua(return redis.error_reply(''))lua", "0"}, "-ERR \r\n"},
      {{"EVAL", R"lua(return redis.error_reply('-'))lua", "0"}, "-ERR \r\n"},
      {{"EVAL", R"lua(return redis.error_reply('a\r\nb'))lua", "0"}, "-ERR a  b\r\n"},
      {{"EVAL", "return redis.error_reply()", "0"}, "-ERR wrong number or type of arguments\r\n"},
      {{"EVAL", "return redis.error_reply(1)", "0"}, "-ERR wrong number or type of arguments\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('a','b'))lua", "0"},
       "-ERR wrong number or type of arguments\r\n"},
      {{"EVAL", "return redis.error_reply({})", "0"}, "-ERR wrong number or type of arguments\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('x').err)lua", "0"}, "$5\r\nERR x\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('-x').err)lua", "0"}, "$5\r\nERR x\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('').err)lua", "0"}, "$4\r\nERR \r\n"},
      {{"EVAL", R"lua(return type(redis.error_reply('x')))lua", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", R"lua(return redis.status_reply('fine'))lua", "0"}, "+fine\r\n"},
      {{"EVAL", R"lua(return redis.status_reply(''))lua", "0"}, "+\r\n"},
      {{"EVAL", R"lua(return redis.status_reply('-x'))lua", "0"}, "+-x\r\n"},
      {{"EVAL", "return redis.status_reply()", "0"}, "-ERR wrong number or type of arguments\r\n"},
      {{"EVAL", "return redis.status_reply(12)", "0"},
       "-ERR wrong number or type of arguments\r\n"},
      {{"EVAL", R"lua(return redis.status_reply('a','b'))lua", "0"},
       "-ERR wrong number or type of arguments\r\n"},
      {{"EVAL", R"lua(return redis.status_reply('x').ok)lua", "0"}, "$1\r\nx\r\n"},
  });
}

TEST_CASE("scripting: RESP3 tables ({double=}, {map=}, ...) downgrade for a RESP2 caller",
          "[scripting]") {
  RunSteps({
      {{"EVAL", "return {double=3.5}", "0"}, "$3\r\n3.5\r\n"},
      {{"EVAL", "return {double=3}", "0"}, "$1\r\n3\r\n"},
      {{"EVAL", "return {double=-0.0}", "0"}, "$2\r\n-0\r\n"},
      {{"EVAL", "return {double=0.1}", "0"}, "$19\r\n0.10000000000000001\r\n"},
      {{"EVAL", "return {double=1e300}", "0"}, "$23\r\n1.0000000000000001e+300\r\n"},
      {{"EVAL", "return {double=1/0}", "0"}, "$3\r\ninf\r\n"},
      {{"EVAL", "return {double=-1/0}", "0"}, "$4\r\n-inf\r\n"},
      {{"EVAL", R"lua(return {double='x'})lua", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return {double='1.5'})lua", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return {big_number='123456789012345678901234567890'})lua", "0"},
       "$30\r\n123456789012345678901234567890\r\n"},
      {{"EVAL", "return {big_number=12}", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return {big_number='a\r\nb'})lua", "0"}, "$4\r\na  b\r\n"},
      {{"EVAL", "return {map={a=1}}", "0"}, "*2\r\n$1\r\na\r\n:1\r\n"},
      {{"EVAL", "return {map={}}", "0"}, "*0\r\n"},
      {{"EVAL", "return {map={1,2,3}}", "0"}, "*6\r\n:1\r\n:1\r\n:2\r\n:2\r\n:3\r\n:3\r\n"},
      {{"EVAL", "return {map={a={1,2}}}", "0"}, "*2\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n"},
      {{"EVAL", "return {map={a=false}}", "0"}, "*2\r\n$1\r\na\r\n$-1\r\n"},
      {{"EVAL", "return {map={a={map={b=2}}}}", "0"}, "*2\r\n$1\r\na\r\n*2\r\n$1\r\nb\r\n:2\r\n"},
      {{"EVAL", R"lua(return {map='x'})lua", "0"}, "*0\r\n"},
      {{"EVAL", "return {set={a=true}}", "0"}, "*1\r\n$1\r\na\r\n"},
      {{"EVAL", "return {set={}}", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return {set={'a','b'}})lua", "0"}, "*2\r\n:1\r\n:2\r\n"},
      {{"EVAL", R"lua(return {set='x'})lua", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='txt',string='hello'}})lua", "0"},
       "$5\r\nhello\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='mkd',string='x'}})lua", "0"}, "$1\r\nx\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='toolong',string='x'}})lua", "0"},
       "$1\r\nx\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='ab',string='x'}})lua", "0"}, "$1\r\nx\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={string='x'}})lua", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='txt'}})lua", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return {verbatim_string='x'})lua", "0"}, "*0\r\n"},
      {{"EVAL", "redis.setresp(3); return true", "0"}, ":1\r\n"},
      {{"EVAL", "redis.setresp(3); return false", "0"}, ":0\r\n"},
      {{"EVAL", "redis.setresp(3); return nil", "0"}, "$-1\r\n"},
      {{"EVAL", "redis.setresp(3); return {true,false}", "0"}, "*2\r\n:1\r\n:0\r\n"},
      {{"EVAL", "redis.setresp(3); return {double=2.5}", "0"}, "$3\r\n2.5\r\n"},
  });
}

TEST_CASE("scripting: RESP3 tables and booleans reach a RESP3 caller as RESP3 types",
          "[scripting]") {
  RunSteps({
      {{"HELLO", "3"}, std::nullopt},
      {{"EVAL", "return {double=3.5}", "0"}, ",3.5\r\n"},
      {{"EVAL", "return {double=3}", "0"}, ",3\r\n"},
      {{"EVAL", "return {double=0.1}", "0"}, ",0.10000000000000001\r\n"},
      {{"EVAL", "return {double=1e300}", "0"}, ",1.0000000000000001e+300\r\n"},
      {{"EVAL", "return {double=1/0}", "0"}, ",inf\r\n"},
      {{"EVAL", "return {double=-1/0}", "0"}, ",-inf\r\n"},
      {{"EVAL", "return {double=0/0}", "0"}, ",-nan\r\n"},
      {{"EVAL", R"lua(return {big_number='123456789012345678901234567890'})lua", "0"},
       "(123456789012345678901234567890\r\n"},
      {{"EVAL", R"lua(return {big_number='a\r\nb'})lua", "0"}, "(a  b\r\n"},
      {{"EVAL", "return {map={a=1}}", "0"}, "%1\r\n$1\r\na\r\n:1\r\n"},
      {{"EVAL", "return {map={}}", "0"}, "%0\r\n"},
      {{"EVAL", "return {map={1,2,3}}", "0"}, "%3\r\n:1\r\n:1\r\n:2\r\n:2\r\n:3\r\n:3\r\n"},
      {{"EVAL", "return {map={a={1,2}}}", "0"}, "%1\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n"},
      {{"EVAL", "return {map={a=false}}", "0"}, "%1\r\n$1\r\na\r\n_\r\n"},
      {{"EVAL", "return {map={a={map={b=2}}}}", "0"}, "%1\r\n$1\r\na\r\n%1\r\n$1\r\nb\r\n:2\r\n"},
      {{"EVAL", "return {set={a=true}}", "0"}, "~1\r\n$1\r\na\r\n"},
      {{"EVAL", "return {set={}}", "0"}, "~0\r\n"},
      {{"EVAL", R"lua(return {set={'a','b'}})lua", "0"}, "~2\r\n:1\r\n:2\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='txt',string='hello'}})lua", "0"},
       "=9\r\ntxt:hello\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='mkd',string='x'}})lua", "0"},
       "=5\r\nmkd:x\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='toolong',string='x'}})lua", "0"},
       "=5\r\ntoo:x\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='ab',string='x'}})lua", "0"},
       "=5\r\nab :x\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='',string='x'}})lua", "0"},
       "=5\r\n   :x\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='a\0b',string='x'}})lua", "0"},
       "=5\r\na  :x\r\n"},
      {{"EVAL", R"lua(return {verbatim_string={format='txt',string='a\0b'}})lua", "0"},
       "=7\r\ntxt:a\x00" "b\r\n"s},
      {{"EVAL", R"lua(return {big_number='1\0 2'})lua", "0"}, "(1\x00 2\r\n"s},
      {{"EVAL", "return true", "0"}, ":1\r\n"},
      {{"EVAL", "return false", "0"}, "_\r\n"},
      {{"EVAL", "return nil", "0"}, "_\r\n"},
      {{"EVAL", "return {1,false,3}", "0"}, "*3\r\n:1\r\n_\r\n:3\r\n"},
      {{"EVAL", "redis.setresp(3); return true", "0"}, "#t\r\n"},
      {{"EVAL", "redis.setresp(3); return false", "0"}, "#f\r\n"},
      {{"EVAL", "redis.setresp(3); return nil", "0"}, "_\r\n"},
      {{"EVAL", "redis.setresp(3); return {true,false,nil}", "0"}, "*2\r\n#t\r\n#f\r\n"},
      {{"EVAL", R"lua(return {err='x'})lua", "0"}, "-x\r\n"},
      {{"EVAL", R"lua(return {ok='x'})lua", "0"}, "+x\r\n"},
      {{"EVAL", "return 3.7", "0"}, ":3\r\n"},
  });
}

TEST_CASE("scripting: replies from redis.call become Lua values (RESP2 inside the script)",
          "[scripting]") {
  RunSteps({
      {{"HSET", "h", "f", "v"}, ":1\r\n"},
      {{"SADD", "s", "m"}, ":1\r\n"},
      {{"ZADD", "z", "1.5", "m", "2", "n"}, ":2\r\n"},
      {{"RPUSH", "l", "a", "b"}, ":2\r\n"},
      {{"SET", "str", "hello"}, "+OK\r\n"},
      {{"EVAL", R"lua(return type(redis.call('incr','cnt')))lua", "0"}, "$6\r\nnumber\r\n"},
      {{"EVAL", R"lua(return redis.call('incr','cnt') + 0.5)lua", "0"}, ":2\r\n"},
      {{"EVAL", R"lua(return type(redis.call('get','str')))lua", "0"}, "$6\r\nstring\r\n"},
      {{"EVAL", R"lua(return redis.call('get','str'))lua", "0"}, "$5\r\nhello\r\n"},
      {{"EVAL", R"lua(local r = redis.call('get','nokey'); return {type(r), tostring(r)})lua", "0"},
       "*2\r\n$7\r\nboolean\r\n$5\r\nfalse\r\n"},
      {{
           "EVAL",
           R"lua(local r = redis.call('lpop','nokey', 2); return {type(r), tostring(r)})lua",
           "0"},
       "*2\r\n$7\r\nboolean\r\n$5\r\nfalse\r\n"},
      {{"EVAL", R"lua(return redis.call('get','nokey') == false)lua", "0"}, ":1\r\n"},
      {{"EVAL", R"lua(local r = redis.call('set','a','1'); return {type(r), r.ok})lua", "0"},
       "*2\r\n$5\r\ntable\r\n$2\r\nOK\r\n"},
      {{"EVAL", R"lua(return redis.call('set','a','1'))lua", "0"}, "+OK\r\n"},
      {{"EVAL", R"lua(return redis.call('ping'))lua", "0"}, "+PONG\r\n"},
      {{"EVAL", R"lua(return redis.call('type','nokey'))lua", "0"}, "+none\r\n"},
      {{"EVAL", R"lua(return redis.call('lrange','l',0,-1))lua", "0"},
       "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
      {{"EVAL", R"lua(return #redis.call('lrange','nolist',0,-1))lua", "0"}, ":0\r\n"},
      {{"EVAL", R"lua(return type(redis.call('lrange','nolist',0,-1)))lua", "0"},
       "$5\r\ntable\r\n"},
      {{"EVAL", R"lua(return redis.call('hgetall','h'))lua", "0"}, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {{"EVAL", R"lua(return redis.call('zrange','z',0,-1,'withscores'))lua", "0"},
       "*4\r\n$1\r\nm\r\n$3\r\n1.5\r\n$1\r\nn\r\n$1\r\n2\r\n"},
      {{"EVAL", R"lua(return redis.call('zscore','z','m'))lua", "0"}, "$3\r\n1.5\r\n"},
      {{"EVAL", R"lua(return type(redis.call('zscore','z','m')))lua", "0"}, "$6\r\nstring\r\n"},
      {{"EVAL", R"lua(return redis.call('zmscore','z','m','x'))lua", "0"},
       "*2\r\n$3\r\n1.5\r\n$-1\r\n"},
      {{"EVAL", R"lua(return redis.call('zscan','z',0))lua", "0"},
       "*2\r\n$1\r\n0\r\n*4\r\n$1\r\nm\r\n$3\r\n1.5\r\n$1\r\nn\r\n$1\r\n2\r\n"},
      {{
           "EVAL",
           R"lua(local r = redis.call('zscan','z',0); return {type(r[1]), type(r[2]), #r[2]})lua",
           "0"},
       "*3\r\n$6\r\nstring\r\n$5\r\ntable\r\n:4\r\n"},
      {{
           "EVAL",
           R"lua(redis.call('set','n','9223372036854775807'); return redis.call('incrby','n',)lua"
           R"lua(0))lua",
           "0"},
       ":-9223372036854775808\r\n"},
      {{"EVAL", R"lua(return tostring(redis.call('incrby','n',0)))lua", "0"},
       "$19\r\n9.2233720368548e+18\r\n"},
      {{"EVAL", R"lua(return redis.call('decrby','n',9223372036854775807))lua", "0"},
       "-ERR value is not an integer or out of range script: 415d07e3d631b327b92536fd7b6542794"
       "6fd400d, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('object','encoding','str'))lua", "0"}, "$6\r\nembstr\r\n"},
      {{"EVAL", R"lua(return redis.call('echo','x\0y'))lua", "0"}, "$3\r\nx\x00y\r\n"s},
  });
}

TEST_CASE("scripting: RESP3 replies from redis.call after redis.setresp(3), for RESP2 and RESP3"
          " callers",
          "[scripting]") {
  RunSteps({
      {{"HSET", "h", "f", "v"}, ":1\r\n"},
      {{"SADD", "s", "m"}, ":1\r\n"},
      {{"ZADD", "z", "1.5", "m", "2", "n"}, ":2\r\n"},
      {{"SET", "str", "hello"}, "+OK\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('hgetall','h'); return {type(r), )lua"
           R"lua(type(r.map), r.map.f})lua",
           "0"},
       "*3\r\n$5\r\ntable\r\n$5\r\ntable\r\n$1\r\nv\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('smembers','s'); return {type(r.set),)lua"
           R"lua( )lua"
           R"lua(tostring(r.set.m)})lua",
           "0"},
       "*2\r\n$5\r\ntable\r\n$4\r\ntrue\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('zscore','z','m'); return {type(r), )lua"
           R"lua(type(r.double), tostring(r.double)})lua",
           "0"},
       "*3\r\n$5\r\ntable\r\n$6\r\nnumber\r\n$3\r\n1.5\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('get','nokey'); return type(r))lua",
           "0"},
       "$3\r\nnil\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('lpop','nokey', 2); return type(r))lua",
           "0"},
       "$3\r\nnil\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('info','keyspace'); return {type(r), )lua"
           R"lua(r.verbatim_string.format, type(r.verbatim_string.string)})lua",
           "0"},
       "*3\r\n$5\r\ntable\r\n$3\r\ntxt\r\n$6\r\nstring\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('hgetall','h'))lua", "0"},
       "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('smembers','s'))lua", "0"},
       "*1\r\n$1\r\nm\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('zscore','z','m'))lua", "0"},
       "$3\r\n1.5\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); return redis.call('zrange','z',0,-1,'withscores'))lua",
           "0"},
       "*2\r\n*2\r\n$1\r\nm\r\n$3\r\n1.5\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('zmscore','z','m','x'))lua", "0"},
       "*1\r\n$3\r\n1.5\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('get','nokey'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('lpop','nokey',2))lua", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('hgetall','nokey'))lua", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('smembers','nokey'))lua", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('ping'))lua", "0"}, "+PONG\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.pcall('incr','str'))lua", "0"},
       "-ERR value is not an integer or out of range\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('zadd','z','incr','1','m'))lua", "0"},
       "$3\r\n2.5\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); return redis.call('zrandmember','z',1,'withscores') )lua"
           R"lua(~= nil)lua",
           "0"},
       ":1\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); return redis.call('hrandfield','h',1,'withvalues'))lua",
           "0"},
       "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('zpopmin','nz'))lua", "0"}, "*0\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); redis.setresp(2); return redis.call('hgetall','h'))lua",
           "0"},
       "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {{"EVAL", R"lua(return redis.call('hgetall','h'))lua", "0"}, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {{"EVAL", R"lua(return redis.call('zscore','z','m'))lua", "0"}, "$3\r\n2.5\r\n"},
      {{"EVAL", R"lua(return redis.call('get','nokey'))lua", "0"}, "$-1\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); return {redis.call('hgetall','h'), redis.call('zscore','z')lua"
           R"lua(,'m'), )lua"
           R"lua(redis.call('get','nokey')})lua",
           "0"},
       "*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$3\r\n2.5\r\n"},
      {{"HELLO", "3"}, std::nullopt},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('hgetall','h'); return {type(r), )lua"
           R"lua(type(r.map), r.map.f})lua",
           "0"},
       "*3\r\n$5\r\ntable\r\n$5\r\ntable\r\n$1\r\nv\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('smembers','s'); return {type(r.set),)lua"
           R"lua( )lua"
           R"lua(tostring(r.set.m)})lua",
           "0"},
       "*2\r\n$5\r\ntable\r\n$4\r\ntrue\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('zscore','z','m'); return {type(r), )lua"
           R"lua(type(r.double), tostring(r.double)})lua",
           "0"},
       "*3\r\n$5\r\ntable\r\n$6\r\nnumber\r\n$3\r\n2.5\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('get','nokey'); return type(r))lua",
           "0"},
       "$3\r\nnil\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('lpop','nokey', 2); return type(r))lua",
           "0"},
       "$3\r\nnil\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); local r = redis.call('info','keyspace'); return {type(r), )lua"
           R"lua(r.verbatim_string.format, type(r.verbatim_string.string)})lua",
           "0"},
       "*3\r\n$5\r\ntable\r\n$3\r\ntxt\r\n$6\r\nstring\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('hgetall','h'))lua", "0"},
       "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('smembers','s'))lua", "0"},
       "~1\r\n$1\r\nm\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('zscore','z','m'))lua", "0"}, ",2.5\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); return redis.call('zrange','z',0,-1,'withscores'))lua",
           "0"},
       "*2\r\n*2\r\n$1\r\nn\r\n,2\r\n*2\r\n$1\r\nm\r\n,2.5\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('zmscore','z','m','x'))lua", "0"},
       "*1\r\n,2.5\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('get','nokey'))lua", "0"}, "_\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('lpop','nokey',2))lua", "0"}, "_\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('hgetall','nokey'))lua", "0"}, "%0\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('smembers','nokey'))lua", "0"}, "~0\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('ping'))lua", "0"}, "+PONG\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.pcall('incr','str'))lua", "0"},
       "-ERR value is not an integer or out of range\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('zadd','z','incr','1','m'))lua", "0"},
       ",3.5\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); return redis.call('zrandmember','z',1,'withscores') )lua"
           R"lua(~= nil)lua",
           "0"},
       "#t\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); return redis.call('hrandfield','h',1,'withvalues'))lua",
           "0"},
       "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {{"EVAL", R"lua(redis.setresp(3); return redis.call('zpopmin','nz'))lua", "0"}, "*0\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); redis.setresp(2); return redis.call('hgetall','h'))lua",
           "0"},
       "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {{"EVAL", R"lua(return redis.call('hgetall','h'))lua", "0"}, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {{"EVAL", R"lua(return redis.call('zscore','z','m'))lua", "0"}, "$3\r\n3.5\r\n"},
      {{"EVAL", R"lua(return redis.call('get','nokey'))lua", "0"}, "_\r\n"},
      {{
           "EVAL",
           R"lua(redis.setresp(3); return {redis.call('hgetall','h'), redis.call('zscore','z')lua"
           R"lua(,'m'), )lua"
           R"lua(redis.call('get','nokey')})lua",
           "0"},
       "*2\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n,3.5\r\n"},
  });
}

TEST_CASE("scripting: redis.call arguments: numbers are formatted as %.17g, other types refused",
          "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(redis.call('set','a',0.1); return redis.call('get','a'))lua", "0"},
       "$19\r\n0.10000000000000001\r\n"},
      {{"EVAL", R"lua(redis.call('set','a',3.0); return redis.call('get','a'))lua", "0"},
       "$1\r\n3\r\n"},
      {{"EVAL", R"lua(redis.call('set','a',-0.0); return redis.call('get','a'))lua", "0"},
       "$2\r\n-0\r\n"},
      {{"EVAL", R"lua(redis.call('set','a',1e300); return redis.call('get','a'))lua", "0"},
       "$23\r\n1.0000000000000001e+300\r\n"},
      {{"EVAL", R"lua(redis.call('set','a',1/0); return redis.call('get','a'))lua", "0"},
       "$3\r\ninf\r\n"},
      {{"EVAL", R"lua(redis.call('set','a',-1/0); return redis.call('get','a'))lua", "0"},
       "$4\r\n-inf\r\n"},
      {{"EVAL", R"lua(redis.call('set','a',2^53); return redis.call('get','a'))lua", "0"},
       "$16\r\n9007199254740992\r\n"},
      {{"EVAL", R"lua(redis.call('set','a',123456789); return redis.call('get','a'))lua", "0"},
       "$9\r\n123456789\r\n"},
      {{"EVAL", R"lua(redis.call('set','a',-1.5e-7); return redis.call('get','a'))lua", "0"},
       "$23\r\n-1.4999999999999999e-07\r\n"},
      {{"EVAL", R"lua(return redis.call('set','a',{}))lua", "0"},
       "-ERR Lua redis lib command arguments must be strings or integers script: f852c2a3a94e7"
       "2447f50c0bcf1c270021162ffaf, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('set','a',true))lua", "0"},
       "-ERR Lua redis lib command arguments must be strings or integers script: 6042254a7ed32"
       "3d02c5d9e79e8b146ed12a16975, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('set','a',nil))lua", "0"},
       "-ERR Lua redis lib command arguments must be strings or integers script: 05cdf4ad078a0"
       "62e0fa03f6bb63e454fab84fea8, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('set','a',nil,'b'))lua", "0"},
       "-ERR Lua redis lib command arguments must be strings or integers script: 7eff642c7b813"
       "097857d2c2a35f3687f6cd712e7, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('set','a',{}))lua", "0"},
       "-ERR Lua redis lib command arguments must be strings or integers\r\n"},
      {{"EVAL", "return redis.call()", "0"},
       "-ERR Please specify at least one argument for this redis lib call script: 0a907e142922"
       "1a4d85516cab7fd219a82a9439d8, on @user_script:1.\r\n"},
      {{"EVAL", "return redis.pcall()", "0"},
       "-ERR Please specify at least one argument for this redis lib call\r\n"},
      {{"EVAL", "return redis.call(1)", "0"},
       "-ERR Unknown Redis command called from script script: 9bdfc0557e68d76a6a10c85f455de0f9"
       "3ee495a7, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('GET', 'a'))lua", "0"},
       "$23\r\n-1.4999999999999999e-07\r\n"},
      {{"EVAL", R"lua(return redis.call('gEt', 'a'))lua", "0"},
       "$23\r\n-1.4999999999999999e-07\r\n"},
      {{"EVAL", R"lua(return redis.call('echo', 1.5))lua", "0"}, "$3\r\n1.5\r\n"},
      {{"EVAL", R"lua(return redis.call('echo', 1e15))lua", "0"}, "$16\r\n1000000000000000\r\n"},
      {{"EVAL", R"lua(return redis.call('echo', 1e16))lua", "0"}, "$17\r\n10000000000000000\r\n"},
      {{"EVAL", R"lua(return redis.call('echo', 123456789012345678))lua", "0"},
       "$22\r\n1.2345678901234568e+17\r\n"},
      {{"EVAL", R"lua(return redis.call('echo', 0/0))lua", "0"}, "$4\r\n-nan\r\n"},
      {{"EVAL", R"lua(return redis.call('echo', 2^63))lua", "0"},
       "$22\r\n9.2233720368547758e+18\r\n"},
      {{"EVAL", R"lua(return redis.call('echo', -2^63))lua", "0"},
       "$23\r\n-9.2233720368547758e+18\r\n"},
      {{"EVAL", R"lua(return redis.call('echo', 5e-324))lua", "0"},
       "$23\r\n4.9406564584124654e-324\r\n"},
      {{"EVAL", R"lua(return redis.call('incrby', 'i', 1.9))lua", "0"},
       "-ERR value is not an integer or out of range script: 8361909b9bdec23a814dbbbf618d19340"
       "56921f0, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('incrby', 'i', 2))lua", "0"}, ":2\r\n"},
      {{
           "EVAL",
           R"lua(redis.call('set', 'n', 3.5); return redis.call('incrbyfloat', 'n', 0.1))lua",
           "0"},
       "$19\r\n3.60000000000000001\r\n"},
      {{"EVAL", "return redis.call(true)", "0"},
       "-ERR Lua redis lib command arguments must be strings or integers script: 0291cfba6f48d"
       "620fb0ece9a6b2378e7c9d9c4b5, on @user_script:1.\r\n"},
      {{"EVAL", "return redis.call({})", "0"},
       "-ERR Lua redis lib command arguments must be strings or integers script: 80747816df1f4"
       "411f7c442b928fce6a814214839, on @user_script:1.\r\n"},
      {{"EVAL", "return redis.call(nil)", "0"},
       "-ERR Lua redis lib command arguments must be strings or integers script: 99304b0aecba6"
       "a93ad3911cc253cf22c84ab4d15, on @user_script:1.\r\n"},
      {{"EVAL", "return redis.pcall(true)", "0"},
       "-ERR Lua redis lib command arguments must be strings or integers\r\n"},
      {{"EVAL", R"lua(return redis.call(''))lua", "0"},
       "-ERR Unknown Redis command called from script script: 4f747abccded4fe9957e621fd4c471a3"
       "268503ec, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('ping', 'a', 'b'))lua", "0"},
       "-ERR wrong number of arguments for 'ping' command script: 54bb24c858fab5a4c01933df40cd"
       "77926cc27e78, on @user_script:1.\r\n"},
  });
}

TEST_CASE("scripting: errors from redis.call are raised with the script suffix; redis.pcall"
          " returns them",
          "[scripting]") {
  RunSteps({
      {{"SET", "s", "x"}, "+OK\r\n"},
      {{"LPUSH", "l", "x"}, ":1\r\n"},
      {{"EVAL", R"lua(return redis.call('incr','s'))lua", "0"},
       "-ERR value is not an integer or out of range script: c243b9f46db13ba8f69da41b45a777088"
       "32babed, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('incr','s'))lua", "0"},
       "-ERR value is not an integer or out of range\r\n"},
      {{"EVAL", R"lua(return redis.call('get','l'))lua", "0"},
       "-WRONGTYPE Operation against a key holding the wrong kind of value script: df94f6e2145"
       "c0f1402ca5a21d71ebb02f5ae2169, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('get','l'))lua", "0"},
       "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {{"EVAL", R"lua(local r = redis.pcall('get','l'); return {type(r), r.err})lua", "0"},
       "*2\r\n$5\r\ntable\r\n$65\r\nWRONGTYPE Operation aga"
       "inst a key holding the wrong kind of value\r\n"},
      {{"EVAL", R"lua(return redis.call('nosuch'))lua", "0"},
       "-ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8"
       "d7343b74, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('nosuch'))lua", "0"},
       "-ERR Unknown Redis command called from script\r\n"},
      {{"EVAL", R"lua(local t = redis.pcall('nosuch'); return t['err'])lua", "0"},
       "$44\r\nERR Unknown Redis command called from script\r\n"},
      {{"EVAL", R"lua(return redis.call('get'))lua", "0"},
       "-ERR Wrong number of args calling Redis command from script script: f187dee77f607f7cff"
       "00bbabc9df38507582c78d, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('get'))lua", "0"},
       "-ERR Wrong number of args calling Redis command from script\r\n"},
      {{"EVAL", R"lua(return redis.call('incr','a','b'))lua", "0"},
       "-ERR Wrong number of args calling Redis command from script script: 6eba4e311779d6008f"
       "131fae6b48c40f8247503f, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('config','get','maxmemory'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: ce45eb79367d493e5dbe55446ef"
       "14fbdf6f8cfae, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('config','get','maxmemory'))lua", "0"},
       "-ERR This Redis command is not allowed from script\r\n"},
      {{"EVAL", R"lua(return redis.call('eval','return 1','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 1e5046f3a9119d3dc9cf5824428"
       "b6d9fedd305d2, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('eval','return 1','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script\r\n"},
      {{"EVAL", R"lua(return redis.call('set','k','v','ex','0'))lua", "0"},
       "-ERR invalid expire time in 'set' command script: e1c6c71324352d513ccdc6c4a5a02e046ea7"
       "047e, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('set','k','v','xx','nx'))lua", "0"},
       "-ERR syntax error script: a3cf14d5e4047aa40615b9b02c2e740e52571968, on @user_script:1."
       "\r\n"},
      {{"EVAL", R"lua(return redis.call('select','99'))lua", "0"},
       "-ERR DB index is out of range script: 5f72176ae2b82fe5e33c8d814dd61a9880ab5bde, on @us"
       "er_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('hset','h'))lua", "0"},
       "-ERR Wrong number of args calling Redis command from script script: 6fd9c1f4b87890be4f"
       "aa1edc767c6bc923bff304, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('lpush','s','x'))lua", "0"},
       "-WRONGTYPE Operation against a key holding the wrong kind of value script: 1bae58f5987"
       "a5f51b4735899cd21a9fd9c5bd4db, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('object','nosuchsub','a'))lua", "0"},
       "-ERR Unknown Redis command called from script script: 630338cc79089597163185e04bc81d51"
       "133c2357, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('client','list'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: da2e3861a2b413fdb2f1d6c71aa"
       "3a61c2098f008, on @user_script:1.\r\n"},
      {{
           "EVAL",
           R"lua(
)lua"
           R"lua(
)lua"
           R"lua(local a = 1
)lua"
           R"lua(return redis.call('incr','s'))lua",
           "0"},
       "-ERR value is not an integer or out of range script: 38f4ead62aef28f75889b66b9e9e2c07a"
       "2f0cf04, on @user_script:4.\r\n"},
      {{
           "EVAL",
           R"lua(local function f()
)lua"
           R"lua(  return redis.call('nosuch')
)lua"
           R"lua(end
)lua"
           R"lua(return f())lua",
           "0"},
       "-ERR Unknown Redis command called from script script: 5efc473aaed6617aa978b28073317c9d"
       "5004d66b, on @user_script:2.\r\n"},
      {{
           "EVAL",
           R"lua(local x = 1
)lua"
           R"lua(local y = redis.pcall('incr','s')
)lua"
           R"lua(return redis.call('incr','s'))lua",
           "0"},
       "-ERR value is not an integer or out of range script: 2e8321970e63d61c8682d8aafdd926cec"
       "c7ee4f7, on @user_script:3.\r\n"},
  });
}

TEST_CASE("scripting: commands scripts may not call", "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(return redis.call('eval_ro','return 1','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: e4b360a8685c505c966f4843da1"
       "b9fc1b099d48f, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('evalsha','x','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: d4cc6e2b4f79495687072ca234d"
       "7cf9099996e4f, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('script','flush'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 2e2db287d48c36431e8437bb707"
       "7dc6af3cae3d6, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('function','list'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: b11690a77ce8d92f96187f0ab83"
       "077ef3b3de586, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('fcall','f','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 87182a18e8a67c25517ed3a94ac"
       "460f8d18917e4, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('subscribe','ch'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 944c2446bbd0e141b79de896957"
       "e109d7f7a84f3, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('psubscribe','p'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: f7b94b7da6a486094b90fdd9200"
       "6229b58461988, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('unsubscribe'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 76e9cfe1fb4d618dd2f05fd220a"
       "8b2a02beb33e9, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('punsubscribe'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: c9629f711113995bc9b6fd12243"
       "3b162818af5ea, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('watch','k'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 1ff9e82229298bc0f2200766558"
       "25af1b563e291, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('unwatch'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 4a84ce53df3fe64c49f00be31eb"
       "28ab86acdf771, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('multi'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: c329a1a294be6bf95b44144f750"
       "2610661ae925a, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('exec'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: cfd06730c41ba24d30327b6d49d"
       "1ebf96a001298, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('discard'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 0d2fb0d95b01ad0ef1ff37f3559"
       "df7736cea2efb, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('blpop','l','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 2a6b57eaef17d5b7ab0c7348b41"
       "247bf42730aa1, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('brpop','l','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 6f1a8779270ce03f4c60f5ef5ff"
       "eaa4ca49f6ee0, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('brpoplpush','a','b','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 58c5ae10227b243d9df70804b8d"
       "1a9518e08d4f6, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('blmove','a','b','left','left','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: b15bf38d86c52f8f5b42d9d3e85"
       "6f62bf7e7e99a, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('bzpopmin','z','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 4ea7563bfeeab76866954b913df"
       "acad3ce4babce, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('bzpopmax','z','0'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 431b92cbed22d31b91bac652729"
       "1dd42d0dbbbe0, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('blmpop','0','1','l','left'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(return redis.call('bzmpop','0','1','z','min'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(return redis.call('client','list'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: da2e3861a2b413fdb2f1d6c71aa"
       "3a61c2098f008, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('client','setname','x'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: d68904a2e1c959f0e59fe80a353"
       "f6dcd8cbd7bc5, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('hello'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: d0169abe9a451faf8a4132e9c78"
       "3cc064ee9a6ac, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('auth','x'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 77dd246f5853174bf6a07731bd8"
       "2f21f06395120, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('shutdown'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: efed7e6fbac55a79c47e5a9e6bd"
       "695e63e9dcada, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('save'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 6193f10595eca2a5c1f0a13b9bf"
       "6b16068e2fbea, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('bgsave'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: bf7830eee0431265a56fcb69596"
       "213bd41d3e459, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('bgrewriteaof'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 3df5add6e939ee9e1194ac66af7"
       "90656b8de716b, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('monitor'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 816ccacd66cee27df40b38b03fc"
       "b7a2e6769f006, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('config','get','x'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 6cf5c0738da24e66778a048e60b"
       "49d7218cc617b, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('debug','object','x'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 8435176461a606529561c63bfe5"
       "0ba777881514d, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('reset'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 5ba3d15b37e8cfa0d2fa377e0bf"
       "7baa4944fc939, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('quit'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: 594184995799820e8ea15ff5ed6"
       "e55342c8fed42, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('select','0','x'))lua", "0"},
       "-ERR Wrong number of args calling Redis command from script script: 7d6b67b3e0917b0544"
       "91ae905629caae2dd0d532, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('blpop','nolist',0))lua", "0"},
       "-ERR This Redis command is not allowed from script\r\n"},
      {{"EVAL", R"lua(return redis.call('script','load','return 1'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: e884fdd1089d33f7e88d638d04f"
       "7355ac44786c2, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.call('function','list'))lua", "0"},
       "-ERR This Redis command is not allowed from script script: b11690a77ce8d92f96187f0ab83"
       "077ef3b3de586, on @user_script:1.\r\n"},
  });
}

TEST_CASE("scripting: commands scripts may call", "[scripting]") {
  RunSteps({
      {{"SET", "a", "1"}, "+OK\r\n"},
      {{"EVAL", R"lua(return redis.call('publish','ch','x'))lua", "0"}, ":0\r\n"},
      {{"EVAL", R"lua(return redis.call('dbsize'))lua", "0"}, ":1\r\n"},
      {{"EVAL", R"lua(return redis.call('echo','x'))lua", "0"}, "$1\r\nx\r\n"},
      {{"EVAL", R"lua(return type(redis.call('time')))lua", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", R"lua(return #redis.call('time'))lua", "0"}, ":2\r\n"},
      {{"EVAL", R"lua(return redis.call('randomkey'))lua", "0"}, "$1\r\na\r\n"},
      {{"EVAL", R"lua(return redis.call('command','count') > 0)lua", "0"}, ":1\r\n"},
      {{"EVAL", R"lua(return redis.call('object','encoding','a'))lua", "0"}, "$3\r\nint\r\n"},
      {{"EVAL", R"lua(return redis.call('spop','nokey'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(return redis.call('exists','a','a','b'))lua", "0"}, ":2\r\n"},
      {{"EVAL", R"lua(return redis.call('type','a'))lua", "0"}, "+string\r\n"},
      {{"EVAL", R"lua(return redis.call('sort','nokey'))lua", "0"}, "*0\r\n"},
      {{"EVAL", R"lua(return type(redis.call('info','keyspace')))lua", "0"}, "$6\r\nstring\r\n"},
      {{"EVAL", R"lua(return redis.call('pubsub','numsub','ch'))lua", "0"},
       "*2\r\n$2\r\nch\r\n:0\r\n"},
      {{"EVAL", R"lua(return redis.call('swapdb','0','0'))lua", "0"}, "+OK\r\n"},
      {{"EVAL", R"lua(return redis.call('flushall'))lua", "0"}, "+OK\r\n"},
      {{"EVAL", R"lua(return redis.call('dbsize'))lua", "0"}, ":0\r\n"},
  });
}

TEST_CASE("scripting: Lua errors: runtime errors, error() with strings and tables, pcall",
          "[scripting]") {
  RunSteps({
      {{"LPUSH", "l", "x"}, ":1\r\n"},
      {{"EVAL", R"lua(error('boom'))lua", "0"},
       "-ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_sc"
       "ript:1.\r\n"},
      {{"EVAL", R"lua(error('boom', 0))lua", "0"},
       "-ERR boom script: 90724e16396e5864c1184910ba6d7440461cee4f, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error('boom', 2))lua", "0"},
       "-ERR boom script: 99976ca81634a6d73420dfed6a053c5428f9d5db, on @user_script:1.\r\n"},
      {{"EVAL", "error(12)", "0"},
       "-ERR user_script:1: 12 script: 531d78cb0a3022f46aa8fcca247caa61d303b321, on @user_scri"
       "pt:1.\r\n"},
      {{"EVAL", "error()", "0"},
       "-ERR nil script: aca90d914519fdb9825352bdc0befb59f7c8510f, on @user_script:1.\r\n"},
      {{"EVAL", "error(nil)", "0"},
       "-ERR nil script: c402aa49952c86c38f35fb311d54977d08f3bf01, on @user_script:1.\r\n"},
      {{"EVAL", "error(true)", "0"},
       "-ERR true script: 4fafe2149f68a1618a3eef40aeef55f5af6951da, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error({err='MYERR custom'}))lua", "0"},
       "-MYERR custom script: a07c29d0063209b2ae57454ea0c8133629beb446, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error({err='custom no code'}))lua", "0"},
       "-custom no code script: 6216483ee0349e503c0428660cc3460732b8dcf8, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error({err='-DASH x'}))lua", "0"},
       "--DASH x script: 8eab78ec27afda3ae060dec0678ce5451e151430, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error({err='x\r\ny'}))lua", "0"},
       "-x  y script: 34904529b77b6e43d74d0dd31f7ca82e58ecdfac, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error(redis.error_reply('X y')))lua", "0"},
       "-X y script: 1a1360caca51d31f398704c50ad2a80112d38478, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error(redis.error_reply('x')))lua", "0"},
       "-ERR x script: 0a27a949de08fe2e70b8555bcd7d6e4a25af2c8e, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error({err='E x', source='src', line='7'}))lua", "0"},
       "-E x script: 2502a27bf4bb254d2e6dfa49c6ec85aa126868b5, on @user_script:1.\r\n"},
      {{"EVAL", "local t = nil; return t.x", "0"},
       "-ERR user_script:1: attempt to index local 't' (a nil value) script: e62b17c4a64e9b74a"
       "6f9be57909ea9e2d0e66784, on @user_script:1.\r\n"},
      {{"EVAL", "return 1 + {}", "0"},
       "-ERR user_script:1: attempt to perform arithmetic on a table value script: 8ab7d53c27e"
       "34dc602fbe3688d99968c695c98e4, on @user_script:1.\r\n"},
      {{"EVAL", "return #nil", "0"},
       "-ERR user_script:1: attempt to get length of a nil value script: 6d6abd31d8721234b1ee1"
       "a830316ae36ef2693e2, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(local s = 'x'; return s:nosuch())lua", "0"},
       "-ERR user_script:1: attempt to call method 'nosuch' (a nil value) script: 58018e57ad62"
       "49b71f27cade6fc07146cbffbcc8, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return ('x'):rep(-1))lua", "0"}, "$0\r\n\r\n"},
      {{
           "EVAL",
           R"lua(
)lua"
           R"lua(local t = nil
)lua"
           R"lua(
)lua"
           R"lua(return t.field)lua",
           "0"},
       "-ERR user_script:4: attempt to index local 't' (a nil value) script: 265a2bf6092bf0a98"
       "5358a2f36cf76e18a8a1c12, on @user_script:4.\r\n"},
      {{
           "EVAL",
           R"lua(local function f() error('deep') end
)lua"
           R"lua(local function g() f() end
)lua"
           R"lua(g())lua",
           "0"},
       "-ERR user_script:1: deep script: fcfe7b39a4bd241fc3b57a447bdf7decec15e500, on @user_sc"
       "ript:1.\r\n"},
      {{
           "EVAL",
           R"lua(local ok, e = pcall(function() redis.call('get','l') end); return {tostring()lua"
           R"lua(ok), )lua"
           R"lua(type(e)})lua",
           "0"},
       "*2\r\n$5\r\nfalse\r\n$6\r\nstring\r\n"},
      {{
           "EVAL",
           R"lua(local ok, e = pcall(function() redis.call('get','l') end); return e)lua",
           "0"},
       "$65\r\nWRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {{"EVAL", R"lua(local ok, e = pcall(redis.call, 'get', 'l'); return e)lua", "0"},
       "$65\r\nWRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
      {{"EVAL", R"lua(local ok, e = pcall(function() redis.call('nosuch') end); return e)lua", "0"},
       "$44\r\nERR Unknown Redis command called from script\r\n"},
      {{"EVAL", R"lua(local ok, e = pcall(function() error('x') end); return e)lua", "0"},
       "$16\r\nuser_script:1: x\r\n"},
      {{"EVAL", R"lua(local ok, e = pcall(function() error({err='x'}) end); return e)lua", "0"},
       "$1\r\nx\r\n"},
      {{
           "EVAL",
           R"lua(local ok, e = pcall(function() error({err='x'}) end); return type(e))lua",
           "0"},
       "$6\r\nstring\r\n"},
      {{
           "EVAL",
           R"lua(local ok, e = pcall(function() error({foo='x'}) end); return type(e))lua",
           "0"},
       "$5\r\ntable\r\n"},
      {{
           "EVAL",
           R"lua(local ok, e = pcall(function() error(redis.error_reply('ABC def')) )lua"
           R"lua(end); return e)lua",
           "0"},
       "$7\r\nABC def\r\n"},
      {{"EVAL", R"lua(return pcall(redis.call, 'nosuch'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", "return {pcall(function() return 1, 2 end)}", "0"}, "*3\r\n:1\r\n:1\r\n:2\r\n"},
      {{"EVAL", "return {pcall(error)}", "0"}, "*1\r\n$-1\r\n"},
      {{
           "EVAL",
           R"lua(return {xpcall(function() error('q') end, function(m) return 'handled: )lua"
           R"lua(' .. m end)})lua",
           "0"},
       "*2\r\n$-1\r\n$25\r\nhandled: user_script:1: q\r\n"},
      {{
           "EVAL",
           R"lua(return {xpcall(function() redis.call('nosuch') end, function(m) return )lua"
           R"lua(type(m) end)})lua",
           "0"},
       "*2\r\n$-1\r\n$5\r\ntable\r\n"},
      {{"EVAL", "local ok, e = pcall(function() local x = nil; return x.y end); return e", "0"},
       "$55\r\nuser_script:1: attempt to index local 'x' (a nil value)\r\n"},
      {{"EVAL", R"lua(return select('#', pcall(error, 'a')))lua", "0"}, ":2\r\n"},
  });
}

TEST_CASE("scripting: compile errors and odd script bodies", "[scripting]") {
  RunSteps({
      {{"EVAL", "return +", "0"},
       "-ERR Error compiling script (new function):"
       " user_script:1: unexpected symbol near '+'\r\n"},
      {{"EVAL", R"lua(return 'x)lua", "0"},
       "-ERR Error compiling script (new function): user_script:1: unfinished string near '<eo"
       "f>'\r\n"},
      {{"EVAL", "x(", "0"},
       "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eo"
       "f>'\r\n"},
      {{
           "EVAL",
           R"lua(
)lua"
           R"lua(
)lua"
           R"lua(return +)lua",
           "0"},
       "-ERR Error compiling script (new function):"
       " user_script:3: unexpected symbol near '+'\r\n"},
      {{"EVAL", "return 1 end", "0"},
       "-ERR Error compiling script (new function): user_script:1: '<eof>' expected near 'end'"
       "\r\n"},
      {{"EVAL", "", "0"}, "$-1\r\n"},
      {{"EVAL", " ", "0"}, "$-1\r\n"},
      {{"EVAL", "-- only a comment", "0"}, "$-1\r\n"},
      {{"EVAL", "return 1 -- trailing comment", "0"}, ":1\r\n"},
      {{"EVAL", "\xef\xbb\xbfreturn 1", "0"},
       "-ERR Error compiling script (new function):"
       " user_script:1: unexpected symbol near '\xef'\r\n"},
      {{"EVAL", "return '\xff\xfe'", "0"}, "$2\r\n\xff\xfe\r\n"},
      {{"EVAL", "return #ARGV", "0", "a", "b"}, ":2\r\n"},
      {{"EVAL", "#! not a shebang", "0"}, "-ERR Invalid script shebang\r\n"},
      {{"EVAL", "#return 1", "0"},
       "-ERR Error compiling script (new function):"
       " user_script:1: unexpected symbol near '#'\r\n"},
      {{"SCRIPT", "LOAD", "return +"},
       "-ERR Error compiling script (new function):"
       " user_script:1: unexpected symbol near '+'\r\n"},
      {{"SCRIPT", "LOAD", ""}, "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n"},
      {{"EVAL", "local a = function() return 1", "0"},
       "-ERR Error compiling script (new function): user_script:1: 'end' expected near '<eof>'"
       "\r\n"},
  });
}

TEST_CASE("scripting: globals protection", "[scripting]") {
  RunSteps({
      {{"EVAL", "a = 1", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: b88f1ec0c9fe96fde96a6f9"
       "dabcbeee661dd7afe, on @user_script:1.\r\n"},
      {{"EVAL", "return b", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'b' script:"
       " 816510dfadab6b5fbade21d62972b3b4ab4b5cca, on @user_script:1.\r\n"},
      {{"EVAL", "redis = 1", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 00cca49a9d18094f532f6d5"
       "cd3ecec29fc0fafd9, on @user_script:1.\r\n"},
      {{"EVAL", "redis.call = nil", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 2786c35ed73d3860851cf52"
       "e0b5dfbbc0bdb4803, on @user_script:1.\r\n"},
      {{"EVAL", "string.len = nil", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: aae4cbee48e90937ebceba1"
       "885534a683395a9ae, on @user_script:1.\r\n"},
      {{"EVAL", "string.newfn = function() end", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 4c44b144df403c6f0713f29"
       "9b95e5e6f660c5747, on @user_script:1.\r\n"},
      {{"EVAL", "redis.newfield = 1", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 5cd37a27477c517dd09cf10"
       "c0d5ea0c8825c9115, on @user_script:1.\r\n"},
      {{"EVAL", "cjson.encode = nil", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: ca8772b89bfaafed79b4e97"
       "8e804ff876bb3abc5, on @user_script:1.\r\n"},
      {{"EVAL", "math.pi = 3", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 29d944a5e7490072c60ab9c"
       "df9bf7c8d2c97058c, on @user_script:1.\r\n"},
      {{"EVAL", "table.concat = nil", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 91afa7f32ae7bea8b80bec5"
       "cba690f592ff3ef07, on @user_script:1.\r\n"},
      {{"EVAL", "bit.band = nil", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: f46a7ee79fce18f1afbcd50"
       "f2912644bcf6def30, on @user_script:1.\r\n"},
      {{"EVAL", "struct.pack = nil", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 9bdaa291383c17ba0baeb5a"
       "45005e3962367fc01, on @user_script:1.\r\n"},
      {{"EVAL", "cmsgpack.pack = nil", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 5042404704fad295e580fc4"
       "7e5d8ea1e0f53184c, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(rawset(_G, 'x', 1))lua", "0"},
       "-ERR Attempt to modify a readonly table script: e2c706419da183d6229a1230c3be09cc32cdee"
       "e0, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(rawset(redis, 'x', 1))lua", "0"},
       "-ERR Attempt to modify a readonly table script: 5d5efa93489754cf0d6ef6c4ffef0bc28c37a3"
       "1b, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(rawset(string, 'x', 1))lua", "0"},
       "-ERR Attempt to modify a readonly table script: 520efe0be9eced50ab34c0e956295bc924abd7"
       "03, on @user_script:1.\r\n"},
      {{"EVAL", "setmetatable(_G, nil)", "0"},
       "-ERR Attempt to modify a readonly table script: 22fdd3b51da2d4bc6703d71d651cd782d8e5a3"
       "5f, on @user_script:1.\r\n"},
      {{"EVAL", "setmetatable(string, {})", "0"},
       "-ERR Attempt to modify a readonly table script: f77b14463e19b108fd21de6f1ba202c4266299"
       "ca, on @user_script:1.\r\n"},
      {{"EVAL", "setmetatable(redis, {})", "0"},
       "-ERR Attempt to modify a readonly table script: 6ae3b573071d027833c6f717b4786d090accc2"
       "73, on @user_script:1.\r\n"},
      {{"EVAL", "_G.x = 1", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: e5cf4a26667af1721988fe8"
       "c9829d5cd2e26c62e, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(_G['x'] = 1)lua", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: a879c47aaca19e4b5af4d93"
       "87f9167edeeb56805, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return rawget(_G, 'nonexistent'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", "return rawequal(_G, _G)", "0"}, ":1\r\n"},
      {{"EVAL", R"lua(local t = getmetatable(''); t.__index = nil)lua", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: 0db4d2f8829594d339e6c01"
       "8a9bff56b1009b277, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(local t = getmetatable(''); t.__newfield = 1)lua", "0"},
       "-ERR user_script:1: Attempt to modify a readonly table script: e85dc94c96e6123bd31be9a"
       "68b4fb51a62695da5, on @user_script:1.\r\n"},
      {{"EVAL", "local t = getmetatable(_G); return type(t)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", R"lua(table.insert(string, 'x'))lua", "0"},
       "-ERR Attempt to modify a readonly table script: 5ce8631495eacc57651d9c7ab7eb2d916208a4"
       "92, on @user_script:1.\r\n"},
      {{"EVAL", "table.remove(redis)", "0"}, "$-1\r\n"},
      {{"EVAL", "table.sort(string)", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(return loadstring('return 1')())lua", "0"}, ":1\r\n"},
      {{"EVAL", R"lua(local f = loadstring('x = 1'); f())lua", "0"},
       "-ERR [string \"x = 1\"]:1: Attempt to modify a readonly table script: 1ab33f41dd0adb56f8"
       "4b3433b48cc77df9a7e146, on x = 1:1.\r\n"},
      {{"EVAL", R"lua(local f = loadstring('return nosuchvar'); return f())lua", "0"},
       "-ERR [string \"return nosuchvar\"]:1: Script attempted to access nonexistent global vari"
       "able 'nosuchvar' script: d306a53117289ec7162b8118884b490dc2d73340, on return nosuchvar"
       ":1.\r\n"},
      {{"EVAL", "local x = 5; return x", "0"}, ":5\r\n"},
      {{
           "EVAL",
           R"lua(local t = {}; t.x = 1; setmetatable(t, {}); rawset(t, 'y', 2); return )lua"
           R"lua({t.x, t.y})lua",
           "0"},
       "*2\r\n:1\r\n:2\r\n"},
      {{"EVAL", R"lua(local string = 'shadow'; return string)lua", "0"}, "$6\r\nshadow\r\n"},
      {{"EVAL", "for k, v in pairs(_G) do end; return 1", "0"}, ":1\r\n"},
      {{"EVAL", "local n = 0; for k in pairs(redis) do n = n + 1 end; return n > 5", "0"},
       ":1\r\n"},
      {{"EVAL", "local n = 0; for k in pairs(string) do n = n + 1 end; return n", "0"}, ":15\r\n"},
      {{"EVAL", "local n = 0; for k in pairs(math) do n = n + 1 end; return n", "0"}, ":31\r\n"},
      {{"EVAL", "local n = 0; for k in pairs(table) do n = n + 1 end; return n", "0"}, ":9\r\n"},
      {{"EVAL", R"lua(return string.len('abc'))lua", "0"}, ":3\r\n"},
      {{"EVAL", R"lua(return ('abc'):upper())lua", "0"}, "$3\r\nABC\r\n"},
      {{"EVAL", "return type(_G)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return _G.redis == redis", "0"}, ":1\r\n"},
      {{"EVAL", "return _G._G == _G", "0"}, ":1\r\n"},
      {{"EVAL", R"lua(return getmetatable('').__index == string)lua", "0"}, ":1\r\n"},
  });
}

TEST_CASE("scripting: the libraries a script sees, and those it does not", "[scripting]") {
  RunSteps({
      {{"EVAL", "return type(print)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'print' scr"
       "ipt: 296aa29e565df267b5e30e498f3872c9f9e8e8cc, on @user_script:1.\r\n"},
      {{"EVAL", "return type(os)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' script"
       ": 88bfcb2247db0b6fa4925f3cddc3fd0651459f99, on @user_script:1.\r\n"},
      {{"EVAL", "return type(io)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'io' script"
       ": 918bbded8bab006be53c3db116d9c93508fc799a, on @user_script:1.\r\n"},
      {{"EVAL", "return type(loadfile)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'loadfile' "
       "script: dc6fbc079d0e6ef2af8c376dda4f3d362fa30d87, on @user_script:1.\r\n"},
      {{"EVAL", "return type(dofile)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'dofile' sc"
       "ript: f14b399205539f5db37113032a1a25c72b8c6743, on @user_script:1.\r\n"},
      {{"EVAL", "return type(loadstring)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(debug)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'debug' scr"
       "ipt: 21bcbd6f0f3639ee18732cb6907e65a4859b9625, on @user_script:1.\r\n"},
      {{"EVAL", "return type(require)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'require' s"
       "cript: a10ff9bcfafac54cee41502b0e65e31ab05862c3, on @user_script:1.\r\n"},
      {{"EVAL", "return type(module)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'module' sc"
       "ript: ec1c6cc4fb3e3178e6b741a3338324a32a935d97, on @user_script:1.\r\n"},
      {{"EVAL", "return type(getfenv)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'getfenv' s"
       "cript: d2c7282719af3bf866eec648f4592730ecb3a75f, on @user_script:1.\r\n"},
      {{"EVAL", "return type(setfenv)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'setfenv' s"
       "cript: ceaddaad3558d2f10cbb8082ea10e1b63f3ac0ea, on @user_script:1.\r\n"},
      {{"EVAL", "return type(newproxy)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'newproxy' "
       "script: 2db8cbf73e97a4b7d8d1a7ce472bf57302f0f369, on @user_script:1.\r\n"},
      {{"EVAL", "return type(collectgarbage)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(unpack)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(gcinfo)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(coroutine)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(package)", "0"},
       "-ERR user_script:1: Script attempted to access nonexistent global variable 'package' s"
       "cript: 9d2e094dbe8b2fe1613bf6e8e2abe7b98d1569b8, on @user_script:1.\r\n"},
      {{"EVAL", "return type(_VERSION)", "0"}, "$6\r\nstring\r\n"},
      {{"EVAL", "return type(select)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(tonumber)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(tostring)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(ipairs)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(pairs)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(next)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(type)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(assert)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(error)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(pcall)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(xpcall)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(rawget)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(rawset)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(rawequal)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(setmetatable)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(getmetatable)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(bit)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(cjson)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(cmsgpack)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(struct)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(math)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(table)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(string)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(redis)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(KEYS)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(ARGV)", "0"}, "$5\r\ntable\r\n"},
      {{"EVAL", "return type(__redis__err__handler)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return _VERSION", "0"}, "$7\r\nLua 5.1\r\n"},
      {{
           "EVAL",
           "return {type(redis.call), type(redis.pcall), type(redis.error_reply), type(redis.s"
           "tatus_reply), type(redis.sha1hex), type(redis.log), type(redis.setresp), type(redi"
           "s.set_repl), type(redis.replicate_commands), type(redis.breakpoint), type(redis.de"
           "bug)}",
           "0"},
       "*11\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$8\r\nfuncti"
       "on\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$8\r\nfunctio"
       "n\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n$8\r\nfunction"
       "\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n"},
      {{"EVAL", "return type(redis.register_function)", "0"}, "$3\r\nnil\r\n"},
      {{"EVAL", "return type(redis.REDIS_VERSION)", "0"}, "$6\r\nstring\r\n"},
      {{"EVAL", "return type(redis.REDIS_VERSION_NUM)", "0"}, "$6\r\nnumber\r\n"},
      {{"EVAL", "return type(math.random)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(string.dump)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(table.getn)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(math.mod)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(string.gfind)", "0"}, "$8\r\nfunction\r\n"},
      {{"EVAL", "return type(coroutine.create)", "0"}, "$8\r\nfunction\r\n"},
      {{
           "EVAL",
           R"lua(local co = coroutine.create(function(a) coroutine.yield(a + 1); return )lua"
           R"lua('done' end); local _, x = coroutine.resume(co, 1); local _, y = coroutine.re)lua"
           R"lua(sume(co); )lua"
           R"lua(return {x, y})lua",
           "0"},
       "*2\r\n:2\r\n$4\r\ndone\r\n"},
  });
}

TEST_CASE("scripting: redis.sha1hex, redis.log, redis.setresp, redis.set_repl and friends",
          "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(return redis.sha1hex(''))lua", "0"},
       "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n"},
      {{"EVAL", R"lua(return redis.sha1hex('Pizza & Mandolino'))lua", "0"},
       "$40\r\n74822d82031af7493c20eefa13bd07ec4fada82f\r\n"},
      {{"EVAL", "return redis.sha1hex()", "0"},
       "-ERR wrong number of arguments script: 3c7ce947ae74a835cc575b6ee87fb27503cb7ba4, on @u"
       "ser_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.sha1hex('a','b'))lua", "0"},
       "-ERR wrong number of arguments script: edf6261c570172733db1a1733deb85dff3d07a94, on @u"
       "ser_script:1.\r\n"},
      {{"EVAL", "return redis.sha1hex(1)", "0"},
       "$40\r\n356a192b7913b04c54574d18c28d46e6395428ab\r\n"},
      {{"EVAL", "return redis.sha1hex(1.5)", "0"},
       "$40\r\naa8f289ebe6d4db1b4a1038b8931ec8c2b5399fb\r\n"},
      {{"EVAL", "return redis.sha1hex({})", "0"},
       "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n"},
      {{"EVAL", "return redis.sha1hex(nil)", "0"},
       "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n"},
      {{"EVAL", R"lua(return redis.sha1hex('a\0b'))lua", "0"},
       "$40\r\n4a3dec2d1f8245280855c42db0ee4239f917fdb8\r\n"},
      {{
           "EVAL",
           "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}",
           "0"},
       "*4\r\n:0\r\n:1\r\n:2\r\n:3\r\n"},
      {{
           "EVAL",
           "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, red"
           "is.REPL_ALL}",
           "0"},
       "*5\r\n:0\r\n:1\r\n:2\r\n:2\r\n:3\r\n"},
      {{"EVAL", R"lua(redis.log(redis.LOG_WARNING, 'hello from a test'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(return redis.log(redis.LOG_DEBUG, 'a', 'b', 1, 2.5))lua", "0"}, "$-1\r\n"},
      {{"EVAL", "redis.log(redis.LOG_WARNING)", "0"},
       "-ERR redis.log() requires two arguments or more. script: 49ca850ffc5e5c988724c7c053ac0"
       "e63c6043790, on @user_script:1.\r\n"},
      {{"EVAL", "redis.log()", "0"},
       "-ERR redis.log() requires two arguments or more. script: 832b44eaff8743413d7a371df1c03"
       "8871278515a, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(redis.log(99, 'x'))lua", "0"},
       "-ERR Invalid debug level. script: 565e201a96e8ec463b56090cf8419fce86ea26cf, on @user_s"
       "cript:1.\r\n"},
      {{"EVAL", R"lua(redis.log(-1, 'x'))lua", "0"},
       "-ERR Invalid debug level. script: b3d3b58ce88640e3505cc2ccd8b3493313d74bae, on @user_s"
       "cript:1.\r\n"},
      {{"EVAL", R"lua(redis.log('x', 'x'))lua", "0"},
       "-ERR First argument must be a number (log level). script: 98c533a2786f9bbcdfb441a87461"
       "1e7db64b5ca6, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(redis.log('2', 'x'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", "redis.log(redis.LOG_NOTICE, {})", "0"}, "$-1\r\n"},
      {{"EVAL", "redis.setresp(4)", "0"},
       "-ERR RESP version must be 2 or 3. script: 68e72e4d8a428b9f599dce492315f2455a425a82, on"
       " @user_script:1.\r\n"},
      {{"EVAL", "redis.setresp(1)", "0"},
       "-ERR RESP version must be 2 or 3. script: c7b902a2c3928d46426d230692867f2c99b55bcc, on"
       " @user_script:1.\r\n"},
      {{"EVAL", "redis.setresp()", "0"},
       "-ERR redis.setresp() requires one argument. script: 42aacaf580759e59c97e8b1974d08a62f9"
       "60014f, on @user_script:1.\r\n"},
      {{"EVAL", "redis.setresp(2, 3)", "0"},
       "-ERR redis.setresp() requires one argument. script: 572defd933d67500478b711c7fa9e34b75"
       "34b0ca, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(redis.setresp('3'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(redis.setresp('x'))lua", "0"},
       "-ERR RESP version must be 2 or 3. script: c2a797a9752572869ec889597b789377db40332b, on"
       " @user_script:1.\r\n"},
      {{"EVAL", "redis.setresp(2.9)", "0"}, "$-1\r\n"},
      {{"EVAL", "return redis.setresp(2)", "0"}, "$-1\r\n"},
      {{"EVAL", "redis.set_repl()", "0"},
       "-ERR redis.set_repl() requires two arguments. script: e39b47fd8e0d5dc1c7155bbafcefaf48"
       "cf163f82, on @user_script:1.\r\n"},
      {{"EVAL", "redis.set_repl(99)", "0"},
       "-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. scr"
       "ipt: d771ce5945d8966ba7b2527e297070ef439fb0b8, on @user_script:1.\r\n"},
      {{"EVAL", "redis.set_repl(-1)", "0"},
       "-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. scr"
       "ipt: 8a9e597f1ef1c509256967b086e698ce1cb669aa, on @user_script:1.\r\n"},
      {{"EVAL", "redis.set_repl(4)", "0"},
       "-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. scr"
       "ipt: 4b0d676cbb3ad7b26a76c3abadb705825525eedf, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(redis.set_repl('x'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", "redis.set_repl(1, 2)", "0"},
       "-ERR redis.set_repl() requires two arguments. script: 1bbd1e3dd18ab31789e7b904151af774"
       "df3a474d, on @user_script:1.\r\n"},
      {{"EVAL", "return redis.set_repl(redis.REPL_ALL)", "0"}, "$-1\r\n"},
      {{"EVAL", "return redis.set_repl(redis.REPL_NONE)", "0"}, "$-1\r\n"},
      {{"EVAL", "return redis.breakpoint()", "0"}, "$-1\r\n"},
      {{"EVAL", R"lua(return redis.debug('x'))lua", "0"}, "$-1\r\n"},
      {{"EVAL", "return redis.replicate_commands()", "0"}, ":1\r\n"},
  });
}

TEST_CASE("scripting: math.random: one sequence from server start, across scripts and SCRIPT FLUSH",
          "[scripting]") {
  RunSteps({
      {{"EVAL", "return math.random()", "0"}, ":0\r\n"},
      {{"EVAL", "return tostring(math.random())", "0"}, "$16\r\n0.84048536971234\r\n"},
      {{"EVAL", "return {math.random(10), math.random(10), math.random(1,1000)}", "0"},
       "*3\r\n:4\r\n:5\r\n:319\r\n"},
      {{"EVAL", "return {math.random(10), math.random(10), math.random(1,1000)}", "0"},
       "*3\r\n:9\r\n:1\r\n:585\r\n"},
      {{"EVAL", "math.randomseed(42); return {math.random(1000), math.random(1000)}", "0"},
       "*2\r\n:745\r\n:343\r\n"},
      {{"EVAL", "return math.random(1000)", "0"}, ":112\r\n"},
      {{"EVAL", "local t = {} for i = 1, 20 do t[i] = tostring(math.random()) end return t", "0"},
       "*20\r\n$16\r\n0.42233895809499\r\n$17\r\n0.08111117"
       "0854937\r\n$16\r\n0.85644070797434\r\n$16\r\n0.4987"
       "9942205679\r\n$16\r\n0.47881429059376\r\n$16\r\n0.6"
       "9081244417038\r\n$15\r\n0.8345937662919\r\n$16\r\n0"
       ".46289983459883\r\n$16\r\n0.57763806012349\r\n$16"
       "\r\n0.53397276091109\r\n$16\r\n0.02588992241113\r\n"
       "$16\r\n0.76981204178641\r\n$16\r\n0.6011364141484"
       "4\r\n$16\r\n0.90883275350036\r\n$16\r\n0.4893848143"
       "9342\r\n$16\r\n0.53598974716663\r\n$16\r\n0.4966909"
       "5617565\r\n$16\r\n0.43763751696685\r\n$16\r\n0.3496"
       "7725274604\r\n$16\r\n0.92192218588755\r\n"},
      {{"EVAL", "return math.random(0)", "0"},
       "-ERR user_script:1: bad argument #1 to 'random' (interval is empty) script: 008bcb60f8"
       "6ee36d26c67b641b46674578d9cba0, on @user_script:1.\r\n"},
      {{"EVAL", "return math.random(5, 1)", "0"},
       "-ERR user_script:1: bad argument #2 to 'random' (interval is empty) script: 1d8aa02a60"
       "cda8bed17d3a4d709a3e8508a63268, on @user_script:1.\r\n"},
      {{"EVAL", "return math.random(1, 2, 3)", "0"},
       "-ERR user_script:1: wrong number of arguments script: 07d2fd85ff1e5c39f9bd7d9163eddb0d"
       "b34f2a7a, on @user_script:1.\r\n"},
      {{"EVAL", "return math.random(-5, -1)", "0"}, ":-1\r\n"},
      {{"EVAL", "return tostring(math.random(2147483647))", "0"}, "$9\r\n540902426\r\n"},
      {{"SCRIPT", "FLUSH"}, "+OK\r\n"},
      {{"EVAL", "return tostring(math.random())", "0"}, "$16\r\n0.20578560428963\r\n"},
      {{"EVAL", "math.randomseed(1); return tostring(math.random())", "0"},
       "$17\r\n0.041630344484761\r\n"},
      {{"EVAL", "return tostring(math.random())", "0"}, "$15\r\n0.4544924448498\r\n"},
  });
}

TEST_CASE("scripting: error texts stop at a NUL byte as Redis's C strings do; status and bulk"
          " texts as noted",
          "[scripting]") {
  RunSteps({
      {{"EVAL", R"lua(return {err='a\0b'})lua", "0"}, "-a\r\n"},
      {{"EVAL", R"lua(return {err='\0b'})lua", "0"}, "-\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('a\0b'))lua", "0"}, "-ERR a\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('a\0b').err)lua", "0"}, "$5\r\nERR a\r\n"},
      {{"EVAL", R"lua(return redis.error_reply('\0b').err)lua", "0"}, "$4\r\nERR \r\n"},
      {{"EVAL", R"lua(error('a\0b'))lua", "0"},
       "-ERR user_script:1: a script: 5f5ac4831d66dd38653b036c54cfd07d78762d8c, on @user_scrip"
       "t:1.\r\n"},
      {{"EVAL", R"lua(error('a\0b', 0))lua", "0"},
       "-ERR a script: 8488dc045078fdee261e46433cf23b054cd0c74b, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error({err='a\0b'}))lua", "0"},
       "-a script: 9663d9efd302bce62e1f342e6301fa355f380ab0, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(error(redis.error_reply('a\0b')))lua", "0"},
       "-ERR a script: e3404cbc9513a3a4803da1656b815611c75ee009, on @user_script:1.\r\n"},
      {{"EVAL", "return {err=ARGV[1]}", "0", "x\xff\x00y"s}, "-x\xff\r\n"},
      {{"EVAL", "error(ARGV[1], 0)", "0", "\x00"s},
       "-ERR  script: f9f1ed8fb14d5b399fcdf70c69bf9a508d28fc51, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return {ok='a\0b'})lua", "0"}, "+a\r\n"},
      {{"EVAL", R"lua(return redis.status_reply('a\0b'))lua", "0"}, "+a\r\n"},
      {{"EVAL", R"lua(return redis.status_reply('a\0b').ok)lua", "0"}, "$3\r\na\x00" "b\r\n"s},
      {{"EVAL", R"lua(return {1, {ok='a\0b'}, {err='c\0d'}})lua", "0"}, "*3\r\n:1\r\n+a\r\n-c\r\n"},
      {{"EVAL", R"lua(local ok, e = pcall(error, 'a\0b'); return e)lua", "0"},
       "$3\r\na\x00" "b\r\n"s},
      {{"EVAL", R"lua(local ok, e = pcall(error, {err='a\0b'}); return e)lua", "0"},
       "$3\r\na\x00" "b\r\n"s},
      {{"EVAL", R"lua(return {map={['a\0b']='c\0d'}})lua", "0"},
       "*2\r\n$3\r\na\x00" "b\r\n$3\r\nc\x00" "d\r\n"s},
      {{"EVAL", R"lua(return redis.pcall('nosuch\0x'))lua", "0"},
       "-ERR Unknown Redis command called from script\r\n"},
      {{"EVAL", R"lua(return redis.call('get\0x', 'a'))lua", "0"},
       "-ERR Unknown Redis command called from script script: 1c6ac0270d8bbde11acfbd73b66c7c9c"
       "e766ac9a, on @user_script:1.\r\n"},
      {{"EVAL", R"lua(return redis.pcall('set', 'k\0z', 'v\0w'))lua", "0"}, "+OK\r\n"},
      {{"EVAL", R"lua(return redis.pcall('get', 'k\0z'))lua", "0"}, "$3\r\nv\x00w\r\n"s},
  });
}
// clang-format on

}  // namespace
}  // namespace baozi::testing
