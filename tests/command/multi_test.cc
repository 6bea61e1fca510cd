// MULTI/EXEC/DISCARD/WATCH/UNWATCH through the real dispatcher, with the injected clock for
// every expiry case. The expected replies were taken from redis-server 7.0.15; where Redis's
// behaviour is surprising the test says so.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/command/harness.h"

namespace baozi::testing {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kRan = "[PONG]";         // EXEC ran the transaction
constexpr std::string_view kAborted = "nil-array";  // a watched key changed
constexpr std::string_view kExecAbort =
    "(error) EXECABORT Transaction discarded because of previous errors.";

// MULTI, PING, EXEC on `conn`: kRan or kAborted.
std::string ExecPing(CommandHarness& h, std::string_view conn = "default") {
  CHECK(h.Run({"MULTI"}, conn) == "OK");
  CHECK(h.Run({"PING"}, conn) == "QUEUED");
  return h.Run({"EXEC"}, conn);
}

// MULTI, each command (each must be queued), then EXEC's reply.
std::string Transaction(CommandHarness& h,
                        std::initializer_list<std::vector<std::string_view>> cmds,
                        std::string_view conn = "default") {
  CHECK(h.Run({"MULTI"}, conn) == "OK");
  for (const auto& c : cmds) CHECK(h.Run(c, conn) == "QUEUED");
  return h.Run({"EXEC"}, conn);
}

// ---------------------------------------------------------------------------------------------
// Queuing and EXEC replies

TEST_CASE("MULTI queues commands and EXEC answers one array of their replies", "[multi]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.raw() == "+OK\r\n");
  CHECK(h.Run({"SET", "k", "v"}) == "QUEUED");
  CHECK(h.raw() == "+QUEUED\r\n");
  CHECK(h.Run({"GET", "k"}) == "QUEUED");
  // Nothing ran yet: another client does not see the write.
  CHECK(h.Run({"GET", "k"}, "other") == "nil");
  CHECK(h.Run({"INCR", "n"}) == "QUEUED");
  CHECK(h.Run({"GET", "missing"}) == "QUEUED");
  CHECK(h.Run({"EXEC"}) == "[OK, \"v\", 1, nil]");
  CHECK(h.raw() == "*4\r\n+OK\r\n$1\r\nv\r\n:1\r\n$-1\r\n");
  CHECK(h.Run({"GET", "k"}, "other") == "\"v\"");
  // The client is out of MULTI: commands run at once again.
  CHECK(h.Run({"GET", "k"}) == "\"v\"");
  CHECK(h.Run({"EXEC"}) == "(error) ERR EXEC without MULTI");
}

TEST_CASE("an empty transaction answers an empty array", "[multi]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"EXEC"}) == "[]");
  CHECK(h.raw() == "*0\r\n");
}

TEST_CASE("EXEC reply shapes in RESP3", "[multi][resp3]") {
  CommandHarness h;
  h.Run({"HELLO", "3"});
  CHECK(Transaction(h, {{"HSET", "h", "f", "v"},
                        {"HGETALL", "h"},
                        {"ZADD", "z", "1.5", "a"},
                        {"ZSCORE", "z", "a"},
                        {"GET", "missing"},
                        {"SADD", "s", "x"},
                        {"SMEMBERS", "s"}}) ==
        "[1, {\"f\" => \"v\"}, 1, (double) 1.5, nil, 1, ~{\"x\"}]");
  CHECK(h.raw() ==
        "*7\r\n:1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n:1\r\n,1.5\r\n_\r\n:1\r\n~1\r\n$1\r\nx\r\n");
  // A transaction aborted by WATCH is a RESP3 null, not "*-1".
  h.Run({"WATCH", "k"});
  h.Run({"SET", "k", "1"}, "other");
  CHECK(ExecPing(h) == "nil");
  CHECK(h.raw() == "_\r\n");
}

TEST_CASE("run-time errors are replies inside the array; the other commands still run", "[multi]") {
  CommandHarness h;
  CHECK(Transaction(h, {{"SET", "s", "1"},
                        {"LPUSH", "s", "x"},
                        {"INCR", "s"},
                        {"HSET", "s", "f", "v"},
                        {"GET", "s"}}) ==
        "[OK, (error) WRONGTYPE Operation against a key holding the wrong kind of value, 2, "
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value, \"2\"]");
  CHECK(h.raw() ==
        "*5\r\n+OK\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        ":2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$1\r\n2\r\n");
  // Argument errors only a handler can see (not arity) are run-time errors too.
  CHECK(Transaction(h, {{"SET", "k", "v", "EX", "abc"},
                        {"BLPOP", "q", "-1"},
                        {"BLPOP", "q", "abc"},
                        {"SET", "k", "w"}}) ==
        "[(error) ERR value is not an integer or out of range, (error) ERR timeout is negative, "
        "(error) ERR timeout is not a float or out of range, OK]");
}

TEST_CASE("SELECT inside a transaction moves the rest of it", "[multi]") {
  CommandHarness h;
  CHECK(Transaction(h, {{"SET", "a", "0"}, {"SELECT", "2"}, {"SET", "a", "2"}, {"GET", "a"}}) ==
        "[OK, OK, OK, \"2\"]");
  // The SELECT stays in force after EXEC.
  CHECK(h.Run({"GET", "a"}) == "\"2\"");
  CHECK(h.Run({"SELECT", "0"}) == "OK");
  CHECK(h.Run({"GET", "a"}) == "\"0\"");
}

// ---------------------------------------------------------------------------------------------
// Errors of the transaction commands themselves

TEST_CASE("EXEC and DISCARD without MULTI", "[multi]") {
  CommandHarness h;
  CHECK(h.Run({"EXEC"}) == "(error) ERR EXEC without MULTI");
  CHECK(h.Run({"DISCARD"}) == "(error) ERR DISCARD without MULTI");
}

TEST_CASE("nested MULTI is an error that does not abort the transaction", "[multi]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SET", "a", "1"}) == "QUEUED");
  CHECK(h.Run({"MULTI"}) == "(error) ERR MULTI calls can not be nested");
  CHECK(h.Run({"EXEC"}) == "[OK]");
  CHECK(h.Run({"GET", "a"}) == "\"1\"");
}

