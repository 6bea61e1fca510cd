// CLIENT TRACKING through the real dispatcher: invalidations land in the tracking client's (or
// its redirect target's) buffer, so checks read the exact bytes. Expected bytes come from
// redis-server 7.0.15.
#include <catch2/catch.hpp>
#include <string>

#include "tests/command/harness.h"

namespace baozi::testing {
namespace {

using std::chrono::milliseconds;

std::string Inval(std::string_view key) {
  return ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + std::to_string(key.size()) + "\r\n" +
         std::string(key) + "\r\n";
}

// The bytes waiting for a client outside its own commands.
std::string Pending(CommandHarness& h, std::string_view conn) {
  return h.client(conn).TakeOutput();
}

void Resp3Tracking(CommandHarness& h, std::string_view conn,
                   std::initializer_list<std::string_view> opts = {}) {
  h.Run({"HELLO", "3"}, conn);
  std::vector<std::string_view> argv = {"CLIENT", "TRACKING", "ON"};
  argv.insert(argv.end(), opts.begin(), opts.end());
  REQUIRE(h.Run(argv, conn) == "OK");
}

TEST_CASE("tracking: a key read is invalidated once, when another client writes it") {
  CommandHarness h;
  Resp3Tracking(h, "a");
  h.Run({"GET", "k"}, "a");
  CHECK(h.raw() == "_\r\n");
  h.Run({"SET", "k", "1"}, "b");
  CHECK(Pending(h, "a") == Inval("k"));
  h.Run({"SET", "k", "2"}, "b");
  CHECK(Pending(h, "a").empty());  // not read again since
  // Keys of a movable-key read-only command are remembered too.
  h.Run({"ZUNION", "2", "z1", "z2"}, "a");
  h.Run({"ZADD", "z2", "1", "x"}, "b");
  CHECK(Pending(h, "a") == Inval("z2"));
  // Writes do not remember keys.
  h.Run({"SET", "w", "1"}, "a");
  h.Run({"SET", "w", "2"}, "b");
  CHECK(Pending(h, "a").empty());
}

TEST_CASE("tracking: the client's own write is invalidated after its reply") {
  CommandHarness h;
  Resp3Tracking(h, "a");
  h.Run({"GET", "k"}, "a");
  h.Run({"SET", "k", "1"}, "a");
  CHECK(h.raw() == "+OK\r\n" + Inval("k"));
  h.Run({"GET", "k"}, "a");
  CHECK(h.Run({"MULTI"}, "a") == "OK");
  h.Run({"SET", "k", "2"}, "a");
  h.Run({"GET", "k"}, "a");
  h.Run({"EXEC"}, "a");
  CHECK(h.raw() == "*2\r\n+OK\r\n$1\r\n2\r\n" + Inval("k"));
  // FLUSHALL: a null instead of the key list, also after the reply.
  h.Run({"GET", "k"}, "a");
  h.Run({"FLUSHALL"}, "a");
  CHECK(h.raw() == "+OK\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n");
}

TEST_CASE("tracking: NOLOOP skips the client's own writes") {
  CommandHarness h;
  Resp3Tracking(h, "a", {"NOLOOP"});
  h.Run({"GET", "k"}, "a");
  h.Run({"SET", "k", "1"}, "a");
  CHECK(h.raw() == "+OK\r\n");
  h.Run({"GET", "k"}, "a");
  h.Run({"SET", "k", "2"}, "b");
  CHECK(Pending(h, "a") == Inval("k"));
}

TEST_CASE("tracking: OPTIN and OPTOUT with CLIENT CACHING") {
  CommandHarness h;
  Resp3Tracking(h, "a", {"OPTIN"});
  h.Run({"GET", "o1"}, "a");
  h.Run({"SET", "o1", "x"}, "b");
  CHECK(Pending(h, "a").empty());
  CHECK(h.Run({"CLIENT", "CACHING", "yes"}, "a") == "OK");
  h.Run({"CLIENT", "TRACKINGINFO"}, "a");
  CHECK(h.raw() ==
        "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect"
        "\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
  h.Run({"GET", "o2"}, "a");
  // CACHING lasts one command.
  h.Run({"GET", "o3"}, "a");
  h.Run({"MSET", "o2", "x", "o3", "y"}, "b");
  CHECK(Pending(h, "a") == Inval("o2"));
  // ... or one transaction.
  h.Run({"CLIENT", "CACHING", "yes"}, "a");
  h.Run({"MULTI"}, "a");
  h.Run({"GET", "o4"}, "a");
  h.Run({"EXEC"}, "a");
  h.Run({"SET", "o4", "x"}, "b");
  CHECK(Pending(h, "a") == Inval("o4"));
  CHECK(h.Run({"CLIENT", "CACHING", "no"}, "a") ==
        "(error) ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "OPTOUT"}, "a") ==
        "(error) ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
        "and then re-enabling it with a different mode.");

  CommandHarness h2;
  Resp3Tracking(h2, "a", {"OPTOUT"});
  CHECK(h2.Run({"CLIENT", "CACHING", "no"}, "a") == "OK");
  h2.Run({"GET", "p1"}, "a");
  h2.Run({"GET", "p2"}, "a");
  h2.Run({"MSET", "p1", "x", "p2", "y"}, "b");
  CHECK(Pending(h2, "a") == Inval("p2"));
}

TEST_CASE("tracking: BCAST sends collected keys per prefix once per loop turn") {
  CommandHarness h;
  Resp3Tracking(h, "a", {"BCAST", "PREFIX", "user:", "PREFIX", "item:"});
  h.Run({"MSET", "user:2", "a", "item:1", "b", "other", "c", "user:1", "d"}, "b");
  CHECK(Pending(h, "a").empty());
  h.AdvanceTime(milliseconds(0));
  CHECK(Pending(h, "a") ==
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\nitem:1\r\n"
        ">2\r\n$10\r\ninvalidate\r\n*2\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n");
  h.AdvanceTime(milliseconds(0));
  CHECK(Pending(h, "a").empty());
  h.Run({"CLIENT", "TRACKINGINFO"}, "a");
  CHECK(h.raw() ==
        "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\n"
        "prefixes\r\n*2\r\n$5\r\nitem:\r\n$5\r\nuser:\r\n");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:1"}, "a") ==
        "(error) ERR Prefix 'user:1' overlaps with an existing prefix 'user:'. Prefixes for a "
        "single client must not overlap.");
  h.Run({"INFO", "stats"}, "a");
  CHECK(h.raw().find("tracking_total_prefixes:2\r\n") != std::string::npos);

  CommandHarness n;
  Resp3Tracking(n, "a", {"BCAST", "NOLOOP"});
  n.Run({"SET", "n1", "x"}, "a");
  n.Run({"SET", "n2", "x"}, "b");
  n.AdvanceTime(milliseconds(0));
  CHECK(Pending(n, "a") == Inval("n2"));
}

TEST_CASE("tracking: REDIRECT to a RESP2 subscriber, and a redirect that breaks") {
  CommandHarness h;
  h.Run({"SUBSCRIBE", "__redis__:invalidate"}, "sub");
  const std::string sub_id = std::to_string(h.client("sub").id());
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "REDIRECT", sub_id}, "a") == "OK");
  CHECK(h.Run({"CLIENT", "GETREDIR"}, "a") == sub_id);
  h.Run({"GET", "r1"}, "a");
  h.Run({"SET", "r1", "z"}, "b");
  CHECK(Pending(h, "a").empty());
  CHECK(Pending(h, "sub") ==
        "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nr1\r\n");
  h.Run({"FLUSHALL"}, "b");
  CHECK(Pending(h, "sub") == "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
  h.Run({"CLIENT", "LIST", "ID", std::to_string(h.client("a").id())}, "a");
  CHECK(h.raw().find(" flags=t ") != std::string::npos);
  CHECK(h.raw().find(" redir=" + sub_id + " ") != std::string::npos);

  h.Disconnect("sub");
  h.Run({"HELLO", "3"}, "a");
  h.Run({"GET", "r2"}, "a");
  h.Run({"SET", "r2", "1"}, "b");
  CHECK(Pending(h, "a") == ">2\r\n$21\r\ntracking-redir-broken\r\n:" + sub_id + "\r\n");
  h.Run({"CLIENT", "TRACKINGINFO"}, "a");
  CHECK(h.raw().find("$15\r\nbroken_redirect\r\n") != std::string::npos);
  h.Run({"CLIENT", "LIST", "ID", std::to_string(h.client("a").id())}, "a");
  CHECK(h.raw().find(" flags=tR ") != std::string::npos);
}

