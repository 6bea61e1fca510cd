// Publish/subscribe and keyspace notifications through the real dispatcher. Several frames can
// answer one command (SUBSCRIBE a b) and messages land in other clients' buffers, so most checks
// read every frame with TakeFrames / Frames. Expected bytes come from redis-server 7.0.15.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/command/harness.h"

namespace baozi::testing {
namespace {

using std::chrono::milliseconds;
using namespace std::string_literals;
using Frames = std::vector<std::string>;

// Runs a command and returns every frame it wrote.
Frames RunFrames(CommandHarness& h, std::initializer_list<std::string_view> argv,
                 std::string_view conn = "default") {
  h.Run(argv, conn);
  return CommandHarness::Frames(h.raw());
}

// MULTI, each command (each must be queued), then EXEC's reply.
std::string Transaction(CommandHarness& h,
                        std::initializer_list<std::vector<std::string_view>> cmds) {
  CHECK(h.Run({"MULTI"}) == "OK");
  for (const auto& c : cmds) CHECK(h.Run(c) == "QUEUED");
  return h.Run({"EXEC"});
}

Frames Sorted(Frames f) {
  std::sort(f.begin(), f.end());
  return f;
}

constexpr std::string_view kContextError =
    "only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";

// ---------------------------------------------------------------------------------------------
// Subscribe / unsubscribe frames and counts

TEST_CASE("SUBSCRIBE frames in RESP2: one per channel, counting channels and patterns",
          "[pubsub]") {
  CommandHarness h;
  CHECK(RunFrames(h, {"SUBSCRIBE", "a", "b"}) ==
        Frames{"[\"subscribe\", \"a\", 1]", "[\"subscribe\", \"b\", 2]"});
  CHECK(h.raw() ==
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
  // Patterns count together with channels...
  CHECK(RunFrames(h, {"PSUBSCRIBE", "p*"}) == Frames{"[\"psubscribe\", \"p*\", 3]"});
  CHECK(h.raw() == "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n");
  // ...shard channels apart.
  CHECK(RunFrames(h, {"SSUBSCRIBE", "s1", "s2"}) ==
        Frames{"[\"ssubscribe\", \"s1\", 1]", "[\"ssubscribe\", \"s2\", 2]"});
  // Subscribing again is answered but counts once.
  CHECK(RunFrames(h, {"SUBSCRIBE", "a", "a"}) ==
        Frames{"[\"subscribe\", \"a\", 3]", "[\"subscribe\", \"a\", 3]"});
  CHECK(RunFrames(h, {"PSUBSCRIBE", "p*"}) == Frames{"[\"psubscribe\", \"p*\", 3]"});

  CHECK(RunFrames(h, {"UNSUBSCRIBE", "a", "zz"}) ==
        Frames{"[\"unsubscribe\", \"a\", 2]", "[\"unsubscribe\", \"zz\", 2]"});
  CHECK(h.raw() ==
        "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n"
        ":2\r\n");
  CHECK(RunFrames(h, {"PUNSUBSCRIBE"}) == Frames{"[\"punsubscribe\", \"p*\", 1]"});
  // Unsubscribe-all with nothing of that kind: one frame with a null name.
  CHECK(RunFrames(h, {"PUNSUBSCRIBE"}) == Frames{"[\"punsubscribe\", nil, 1]"});
  CHECK(h.raw() == "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:1\r\n");
  CHECK(RunFrames(h, {"SUNSUBSCRIBE", "s1"}) == Frames{"[\"sunsubscribe\", \"s1\", 1]"});
  CHECK(RunFrames(h, {"UNSUBSCRIBE"}) == Frames{"[\"unsubscribe\", \"b\", 0]"});
  // Still subscribed to a shard channel: still in the pub/sub protocol.
  CHECK(RunFrames(h, {"PING"}) == Frames{"[\"pong\", \"\"]"});
  CHECK(RunFrames(h, {"SUNSUBSCRIBE"}) == Frames{"[\"sunsubscribe\", \"s2\", 0]"});
  CHECK(h.Run({"PING"}) == "PONG");
  CHECK(RunFrames(h, {"UNSUBSCRIBE"}) == Frames{"[\"unsubscribe\", nil, 0]"});
  CHECK(h.raw() == "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(RunFrames(h, {"SUNSUBSCRIBE"}) == Frames{"[\"sunsubscribe\", nil, 0]"});
  CHECK(RunFrames(h, {"PUNSUBSCRIBE", "nothing"}) == Frames{"[\"punsubscribe\", \"nothing\", 0]"});
}

TEST_CASE("unsubscribe-all answers one frame per subscription, counting down", "[pubsub]") {
  CommandHarness h;
  RunFrames(h, {"SUBSCRIBE", "a", "b", "c"});
  RunFrames(h, {"PSUBSCRIBE", "x*", "y*"});
  // The order is the server's hash order; the counts go down whatever it is.
  Frames f = RunFrames(h, {"UNSUBSCRIBE"});
  REQUIRE(f.size() == 3);
  CHECK(f[0].ends_with(", 4]"));
  CHECK(f[1].ends_with(", 3]"));
  CHECK(f[2].ends_with(", 2]"));
  for (auto& s : f) s = s.substr(0, s.rfind(','));
  CHECK(Sorted(f) ==
        Frames{"[\"unsubscribe\", \"a\"", "[\"unsubscribe\", \"b\"", "[\"unsubscribe\", \"c\""});
  f = RunFrames(h, {"PUNSUBSCRIBE"});
  CHECK(Sorted(f) == Frames{"[\"punsubscribe\", \"x*\", 0]", "[\"punsubscribe\", \"y*\", 1]"});
  CHECK(f.back().ends_with(", 0]"));
}

TEST_CASE("subscribe frames in RESP3 are pushes; the null name is a RESP3 null",
          "[pubsub][resp3]") {
  CommandHarness h;
  h.Run({"HELLO", "3"});
  CHECK(RunFrames(h, {"SUBSCRIBE", "a"}) == Frames{">[\"subscribe\", \"a\", 1]"});
  CHECK(h.raw() == ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  CHECK(RunFrames(h, {"PSUBSCRIBE", "*"}) == Frames{">[\"psubscribe\", \"*\", 2]"});
  CHECK(RunFrames(h, {"SSUBSCRIBE", "s"}) == Frames{">[\"ssubscribe\", \"s\", 1]"});
  // RESP3 clients may run any command while subscribed.
  CHECK(h.Run({"PING"}) == "PONG");
  CHECK(h.Run({"PING", "x"}) == "\"x\"");
  CHECK(h.Run({"GET", "k"}) == "nil");
  CHECK(h.Run({"PUBSUB", "NUMSUB", "a"}) == "[\"a\", 1]");
  CHECK(RunFrames(h, {"UNSUBSCRIBE"}) == Frames{">[\"unsubscribe\", \"a\", 1]"});
  CHECK(RunFrames(h, {"PUNSUBSCRIBE"}) == Frames{">[\"punsubscribe\", \"*\", 0]"});
  CHECK(RunFrames(h, {"SUNSUBSCRIBE", "s"}) == Frames{">[\"sunsubscribe\", \"s\", 0]"});
  CHECK(RunFrames(h, {"UNSUBSCRIBE"}) == Frames{">[\"unsubscribe\", nil, 0]"});
  CHECK(h.raw() == ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}

// ---------------------------------------------------------------------------------------------
// PUBLISH

TEST_CASE("PUBLISH counts every receiver, patterns once per matching pattern", "[pubsub]") {
  CommandHarness h;
  CHECK(h.Run({"PUBLISH", "nobody", "x"}) == "0");
  RunFrames(h, {"SUBSCRIBE", "xa"}, "s1");
  RunFrames(h, {"SUBSCRIBE", "xa", "other"}, "s2");
  RunFrames(h, {"PSUBSCRIBE", "x*", "*a"}, "p1");
  RunFrames(h, {"PSUBSCRIBE", "x*", "nomatch*"}, "p2");
  CHECK(h.Run({"PUBLISH", "xa", "hello"}) == "5");
  CHECK(h.TakeFrames("s1") == Frames{"[\"message\", \"xa\", \"hello\"]"});
  CHECK(h.raw() == "*3\r\n$7\r\nmessage\r\n$2\r\nxa\r\n$5\r\nhello\r\n");
  CHECK(h.TakeFrames("s2") == Frames{"[\"message\", \"xa\", \"hello\"]"});
  CHECK(Sorted(h.TakeFrames("p1")) == Frames{"[\"pmessage\", \"*a\", \"xa\", \"hello\"]",
                                             "[\"pmessage\", \"x*\", \"xa\", \"hello\"]"});
  CHECK(h.TakeFrames("p2") == Frames{"[\"pmessage\", \"x*\", \"xa\", \"hello\"]"});
  CHECK(h.raw() == "*4\r\n$8\r\npmessage\r\n$2\r\nx*\r\n$2\r\nxa\r\n$5\r\nhello\r\n");
  CHECK(h.Run({"PUBLISH", "other", "m"}) == "1");
  CHECK(h.TakeFrames("s2") == Frames{"[\"message\", \"other\", \"m\"]"});
  CHECK(h.TakeFrames("s1").empty());
  // Binary-safe payloads.
  CHECK(h.Run({"PUBLISH", "other", std::string_view("a\0\r\nb", 5)}) == "1");
  CHECK(h.client("s2").out() == "*3\r\n$7\r\nmessage\r\n$5\r\nother\r\n$5\r\na\0\r\nb\r\n"s);
}

TEST_CASE("SPUBLISH reaches shard subscribers only", "[pubsub]") {
  CommandHarness h;
  RunFrames(h, {"SSUBSCRIBE", "s"}, "sh");
  RunFrames(h, {"SUBSCRIBE", "s"}, "ch");
  RunFrames(h, {"PSUBSCRIBE", "*"}, "pa");
  CHECK(h.Run({"SPUBLISH", "s", "m"}) == "1");
  CHECK(h.TakeFrames("sh") == Frames{"[\"smessage\", \"s\", \"m\"]"});
  CHECK(h.TakeFrames("ch").empty());
  CHECK(h.TakeFrames("pa").empty());
  CHECK(h.Run({"SPUBLISH", "nobody", "m"}) == "0");
  // And PUBLISH does not reach shard subscribers.
  CHECK(h.Run({"PUBLISH", "s", "m"}) == "2");
  CHECK(h.TakeFrames("sh").empty());
}

TEST_CASE("messages in RESP3 are pushes, and a publisher receives its own first",
          "[pubsub][resp3]") {
  CommandHarness h;
  h.Run({"HELLO", "3"});
  RunFrames(h, {"SUBSCRIBE", "a"});
  RunFrames(h, {"PSUBSCRIBE", "*"});
  CHECK(RunFrames(h, {"PUBLISH", "a", "hi"}) ==
        Frames{">[\"message\", \"a\", \"hi\"]", ">[\"pmessage\", \"*\", \"a\", \"hi\"]", "2"});
  CHECK(h.raw() ==
        ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n"
        ">4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$1\r\na\r\n$2\r\nhi\r\n:2\r\n");
  // A RESP2 and a RESP3 subscriber of the same channel get the same message in their protocol.
  RunFrames(h, {"SUBSCRIBE", "a"}, "r2");
  CHECK(h.Run({"PUBLISH", "a", "x"}, "pub") == "3");
  CHECK(h.TakeFrames("r2") == Frames{"[\"message\", \"a\", \"x\"]"});
  CHECK(h.TakeFrames() ==
        Frames{">[\"message\", \"a\", \"x\"]", ">[\"pmessage\", \"*\", \"a\", \"x\"]"});
  RunFrames(h, {"SSUBSCRIBE", "s"});
  CHECK(RunFrames(h, {"SPUBLISH", "s", "x"}) == Frames{">[\"smessage\", \"s\", \"x\"]", "1"});
}

TEST_CASE("a RESP3 client publishing to itself inside EXEC", "[pubsub][resp3][multi]") {
  // Redis 7.0 writes the push in the middle of the EXEC array ("*2\r\n>3...:1\r\n+PONG"),
  // which breaks the protocol; Redis 7.2 (redis#12326) and baozi hold it until the reply is
  // complete. A plain PUBLISH still delivers the push before its own reply, as 7.0 does.
  CommandHarness h;
  h.Run({"HELLO", "3"});
  RunFrames(h, {"SUBSCRIBE", "a"});
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"PUBLISH", "a", "x"}) == "QUEUED");
  CHECK(h.Run({"PING"}) == "QUEUED");
  h.Run({"EXEC"});
  CHECK(h.raw() == "*2\r\n:1\r\n+PONG\r\n>3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nx\r\n");
  CHECK(RunFrames(h, {"PUBLISH", "a", "y"}) == Frames{">[\"message\", \"a\", \"y\"]", "1"});
}

// ---------------------------------------------------------------------------------------------
// The RESP2 subscribed context

TEST_CASE("a RESP2 subscriber may only (un)subscribe, PING, QUIT and RESET", "[pubsub]") {
  CommandHarness h;
  RunFrames(h, {"SUBSCRIBE", "a"});
  CHECK(h.Run({"GET", "k"}) == "(error) ERR Can't execute 'get': " + std::string(kContextError));
  CHECK(h.Run({"PUBSUB", "NUMSUB", "a"}) ==
        "(error) ERR Can't execute 'pubsub|numsub': " + std::string(kContextError));
  CHECK(h.Run({"MULTI"}) == "(error) ERR Can't execute 'multi': " + std::string(kContextError));
  // EXEC refused is always an EXECABORT, in MULTI or not.
  CHECK(h.Run({"EXEC"}) ==
        "(error) EXECABORT Transaction discarded because of: Can't execute 'exec': " +
            std::string(kContextError));
  // The arity check comes first.
  CHECK(h.Run({"PING", "a", "b"}) == "(error) ERR wrong number of arguments for 'ping' command");
  CHECK(RunFrames(h, {"PING"}) == Frames{"[\"pong\", \"\"]"});
  CHECK(h.raw() == "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  CHECK(RunFrames(h, {"PING", "x"}) == Frames{"[\"pong\", \"x\"]"});
  CHECK(RunFrames(h, {"PSUBSCRIBE", "p"}) == Frames{"[\"psubscribe\", \"p\", 2]"});

  SECTION("RESET leaves the subscribed mode silently") {
    CHECK(RunFrames(h, {"RESET"}) == Frames{"RESET"});
    CHECK(h.Run({"PING"}) == "PONG");
    CHECK(h.Run({"PUBSUB", "NUMSUB", "a"}) == "[\"a\", 0]");
    CHECK(h.Run({"PUBSUB", "NUMPAT"}) == "0");
  }
  SECTION("QUIT answers OK and closes") {
    CHECK(h.Run({"QUIT"}) == "OK");
    CHECK(h.client().Has(kClientCloseAfterReply));
  }
}

TEST_CASE("a disconnect removes every subscription", "[pubsub]") {
  CommandHarness h;
  RunFrames(h, {"SUBSCRIBE", "a", "b"}, "sub");
  RunFrames(h, {"PSUBSCRIBE", "x*"}, "sub");
  RunFrames(h, {"SSUBSCRIBE", "s"}, "sub");
  RunFrames(h, {"SUBSCRIBE", "b"}, "stays");
  CHECK(h.Run({"PUBSUB", "NUMSUB", "a", "b"}) == "[\"a\", 1, \"b\", 2]");
  CHECK(h.Run({"PUBSUB", "NUMPAT"}) == "1");
  h.Disconnect("sub");
  CHECK(h.Run({"PUBSUB", "NUMSUB", "a", "b"}) == "[\"a\", 0, \"b\", 1]");
  CHECK(h.Run({"PUBSUB", "NUMPAT"}) == "0");
  CHECK(h.Run({"PUBSUB", "SHARDNUMSUB", "s"}) == "[\"s\", 0]");
  CHECK(h.Run({"PUBSUB", "CHANNELS"}) == "[\"b\"]");
  CHECK(h.Run({"PUBLISH", "a", "m"}) == "0");
  CHECK(h.Run({"PUBLISH", "xy", "m"}) == "0");
  CHECK(h.Run({"PUBLISH", "b", "m"}) == "1");
}

TEST_CASE("SUBSCRIBE inside a transaction subscribes when EXEC runs it", "[pubsub][multi]") {
  CommandHarness h;
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SUBSCRIBE", "a"}) == "QUEUED");
  CHECK(h.Run({"EXEC"}) == "[[\"subscribe\", \"a\", 1]]");
  CHECK(h.raw() == "*1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  CHECK(h.Run({"GET", "k"}) == "(error) ERR Can't execute 'get': " + std::string(kContextError));
  CHECK(RunFrames(h, {"UNSUBSCRIBE"}) == Frames{"[\"unsubscribe\", \"a\", 0]"});
  CHECK(h.Run({"GET", "k"}) == "nil");

  // SUBSCRIBE and PSUBSCRIBE are allowed in a transaction for compatibility; SSUBSCRIBE, new
  // in 7.0, is refused like any subscribe from a client that must get one reply per command.
  CHECK(Transaction(h, {{"PSUBSCRIBE", "p*"}, {"SSUBSCRIBE", "s"}, {"SUNSUBSCRIBE", "s"}}) ==
        "[[\"psubscribe\", \"p*\", 1], (error) ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING "
        "client, [\"sunsubscribe\", \"s\", 0]]");
  CHECK(h.Run({"PUBSUB", "SHARDNUMSUB", "s"}, "other") == "[\"s\", 0]");
  CHECK(RunFrames(h, {"PUNSUBSCRIBE"}) == Frames{"[\"punsubscribe\", \"p*\", 0]"});
  CHECK(h.Run({"GET", "k"}) == "nil");
}

// ---------------------------------------------------------------------------------------------
// PUBSUB introspection

TEST_CASE("PUBSUB CHANNELS, NUMSUB, NUMPAT and the shard forms", "[pubsub]") {
  CommandHarness h;
  CHECK(h.Run({"PUBSUB", "CHANNELS"}) == "[]");
  CHECK(h.Run({"PUBSUB", "NUMSUB"}) == "[]");
  CHECK(h.Run({"PUBSUB", "NUMPAT"}) == "0");
  RunFrames(h, {"SUBSCRIBE", "xa", "c"}, "a");
  RunFrames(h, {"SUBSCRIBE", "c"}, "b");
  RunFrames(h, {"PSUBSCRIBE", "x*", "y*"}, "a");
  RunFrames(h, {"PSUBSCRIBE", "x*"}, "b");  // the same pattern twice counts once
  RunFrames(h, {"SSUBSCRIBE", "s1"}, "a");
  std::string channels = h.Run({"PUBSUB", "CHANNELS"});  // in hash order
  CHECK((channels == "[\"c\", \"xa\"]" || channels == "[\"xa\", \"c\"]"));
  CHECK(h.Run({"PUBSUB", "CHANNELS", "x?"}) == "[\"xa\"]");
  CHECK(h.Run({"PUBSUB", "CHANNELS", "nothing*"}) == "[]");
  CHECK(h.Run({"PUBSUB", "NUMSUB", "c", "xa", "zz", "c"}) ==
        "[\"c\", 2, \"xa\", 1, \"zz\", 0, \"c\", 2]");
  CHECK(h.Run({"PUBSUB", "NUMPAT"}) == "2");
  CHECK(h.Run({"PUBSUB", "SHARDCHANNELS"}) == "[\"s1\"]");
  CHECK(h.Run({"PUBSUB", "SHARDCHANNELS", "z*"}) == "[]");
  CHECK(h.Run({"PUBSUB", "SHARDNUMSUB", "s1", "s2"}) == "[\"s1\", 1, \"s2\", 0]");
  // Shard channels are not channels.
  CHECK(h.Run({"PUBSUB", "NUMSUB", "s1"}) == "[\"s1\", 0]");
  // NUMSUB is a flat array in RESP3 as well.
  h.Run({"HELLO", "3"});
  CHECK(h.Run({"PUBSUB", "NUMSUB", "c"}) == "[\"c\", 2]");
  CHECK(h.raw() == "*2\r\n$1\r\nc\r\n:2\r\n");
}

TEST_CASE("PUBSUB errors and HELP", "[pubsub]") {
  CommandHarness h;
  // CHANNELS checks its own arity, naming the subcommand as it was typed.
  CHECK(h.Run({"PUBSUB", "CHANNELS", "a", "b"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB "
        "HELP.");
  CHECK(h.Run({"pubsub", "channels", "a", "b"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB "
        "HELP.");
  CHECK(h.Run({"PUBSUB", "SHARDCHANNELS", "a", "b"}) ==
        "(error) ERR unknown subcommand or wrong number of arguments for 'SHARDCHANNELS'. Try "
        "PUBSUB HELP.");
  CHECK(h.Run({"PUBSUB", "NUMPAT", "x"}) ==
        "(error) ERR wrong number of arguments for 'pubsub|numpat' command");
  CHECK(h.Run({"PUBSUB"}) == "(error) ERR wrong number of arguments for 'pubsub' command");
  CHECK(h.Run({"PUBSUB", "FOO"}) == "(error) ERR unknown subcommand 'FOO'. Try PUBSUB HELP.");
  CHECK(h.Run({"PUBLISH", "a"}) == "(error) ERR wrong number of arguments for 'publish' command");
  CHECK(h.Run({"SUBSCRIBE"}) == "(error) ERR wrong number of arguments for 'subscribe' command");

  h.Run({"PUBSUB", "HELP"});
  CHECK(h.raw() ==
        "*14\r\n"
        "+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        "+CHANNELS [<pattern>]\r\n"
        "+    Return the currently active channels matching a <pattern> (default: '*').\r\n"
        "+NUMPAT\r\n"
        "+    Return number of subscriptions to patterns.\r\n"
        "+NUMSUB [<channel> ...]\r\n"
        "+    Return the number of subscribers for the specified channels, excluding\r\n"
        "+    pattern subscriptions(default: no channels).\r\n"
        "+SHARDCHANNELS [<pattern>]\r\n"
        "+    Return the currently active shard level channels matching a <pattern> (default: "
        "'*').\r\n"
        "+SHARDNUMSUB [<shardchannel> ...]\r\n"
        "+    Return the number of subscribers for the specified shard level channel(s)\r\n"
        "+HELP\r\n"
        "+    Prints this help.\r\n");
}

// ---------------------------------------------------------------------------------------------
// Keyspace notifications

TEST_CASE("notify-keyspace-events: letters in, Redis's canonical string out", "[notify]") {
  CommandHarness h;
  auto set_get = [&](std::string_view v) {
    CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", v}) == "OK");
    return h.Run({"CONFIG", "GET", "notify-keyspace-events"});
  };
  CHECK(set_get("KEA") == "[\"notify-keyspace-events\", \"AKE\"]");
  CHECK(set_get("Km") == "[\"notify-keyspace-events\", \"Km\"]");
  CHECK(set_get("Kx") == "[\"notify-keyspace-events\", \"xK\"]");
  CHECK(set_get("Kgx") == "[\"notify-keyspace-events\", \"gxK\"]");
  CHECK(set_get("E$") == "[\"notify-keyspace-events\", \"$E\"]");
  CHECK(set_get("KEd") == "[\"notify-keyspace-events\", \"dKE\"]");
  CHECK(set_get("Kg$lshzxetdmn") == "[\"notify-keyspace-events\", \"AKm\"]");
  // 'n' is printed before K/E, and not at all next to 'A' (Redis 7.0 quirk).
  CHECK(set_get("KEn") == "[\"notify-keyspace-events\", \"nKE\"]");
  CHECK(set_get("AKEmn") == "[\"notify-keyspace-events\", \"AKEm\"]");
  CHECK(set_get("") == "[\"notify-keyspace-events\", \"\"]");
  CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "q"}) ==
        "(error) ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
        "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
}

TEST_CASE("keyspace notifications: keymiss, new and expired", "[notify]") {
  CommandHarness h;
  h.server().set_active_expire_enabled(false);
  RunFrames(h, {"PSUBSCRIBE", "__key*"}, "sub");

  SECTION("nothing without K or E") {
    CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "mnx"}) == "OK");
    h.Run({"GET", "missing"});
    h.Run({"SET", "k", "v"});
    CHECK(h.TakeFrames("sub").empty());
  }
  SECTION("keymiss with m, on every read that misses") {
    CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "KEm"}) == "OK");
    CHECK(h.Run({"GET", "missing"}) == "nil");
    CHECK(h.TakeFrames("sub") ==
          Frames{"[\"pmessage\", \"__key*\", \"__keyspace@0__:missing\", \"keymiss\"]",
                 "[\"pmessage\", \"__key*\", \"__keyevent@0__:keymiss\", \"missing\"]"});
    h.Run({"SET", "k", "v"});
    CHECK(h.TakeFrames("sub").empty());  // 'm' only: no generic or string events
    h.Run({"MGET", "k", "x"});
    CHECK(h.TakeFrames("sub") ==
          Frames{"[\"pmessage\", \"__key*\", \"__keyspace@0__:x\", \"keymiss\"]",
                 "[\"pmessage\", \"__key*\", \"__keyevent@0__:keymiss\", \"x\"]"});
    for (std::string_view cmd : {"EXISTS", "TYPE"}) {
      CAPTURE(cmd);
      h.Run({cmd, "x"});
      CHECK(h.TakeFrames("sub").size() == 2);
    }
    h.Run({"HGET", "x", "f"});
    CHECK(h.TakeFrames("sub").size() == 2);
    h.Run({"GET", "k"});
    CHECK(h.TakeFrames("sub").empty());
  }
  SECTION("new with n, before the command's own event") {
    CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "KEAn"}) == "OK");
    h.Run({"SET", "nk", "1"});
    CHECK(h.TakeFrames("sub") ==
          Frames{"[\"pmessage\", \"__key*\", \"__keyspace@0__:nk\", \"new\"]",
                 "[\"pmessage\", \"__key*\", \"__keyevent@0__:new\", \"nk\"]",
                 "[\"pmessage\", \"__key*\", \"__keyspace@0__:nk\", \"set\"]",
                 "[\"pmessage\", \"__key*\", \"__keyevent@0__:set\", \"nk\"]"});
    // Overwriting is not new.
    h.Run({"SET", "nk", "2"});
    CHECK(h.TakeFrames("sub") ==
          Frames{"[\"pmessage\", \"__key*\", \"__keyspace@0__:nk\", \"set\"]",
                 "[\"pmessage\", \"__key*\", \"__keyevent@0__:set\", \"nk\"]"});
    // The database is in the channel name.
    h.Run({"SELECT", "3"});
    h.Run({"LPUSH", "l", "a"});
    CHECK(h.TakeFrames("sub") ==
          Frames{"[\"pmessage\", \"__key*\", \"__keyspace@3__:l\", \"new\"]",
                 "[\"pmessage\", \"__key*\", \"__keyevent@3__:new\", \"l\"]",
                 "[\"pmessage\", \"__key*\", \"__keyspace@3__:l\", \"lpush\"]",
                 "[\"pmessage\", \"__key*\", \"__keyevent@3__:lpush\", \"l\"]"});
  }
  SECTION("'A' does not include n") {
    CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "KEA"}) == "OK");
    h.Run({"SET", "n", "1"});
    CHECK(h.TakeFrames("sub") ==
          Frames{"[\"pmessage\", \"__key*\", \"__keyspace@0__:n\", \"set\"]",
                 "[\"pmessage\", \"__key*\", \"__keyevent@0__:set\", \"n\"]"});
  }
  SECTION("expired with x, from lazy expiry") {
    CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "Ex"}) == "OK");
    h.Run({"SET", "e", "1", "PX", "10"});
    CHECK(h.TakeFrames("sub").empty());
    h.AdvanceTime(milliseconds(50));
    CHECK(h.TakeFrames("sub").empty());  // active expiry is off: nobody deleted it yet
    CHECK(h.Run({"GET", "e"}) == "nil");
    CHECK(h.TakeFrames("sub") ==
          Frames{"[\"pmessage\", \"__key*\", \"__keyevent@0__:expired\", \"e\"]"});
  }
  SECTION("expired with x, from active expiry") {
    CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "Kx"}) == "OK");
    h.Run({"SET", "e", "1", "PX", "10"});
    h.server().set_active_expire_enabled(true);
    h.AdvanceTime(milliseconds(50));
    CHECK(h.TakeFrames("sub") ==
          Frames{"[\"pmessage\", \"__key*\", \"__keyspace@0__:e\", \"expired\"]"});
  }
}

TEST_CASE("keyspace notifications reach a plain channel subscriber", "[notify]") {
  CommandHarness h;
  CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "KEAn"}) == "OK");
  RunFrames(h, {"SUBSCRIBE", "__keyevent@0__:new", "__keyevent@0__:set", "__keyspace@0__:nk"},
            "sub");
  h.Run({"SET", "nk", "1"});
  CHECK(h.TakeFrames("sub") == Frames{"[\"message\", \"__keyspace@0__:nk\", \"new\"]",
                                      "[\"message\", \"__keyevent@0__:new\", \"nk\"]",
                                      "[\"message\", \"__keyspace@0__:nk\", \"set\"]",
                                      "[\"message\", \"__keyevent@0__:set\", \"nk\"]"});
  h.Run({"SELECT", "3"});
  h.Run({"SET", "nk", "1"});
  CHECK(h.TakeFrames("sub").empty());
}

}  // namespace
}  // namespace baozi::testing