TEST_CASE("WATCH inside MULTI is an error that does not abort the transaction", "[multi]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"WATCH", "x"}) == "(error) ERR WATCH inside MULTI is not allowed");
  CHECK(h.Run({"SET", "x", "1"}) == "QUEUED");
  CHECK(h.Run({"EXEC"}) == "[OK]");
  // The failed WATCH watched nothing.
  h.Run({"SET", "x", "2"}, "other");
  CHECK(ExecPing(h) == kRan);
}

TEST_CASE("a command refused while queuing makes EXEC answer EXECABORT", "[multi]") {
  CommandHarness h;
  SECTION("unknown command") {
    CHECK(h.Run({"MULTI"}) == "OK");
    CHECK(h.Run({"NOPE", "x"}) ==
          "(error) ERR unknown command 'NOPE', with args beginning with: 'x' ");
    CHECK(h.Run({"SET", "a", "1"}) == "QUEUED");
    CHECK(h.Run({"EXEC"}) == kExecAbort);
  }
  SECTION("wrong arity") {
    CHECK(h.Run({"MULTI"}) == "OK");
    CHECK(h.Run({"SET", "a", "1"}) == "QUEUED");
    CHECK(h.Run({"GET"}) == "(error) ERR wrong number of arguments for 'get' command");
    CHECK(h.Run({"EXEC"}) == kExecAbort);
  }
  SECTION("unknown subcommand") {
    CHECK(h.Run({"MULTI"}) == "OK");
    CHECK(h.Run({"SET", "a", "1"}) == "QUEUED");
    CHECK(h.Run({"OBJECT", "NOPE", "a"}) ==
          "(error) ERR unknown subcommand 'NOPE'. Try OBJECT HELP.");
    CHECK(h.Run({"EXEC"}) == kExecAbort);
  }
  SECTION("a no-multi command") {
    CHECK(h.Run({"MULTI"}) == "OK");
    CHECK(h.Run({"SET", "a", "1"}) == "QUEUED");
    CHECK(h.Run({"SHUTDOWN"}) == "(error) ERR Command not allowed inside a transaction");
    CHECK(h.Run({"EXEC"}) == kExecAbort);
  }
  SECTION("DISCARD with an arity error leaves the transaction open (and failed)") {
    CHECK(h.Run({"MULTI"}) == "OK");
    CHECK(h.Run({"DISCARD", "x"}) == "(error) ERR wrong number of arguments for 'discard' command");
    CHECK(h.Run({"PING"}) == "QUEUED");
    CHECK(h.Run({"EXEC"}) == kExecAbort);
  }
  // The queued SET never ran, and the client left MULTI.
  CHECK(h.Run({"GET", "a"}) == "nil");
  CHECK(h.Run({"EXEC"}) == "(error) ERR EXEC without MULTI");
  CHECK(h.Run({"INFO", "errorstats"}).find("errorstat_EXECABORT:count=1") != std::string::npos);
}

