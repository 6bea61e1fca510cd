// Writes replies in RESP2 or RESP3 into a client's output buffer. Every difference between the
// two protocol versions lives here and only here: handlers say what they mean (a map, a null, a
// double) and the builder picks the bytes.
//
//   ReplyBuilder rb(&out);
//   rb.StartMap(2);            // RESP2 "*4\r\n", RESP3 "%2\r\n"
//   rb.SendBulk("proto");  rb.SendLong(3);
//   rb.SendBulk("mode");   rb.SendBulk("standalone");
//
//   auto h = rb.DeferArrayLen();   // length unknown until the elements are written (SCAN)
//   ... rb.SendBulk(...) n times ...
//   rb.SetDeferredLen(h, n);
//
// Errors: SendError("syntax error") writes "-ERR syntax error\r\n"; a message that already starts
// with an error code written as "-CODE ..." (e.g. "-WRONGTYPE Operation ...") is sent verbatim
// without the dash doubled. CR and LF inside an error are replaced by spaces, as Redis does, so a
// user-provided string can never break the framing. The builder counts the errors it wrote and
// remembers the code of the last one ("ERR", "WRONGTYPE") for INFO errorstats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace baozi::protocol {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string* out) : out_(out) {}

  void set_resp3(bool on) { resp3_ = on; }
  bool resp3() const { return resp3_; }
  std::string* buffer() { return out_; }
  void set_buffer(std::string* out) { out_ = out; }

  void SendOk();                         // +OK
  void SendSimple(std::string_view s);   // +s
  void SendError(std::string_view msg);  // see the header comment
  // An error that INFO's error counts must not see again (a script passing on the error a
  // command it called already wrote): `count` false writes it without counting.
  void SendError(std::string_view msg, bool count);
  void SendLong(int64_t v);           // :v
  void SendBulk(std::string_view s);  // $len\r\ns
  void SendNull();                    // RESP2 $-1, RESP3 _
  void SendNullArray();               // RESP2 *-1, RESP3 _
  void SendDouble(double d);          // RESP2 bulk "%.17g" (inf/-inf/nan as Redis), RESP3 ,d
  void SendBool(bool b);              // RESP2 :1/:0, RESP3 #t/#f
  void SendVerbatim(std::string_view s, std::string_view type = "txt");  // RESP2 bulk, RESP3 =
  void SendBigNumber(std::string_view digits);                           // RESP2 bulk, RESP3 (
  void StartArray(size_t n);                                             // *n
  void StartMap(size_t n);   // RESP2 *2n, RESP3 %n   (n = number of pairs)
  void StartSet(size_t n);   // RESP2 *n,  RESP3 ~n
  void StartPush(size_t n);  // RESP2 *n,  RESP3 >n
  void SendBulkArray(std::initializer_list<std::string_view> items);
  // Raw bytes, already RESP-encoded (e.g. a cached reply).
  void SendRaw(std::string_view bytes) { out_->append(bytes); }

  // Deferred aggregate lengths. The handle is an offset in the buffer; nothing else may be
  // deferred inside between Defer and Set except nested, properly paired defers. Until Set, the
  // buffer holds an unfinished header, so it must not be flushed or cut in between.
  using DeferHandle = size_t;
  DeferHandle DeferArrayLen();
  DeferHandle DeferMapLen();
  DeferHandle DeferSetLen();
  void SetDeferredLen(DeferHandle h, size_t n);  // n = elements (pairs, for a map)

  // Out-of-band frames (pub/sub messages, keyspace events) must not land inside an unfinished
  // aggregate of this client's own reply: while a deferred length is open, or while a caller
  // holds them (EXEC's array), IsHolding() tells the publisher to queue them instead.
  void HoldPushes() { ++holds_; }
  void ReleasePushes() {
    if (holds_ > 0) --holds_;
  }
  bool IsHolding() const { return holds_ > 0; }
  void ClearHolds() { holds_ = 0; }

  uint64_t error_count() const { return error_count_; }
  // Errors written with count == false.
  uint64_t uncounted_errors() const { return uncounted_errors_; }
  // Code of the last error written ("ERR", "WRONGTYPE", ...).
  std::string_view last_error_code() const { return last_error_code_; }

 private:
  std::string* out_;
  bool resp3_ = false;
  uint64_t error_count_ = 0;
  uint64_t uncounted_errors_ = 0;
  int holds_ = 0;
  std::string last_error_code_;
};

}  // namespace baozi::protocol