TEST_CASE("tracking: expiry invalidates, and the table is bounded") {
  CommandHarness h("tracking-table-max-keys 2");
  Resp3Tracking(h, "a");
  h.Run({"SET", "e", "1", "PX", "10"}, "b");
  h.Run({"GET", "e"}, "a");
  h.AdvanceTime(milliseconds(50));
  CHECK(Pending(h, "a") == Inval("e"));
  h.Run({"MGET", "x1", "x2", "x3"}, "a");
  CHECK(h.server().tracking().total_keys() == 3);
  CHECK(h.server().tracking().total_items() == 3);
  // The next command brings the table back to the limit first, invalidating one key.
  h.Run({"PING"}, "a");
  CHECK(h.raw().starts_with(">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nx"));
  CHECK(h.raw().ends_with("+PONG\r\n"));
  h.Run({"INFO", "clients"}, "a");
  CHECK(h.raw().find("tracking_clients:1\r\n") != std::string::npos);
  h.Run({"INFO", "stats"}, "a");
  CHECK(h.raw().find("tracking_total_keys:2\r\n") != std::string::npos);
  CHECK(h.Run({"RESET"}, "a") == "RESET");
  h.Run({"INFO", "clients"}, "b");
  CHECK(h.raw().find("tracking_clients:0\r\n") != std::string::npos);
}