TEST_CASE("EXEC refused itself aborts at once and names the reason", "[multi]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SET", "a", "1"}) == "QUEUED");
  CHECK(h.Run({"EXEC", "x"}) ==
        "(error) EXECABORT Transaction discarded because of: wrong number of arguments for "
        "'exec' command");
  // Out of MULTI, nothing ran.
  CHECK(h.Run({"GET", "a"}) == "nil");
  CHECK(h.Run({"DISCARD"}) == "(error) ERR DISCARD without MULTI");
}

TEST_CASE("EXEC refused outside MULTI still answers EXECABORT and unwatches", "[multi]") {
  // Redis's rejectCommand aborts "the transaction" whenever the refused command is EXEC, in
  // MULTI or not; the abort discards the (empty) transaction, which also drops the WATCHes.
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  CHECK(h.Run({"WATCH", "a"}) == "OK");
  CHECK(h.Run({"EXEC", "x"}) ==
        "(error) EXECABORT Transaction discarded because of: wrong number of arguments for "
        "'exec' command");
  h.Run({"SET", "a", "3"}, "other");
  CHECK(ExecPing(h) == kRan);
}

TEST_CASE("NOAUTH while queuing aborts the transaction", "[multi][auth]") {
  // Redis reaches this only when a client loses its authentication inside MULTI; the test
  // forces it to check the order of the dispatcher's checks.
  CommandHarness h("requirepass secret\n");
  CHECK(h.Run({"AUTH", "secret"}) == "OK");
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SET", "a", "1"}) == "QUEUED");
  h.client().set_authenticated(false);
  CHECK(h.Run({"GET", "a"}) == "(error) NOAUTH Authentication required.");
  // EXEC needs authentication too, so it is refused itself and names NOAUTH.
  CHECK(h.Run({"EXEC"}) ==
        "(error) EXECABORT Transaction discarded because of: NOAUTH Authentication required.");
  CHECK(h.Run({"AUTH", "secret"}) == "OK");
  CHECK(h.Run({"GET", "a"}) == "nil");
}

TEST_CASE("maxmemory: queuing anything is refused, DISCARD and a read-only EXEC are not",
          "[multi][oom]") {
  constexpr std::string_view kOom =
      "(error) OOM command not allowed when used memory > 'maxmemory'.";
  CommandHarness h;
  h.Run({"SET", "a", "1"});
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "1"}) == "OK");
  CHECK(h.Run({"MULTI"}) == "OK");
  // Even a read: the queue itself grows.
  CHECK(h.Run({"GET", "a"}) == kOom);
  CHECK(h.Run({"DISCARD"}) == "OK");
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"EXEC"}) == "[]");
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"GET", "a"}) == kOom);
  CHECK(h.Run({"EXEC"}) == kExecAbort);
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "0"}) == "OK");

  // Memory ran out after queuing: EXEC is refused if it queued a deny-oom command...
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SET", "a", "2"}) == "QUEUED");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "1"}, "admin") == "OK");
  CHECK(h.Run({"EXEC"}) ==
        "(error) EXECABORT Transaction discarded because of: OOM command not allowed when used "
        "memory > 'maxmemory'.");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "0"}, "admin") == "OK");
  CHECK(h.Run({"GET", "a"}) == "\"1\"");
  // ...and runs if it did not.
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"GET", "a"}) == "QUEUED");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "1"}, "admin") == "OK");
  CHECK(h.Run({"EXEC"}) == "[\"1\"]");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "0"}, "admin") == "OK");
}

TEST_CASE("DISCARD drops the queue and the WATCHes", "[multi]") {
  CommandHarness h;
  h.Run({"SET", "k", "1"});
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SET", "k", "2"}) == "QUEUED");
  CHECK(h.Run({"DISCARD"}) == "OK");
  CHECK(h.Run({"GET", "k"}) == "\"1\"");
  h.Run({"SET", "k", "3"}, "other");
  CHECK(ExecPing(h) == kRan);
}

