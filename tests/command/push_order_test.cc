// Out-of-band pub/sub frames never land inside a reply of the client they are sent to: a RESP3
// client that publishes to itself (keyspace events of its own writes) inside EXEC gets the whole
// EXEC array first and the push frames after it.
#include <catch2/catch.hpp>

#include "tests/command/harness.h"

namespace baozi::testing {
namespace {

TEST_CASE("pushes to a client wait until its EXEC array is complete", "[pubsub][multi]") {
  CommandHarness h("notify-keyspace-events KEn");
  h.Run({"HELLO", "3"});
  h.Run({"SUBSCRIBE", "__keyevent@0__:new"});
  CHECK(h.Run({"MULTI"}) == "OK");
  CHECK(h.Run({"SET", "a", "1"}) == "QUEUED");
  CHECK(h.Run({"INCR", "a"}) == "QUEUED");
  CHECK(h.Run({"SET", "b", "2"}) == "QUEUED");
  h.Run({"EXEC"});
  CHECK(h.raw() ==
        "*3\r\n+OK\r\n:2\r\n+OK\r\n"
        ">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:new\r\n$1\r\na\r\n"
        ">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:new\r\n$1\r\nb\r\n");
}

TEST_CASE("a push to a client outside any aggregate comes before its reply, as in Redis 7.0",
          "[pubsub]") {
  CommandHarness h("notify-keyspace-events KEn");
  h.Run({"HELLO", "3"});
  h.Run({"SUBSCRIBE", "__keyevent@0__:new"});
  h.Run({"SET", "a", "1"});
  CHECK(h.raw() == ">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:new\r\n$1\r\na\r\n+OK\r\n");
}

}  // namespace
}  // namespace baozi::testing

namespace baozi::testing {
namespace {

TEST_CASE("large messages are queued by reference, once per protocol", "[pubsub]") {
  CommandHarness h;
  for (const char* c : {"a", "b"}) h.Run({"SUBSCRIBE", "ch"}, c);
  h.Run({"HELLO", "3"}, "c3");
  h.Run({"SUBSCRIBE", "ch"}, "c3");
  std::string big(20000, 'x');
  h.client("a").rb().SendSimple("earlier");  // a reply still unsent when the message comes
  CHECK(h.Run({"PUBLISH", "ch", big}) == "3");
  Client& a = h.client("a");
  Client& b = h.client("b");
  Client& c3 = h.client("c3");
  REQUIRE(a.shared_out.size() == 2);  // the earlier bytes moved into a chunk of their own
  REQUIRE(b.shared_out.size() == 1);
  REQUIRE(c3.shared_out.size() == 1);
  CHECK(a.shared_out.back().get() == b.shared_out.front().get());
  CHECK(b.shared_out.front().get() != c3.shared_out.front().get());
  CHECK(a.UnsentOutputBytes() == a.shared_bytes);
  std::string frame = "$7\r\nmessage\r\n$2\r\nch\r\n$20000\r\n" + big + "\r\n";
  h.TakeReply("a");
  CHECK(h.raw() == "+earlier\r\n*3\r\n" + frame);
  h.TakeReply("b");
  CHECK(h.raw() == "*3\r\n" + frame);
  h.TakeReply("c3");
  CHECK(h.raw() == ">3\r\n" + frame);
  CHECK(b.shared_out.empty());
  CHECK(b.UnsentOutputBytes() == 0);
}

}  // namespace
}  // namespace baozi::testing