TEST_CASE("tracking: argument errors") {
  CommandHarness h;
  const std::string b = std::to_string(h.client("b").id());
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "PREFIX", "x"}) ==
        "(error) ERR PREFIX option requires BCAST mode to be enabled");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"}) ==
        "(error) ERR You can't specify both OPTIN mode and OPTOUT mode");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"}) ==
        "(error) ERR OPTIN and OPTOUT are not compatible with BCAST");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "FOO"}) == "(error) ERR syntax error");
  CHECK(h.Run({"CLIENT", "TRACKING", "MAYBE"}) == "(error) ERR syntax error");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "REDIRECT", "99999"}) ==
        "(error) ERR The client ID you want redirect to does not exist");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "REDIRECT", "abc"}) ==
        "(error) ERR value is not an integer or out of range");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "REDIRECT", b, "REDIRECT", b}) ==
        "(error) ERR A client can only redirect to a single other client");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "a"}) ==
        "(error) ERR Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single "
        "client must not overlap.");
  CHECK(h.Run({"CLIENT", "CACHING", "yes"}) ==
        "(error) ERR CLIENT CACHING can be called only when the client is in tracking mode with "
        "OPTIN or OPTOUT mode enabled");
  CHECK(h.Run({"CLIENT", "GETREDIR"}) == "-1");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON"}) == "OK");
  CHECK(h.Run({"CLIENT", "GETREDIR"}) == "0");
  CHECK(h.Run({"CLIENT", "CACHING", "yes"}) ==
        "(error) ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
  CHECK(h.Run({"CLIENT", "CACHING", "maybe"}) == "(error) ERR syntax error");
  CHECK(h.Run({"CLIENT", "TRACKING", "ON", "BCAST"}) ==
        "(error) ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
        "and then re-enabling it with a different mode.");
  h.Run({"CLIENT", "TRACKINGINFO"});
  CHECK(h.raw() ==
        "*6\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
  CHECK(h.Run({"CLIENT", "TRACKING", "OFF"}) == "OK");
  h.Run({"CLIENT", "TRACKINGINFO"});
  CHECK(
      h.raw() ==
      "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n");
}

}  // namespace
}  // namespace baozi::testing