TEST_CASE("QUIT and RESET act at once inside MULTI", "[multi]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SET", "q", "1"}) == "QUEUED");
  CHECK(h.Run({"RESET"}) == "RESET");
  CHECK(h.Run({"EXEC"}) == "(error) ERR EXEC without MULTI");
  CHECK(h.Run({"GET", "q"}) == "nil");

  CHECK(h.Run({"MULTI"}, "quitter") == "OK");
  CHECK(h.Run({"SET", "q", "1"}, "quitter") == "QUEUED");
  CHECK(h.Run({"QUIT"}, "quitter") == "OK");
  CHECK(h.client("quitter").Has(kClientCloseAfterReply));
  h.Disconnect("quitter");
  CHECK(h.Run({"GET", "q"}) == "nil");
}

TEST_CASE("MONITOR inside a transaction is refused when EXEC runs it", "[multi]") {
  CommandHarness h;
  CHECK(Transaction(h, {{"MONITOR"}, {"PING"}}) ==
        "[(error) ERR MONITOR isn't allowed for DENY BLOCKING client, PONG]");
  CHECK_FALSE(h.client().Has(kClientMonitor));
}

// ---------------------------------------------------------------------------------------------
// WATCH

TEST_CASE("WATCH: an untouched key lets EXEC run, and EXEC unwatches", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "1"});
  CHECK(h.Run({"WATCH", "k", "x", "y"}) == "OK");
  CHECK(h.Run({"WATCH", "k"}) == "OK");  // watching twice is watching once
  CHECK(ExecPing(h) == kRan);
  // After EXEC nothing is watched.
  h.Run({"SET", "k", "2"}, "other");
  CHECK(ExecPing(h) == kRan);
}

TEST_CASE("WATCH: another client's write aborts EXEC", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "1"});
  CHECK(h.Run({"WATCH", "a", "b", "k", "z"}) == "OK");
  CHECK(h.Run({"SET", "k", "2"}, "other") == "OK");
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SET", "k", "mine"}) == "QUEUED");
  CHECK(h.Run({"EXEC"}) == kAborted);
  CHECK(h.raw() == "*-1\r\n");
  CHECK(h.Run({"GET", "k"}) == "\"2\"");
  // The failed EXEC unwatched everything.
  h.Run({"SET", "k", "3"}, "other");
  CHECK(ExecPing(h) == kRan);
}

TEST_CASE("WATCH: the same client's own write aborts EXEC", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "1"});
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  CHECK(h.Run({"SET", "k", "x"}) == "OK");
  CHECK(ExecPing(h) == kAborted);
}

TEST_CASE("WATCH: every watcher of a key is aborted", "[watch]") {
  CommandHarness h;
  h.Run({"WATCH", "k"}, "a");
  h.Run({"WATCH", "k"}, "b");
  h.Run({"WATCH", "other"}, "c");
  h.Run({"SET", "k", "1"});
  CHECK(ExecPing(h, "a") == kAborted);
  CHECK(ExecPing(h, "b") == kAborted);
  CHECK(ExecPing(h, "c") == kRan);
}

TEST_CASE("WATCH: a watched missing key aborts when created, not when DEL finds nothing",
          "[watch]") {
  CommandHarness h;
  CHECK(h.Run({"WATCH", "zz"}) == "OK");
  CHECK(h.Run({"DEL", "zz"}, "other") == "0");
  CHECK(ExecPing(h) == kRan);
  CHECK(h.Run({"WATCH", "zz"}) == "OK");
  CHECK(h.Run({"SET", "zz", "1"}, "other") == "OK");
  CHECK(ExecPing(h) == kAborted);
}

TEST_CASE("WATCH: reads do not abort", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "v"});
  h.Run({"RPUSH", "l", "a"});
  CHECK(h.Run({"WATCH", "k", "l"}) == "OK");
  h.Run({"GET", "k"}, "other");
  h.Run({"EXISTS", "k"}, "other");
  h.Run({"STRLEN", "k"}, "other");
  h.Run({"LRANGE", "l", "0", "-1"}, "other");
  h.Run({"TYPE", "l"}, "other");
  h.Run({"GET", "k"});
  CHECK(ExecPing(h) == kRan);
}

TEST_CASE("WATCH: a write that fails or changes nothing does not abort", "[watch]") {
  CommandHarness h;
  h.Run({"RPUSH", "l", "a"});
  h.Run({"SET", "s", "v"});
  CHECK(h.Run({"WATCH", "l", "s"}) == "OK");
  CHECK(h.Run({"INCR", "l"}, "other") ==
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(h.Run({"SET", "s", "w", "NX"}, "other") == "nil");
  CHECK(h.Run({"LREM", "l", "0", "zzz"}, "other") == "0");
  CHECK(ExecPing(h) == kRan);
}

TEST_CASE("UNWATCH forgets the watched keys", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "1"});
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  h.Run({"SET", "k", "2"}, "other");
  // UNWATCH also clears an abort already recorded.
  CHECK(h.Run({"UNWATCH"}) == "OK");
  CHECK(ExecPing(h) == kRan);
  CHECK(h.Run({"UNWATCH"}) == "OK");  // with nothing watched
}

TEST_CASE("UNWATCH inside MULTI is queued and runs at EXEC", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "k", "1"});
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"UNWATCH"}) == "QUEUED");
  h.Run({"SET", "k", "2"}, "other");
  // Too late: the watched key changed before EXEC.
  CHECK(h.Run({"EXEC"}) == kAborted);
}

TEST_CASE("EXEC or DISCARD without MULTI keep the WATCHes", "[watch]") {
  CommandHarness h;
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  CHECK(h.Run({"EXEC"}) == "(error) ERR EXEC without MULTI");
  CHECK(h.Run({"DISCARD"}) == "(error) ERR DISCARD without MULTI");
  h.Run({"SET", "k", "3"}, "other");
  CHECK(ExecPing(h) == kAborted);
}

TEST_CASE("a failed queue wins over a changed watched key", "[watch]") {
  CommandHarness h;
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  h.Run({"SET", "k", "4"}, "other");
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"NOPE"}) == "(error) ERR unknown command 'NOPE', with args beginning with: ");
  CHECK(h.Run({"EXEC"}) == kExecAbort);
}

TEST_CASE("WATCH: watched keys are per database", "[watch]") {
  CommandHarness h;
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  h.Run({"SELECT", "1"}, "other");
  h.Run({"SET", "k", "1"}, "other");
  CHECK(ExecPing(h) == kRan);
  // WATCH records the database it ran in, whatever the client selects afterwards.
  h.Run({"SELECT", "1"});
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  h.Run({"SELECT", "0"});
  h.Run({"SET", "k", "2"}, "other");
  CHECK(ExecPing(h) == kAborted);
}

TEST_CASE("WATCH: RENAME touches the source and the destination", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "src", "1"});
  CHECK(h.Run({"WATCH", "dst"}) == "OK");
  CHECK(h.Run({"RENAME", "src", "dst"}, "other") == "OK");
  CHECK(ExecPing(h) == kAborted);

  CHECK(h.Run({"WATCH", "dst"}) == "OK");
  CHECK(h.Run({"RENAME", "dst", "src"}, "other") == "OK");
  CHECK(ExecPing(h) == kAborted);
}

TEST_CASE("WATCH: MOVE touches the key in both databases, a failed MOVE nothing", "[watch]") {
  CommandHarness h;
  h.Run({"SET", "m", "1"});
  CHECK(h.Run({"WATCH", "m"}) == "OK");
  CHECK(h.Run({"MOVE", "m", "1"}, "other") == "1");
  CHECK(ExecPing(h) == kAborted);

  // A watcher of the destination.
  h.Run({"SET", "m", "2"});
  h.Run({"SELECT", "1"}, "w1");
  h.Run({"DEL", "m"}, "w1");
  CHECK(h.Run({"WATCH", "m"}, "w1") == "OK");
  CHECK(h.Run({"MOVE", "m", "1"}, "other") == "1");
  CHECK(ExecPing(h, "w1") == kAborted);

  // The key exists in the destination: MOVE answers 0 and changes nothing.
  h.Run({"SET", "m", "3"});
  CHECK(h.Run({"WATCH", "m"}, "w1") == "OK");
  CHECK(h.Run({"WATCH", "m"}) == "OK");
  CHECK(h.Run({"MOVE", "m", "1"}, "other") == "0");
  CHECK(ExecPing(h, "w1") == kRan);
  CHECK(ExecPing(h) == kRan);
}

// ---------------------------------------------------------------------------------------------
// WATCH and expiry (Redis 7.0: a key that expires after WATCH is a change; a key already expired
// at WATCH time that later disappears is not).

TEST_CASE("WATCH: a watched key expiring and deleted on access aborts", "[watch][expire]") {
  CommandHarness h;
  h.server().set_active_expire_enabled(false);
  h.Run({"SET", "k", "1", "PX", "100"});
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  h.AdvanceTime(milliseconds(200));
  CHECK(h.Run({"GET", "k"}, "other") == "nil");  // lazy expiry deletes it
  CHECK(h.Run({"DBSIZE"}, "other") == "0");
  CHECK(ExecPing(h) == kAborted);
}

TEST_CASE("WATCH: a watched key deleted by active expiry aborts", "[watch][expire]") {
  CommandHarness h;
  h.Run({"SET", "k", "1", "PX", "100"});
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  h.AdvanceTime(milliseconds(200));  // runs the cron, whose expiry cycle deletes it
  CHECK(h.server().keyspace().db(0).size() == 0);
  CHECK(ExecPing(h) == kAborted);
}

TEST_CASE("WATCH: EXEC after a watched key's TTL passed, untouched, aborts", "[watch][expire]") {
  CommandHarness h;
  h.server().set_active_expire_enabled(false);
  h.Run({"SET", "k", "1", "PX", "100"});
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  h.AdvanceTime(milliseconds(200));
  // Nothing deleted it yet...
  CHECK(h.server().keyspace().db(0).size() == 1);
  // ...but EXEC sees it is logically gone.
  CHECK(ExecPing(h) == kAborted);
}

TEST_CASE("WATCH: a key already expired when watched", "[watch][expire]") {
  CommandHarness h;
  h.server().set_active_expire_enabled(false);
  SECTION("and then deleted on access: no change") {
    h.Run({"SET", "k", "1", "PX", "100"});
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"GET", "k"}, "other") == "nil");
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("and never touched: no change") {
    h.Run({"SET", "k", "1", "PX", "100"});
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    h.AdvanceTime(milliseconds(200));
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("and then deleted by active expiry: no change") {
    h.Run({"SET", "k", "1", "PX", "100"});
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    h.server().set_active_expire_enabled(true);
    h.AdvanceTime(milliseconds(100));
    CHECK(h.server().keyspace().db(0).size() == 0);
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("two of them, the second deleted: no change") {
    h.Run({"SET", "a", "1", "PX", "100"});
    h.Run({"SET", "b", "1", "PX", "100"});
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "a", "b"}) == "OK");
    CHECK(h.Run({"GET", "b"}, "other") == "nil");
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("and then written: a change") {
    h.Run({"SET", "k", "1", "PX", "100"});
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SET", "k", "2"}, "other") == "OK");
    CHECK(ExecPing(h) == kAborted);
  }
  SECTION("deleted, then created again: a change") {
    h.Run({"SET", "k", "1", "PX", "100"});
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"GET", "k"}, "other") == "nil");
    CHECK(h.Run({"RPUSH", "k", "x"}, "other") == "1");
    CHECK(ExecPing(h) == kAborted);
  }
}

TEST_CASE("WATCH: PEXPIREAT in the past deletes the key, which is a change", "[watch][expire]") {
  CommandHarness h;
  h.Run({"SET", "k", "1"});
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  CHECK(h.Run({"PEXPIREAT", "k", "1"}, "other") == "1");
  CHECK(h.Run({"EXISTS", "k"}) == "0");
  CHECK(ExecPing(h) == kAborted);
}

// ---------------------------------------------------------------------------------------------
// WATCH and whole-database commands (Redis 7.0's touchAllWatchedKeysInDb)

TEST_CASE("WATCH: FLUSHDB and FLUSHALL touch the watched keys that existed", "[watch][flush]") {
  CommandHarness h;
  h.server().set_active_expire_enabled(false);
  for (std::string_view flush : {"FLUSHDB", "FLUSHALL"}) {
    CAPTURE(flush);
    h.Run({"SET", "k", "1"});
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({flush}, "other") == "OK");
    CHECK(ExecPing(h) == kAborted);

    // A watched key that did not exist is not changed by a flush.
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({flush}, "other") == "OK");
    CHECK(ExecPing(h) == kRan);

    // Nor is one that had already expired when watched.
    h.Run({"SET", "k", "1", "PX", "100"});
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({flush}, "other") == "OK");
    CHECK(ExecPing(h) == kRan);
  }
  // FLUSHDB of another database leaves database 0's watchers alone; FLUSHALL does not.
  h.Run({"SET", "k", "1"});
  h.Run({"SELECT", "1"}, "other");
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  CHECK(h.Run({"FLUSHDB"}, "other") == "OK");
  CHECK(ExecPing(h) == kRan);
  CHECK(h.Run({"WATCH", "k"}) == "OK");
  CHECK(h.Run({"FLUSHALL"}, "other") == "OK");
  CHECK(ExecPing(h) == kAborted);
}

TEST_CASE("WATCH: SWAPDB touches a watched key that exists on either side", "[watch][swapdb]") {
  CommandHarness h;
  SECTION("the key exists in the watched database") {
    h.Run({"SET", "k", "1"});
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kAborted);
  }
  SECTION("the key exists only in the other database") {
    h.Run({"SELECT", "1"}, "other");
    h.Run({"SET", "k", "1"}, "other");
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kAborted);
  }
  SECTION("the same, databases named the other way round") {
    h.Run({"SELECT", "1"}, "other");
    h.Run({"SET", "k", "1"}, "other");
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "1", "0"}, "other") == "OK");
    CHECK(ExecPing(h) == kAborted);
  }
  SECTION("a watcher in the other database") {
    h.Run({"SELECT", "1"});
    h.Run({"SET", "k", "1"});
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    h.Run({"SELECT", "0"});
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kAborted);
  }
  SECTION("the key exists on neither side") {
    h.Run({"SET", "unrelated", "1"});
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("swapping a database with itself changes nothing") {
    h.Run({"SET", "k", "1"});
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "0"}, "other") == "OK");
    CHECK(ExecPing(h) == kRan);
  }
}

TEST_CASE("WATCH: SWAPDB and keys that are expired", "[watch][swapdb][expire]") {
  CommandHarness h;
  h.server().set_active_expire_enabled(false);
  auto set_in = [&](std::string_view db, std::string_view px) {
    h.Run({"SELECT", db}, "other");
    if (px.empty()) {
      h.Run({"SET", "k", "1"}, "other");
    } else {
      h.Run({"SET", "k", "1", "PX", px}, "other");
    }
    h.Run({"SELECT", "0"}, "other");
  };
  SECTION("expired when watched, nothing comes in: no change") {
    set_in("0", "100");
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("expired when watched, an expired key comes in: no change") {
    set_in("0", "100");
    set_in("1", "100");
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("expired when watched, a live key comes in: a change") {
    set_in("0", "100");
    set_in("1", "");
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kAborted);
  }
  SECTION("missing when watched, an expired key comes in: no change") {
    set_in("1", "100");
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("...and it leaves again: still no change") {
    set_in("1", "100");
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("...and it is deleted on access: still no change") {
    set_in("1", "100");
    h.AdvanceTime(milliseconds(200));
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(h.Run({"GET", "k"}, "other") == "nil");
    CHECK(ExecPing(h) == kRan);
  }
  SECTION("missing when watched, a key with a future TTL comes in: a change") {
    set_in("1", "100000");
    CHECK(h.Run({"WATCH", "k"}) == "OK");
    CHECK(h.Run({"SWAPDB", "0", "1"}, "other") == "OK");
    CHECK(ExecPing(h) == kAborted);
  }
}

// ---------------------------------------------------------------------------------------------
// Blocking commands, MONITOR, CLIENT REPLY

TEST_CASE("blocking commands inside MULTI answer as their non-blocking forms",
          "[multi][blocking]") {
  CommandHarness h;
  CHECK(Transaction(h, {{"BLPOP", "q", "0"},
                        {"BRPOP", "q", "1"},
                        {"BLMOVE", "q", "d", "LEFT", "RIGHT", "0"},
                        {"BRPOPLPUSH", "q", "d", "0"},
                        {"BLMPOP", "0", "1", "q", "LEFT"},
                        {"BZPOPMIN", "z", "0"},
                        {"BZMPOP", "0", "1", "z", "MIN"}}) ==
        "[nil-array, nil-array, nil, nil, nil-array, nil-array, nil-array]");
  CHECK_FALSE(h.IsBlocked("default"));
  h.Run({"HELLO", "3"});
  CHECK(Transaction(h, {{"BLPOP", "q", "0"}, {"BLMOVE", "q", "d", "LEFT", "RIGHT", "0"}}) ==
        "[nil, nil]");
  // With data they pop as usual.
  h.Run({"RPUSH", "q", "a"});
  CHECK(Transaction(h, {{"BLPOP", "q", "0"}}) == "[[\"q\", \"a\"]]");
}

TEST_CASE("a blocked client is served only after the whole EXEC", "[multi][blocking]") {
  CommandHarness h;
  CHECK(h.Run({"BLPOP", "q", "0"}, "waiter").empty());
  // The transaction pushes and pops the element again: the waiter never sees it.
  CHECK(Transaction(h, {{"RPUSH", "q", "x"}, {"LPOP", "q"}}) == "[1, \"x\"]");
  CHECK(h.TakeReply("waiter").empty());
  CHECK(h.IsBlocked("waiter"));
  // Queuing a push serves nobody; EXEC does, once it has finished.
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"RPUSH", "q", "y", "z"}) == "QUEUED");
  CHECK(h.IsBlocked("waiter"));
  CHECK(h.Run({"LLEN", "q"}) == "QUEUED");
  CHECK(h.Run({"EXEC"}) == "[2, 2]");
  CHECK(h.TakeReply("waiter") == "[\"q\", \"y\"]");
  CHECK(h.Run({"LRANGE", "q", "0", "-1"}) == "[\"z\"]");
}

TEST_CASE("MONITOR shows MULTI, the queued commands as they run, then EXEC", "[multi][monitor]") {
  CommandHarness h;
  h.client("default");  // 127.0.0.1:40000
  CHECK(h.Run({"MONITOR"}, "mon") == "OK");
  CHECK(Transaction(h, {{"SET", "a", "1"}, {"SELECT", "2"}, {"GET", "a"}}) == "[OK, OK, nil]");
  std::vector<std::string> lines = h.TakeFrames("mon");
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].ends_with("[0 127.0.0.1:40000] \"MULTI\""));
  CHECK(lines[1].ends_with("[0 127.0.0.1:40000] \"SET\" \"a\" \"1\""));
  CHECK(lines[2].ends_with("[2 127.0.0.1:40000] \"SELECT\" \"2\""));
  CHECK(lines[3].ends_with("[2 127.0.0.1:40000] \"GET\" \"a\""));
  CHECK(lines[4].ends_with("[2 127.0.0.1:40000] \"EXEC\""));
  h.Run({"SELECT", "0"});
  h.TakeFrames("mon");

  // An aborted transaction shows MULTI and EXEC only.
  CHECK(h.Run({"MULTI"}) == "OK");
  h.Run({"NOPE"});
  CHECK(h.Run({"EXEC"}) == kExecAbort);
  lines = h.TakeFrames("mon");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].ends_with("\"MULTI\""));
  CHECK(lines[1].ends_with("\"EXEC\""));

  // EXEC refused with an arity error is still shown, with its arguments.
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"EXEC", "x"}).starts_with("(error) EXECABORT"));
  lines = h.TakeFrames("mon");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].ends_with("\"MULTI\""));
  CHECK(lines[1].ends_with("\"EXEC\" \"x\""));
}

TEST_CASE("CLIENT REPLY OFF and SKIP around a transaction", "[multi][client]") {
  CommandHarness h;
  CHECK(h.Run({"CLIENT", "REPLY", "OFF"}) == "");
  CHECK(h.Run({"MULTI"}) == "");
  CHECK(h.Run({"SET", "a", "2"}) == "");
  CHECK(h.Run({"EXEC"}) == "");
  CHECK(h.Run({"CLIENT", "REPLY", "ON"}) == "OK");
  CHECK(h.Run({"GET", "a"}) == "\"2\"");

  // SKIP drops the reply of the next command only: MULTI's.
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}) == "");
  CHECK(h.Run({"MULTI"}) == "");
  CHECK(h.Run({"SET", "a", "4"}) == "QUEUED");
  CHECK(h.Run({"EXEC"}) == "[OK]");
}

}  // namespace
}  // namespace baozi::testing
