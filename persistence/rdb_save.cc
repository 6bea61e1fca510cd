// The RDB writer: a keyspace to Redis 7.0's snapshot format (version 10), and single values
// to DUMP payloads.
//
// A file is "REDIS0010", the aux fields (redis-ver, redis-bits, ctime, used-mem, aof-base),
// one FUNCTION2 record per function library (the opcode and the library's code as a string),
// then per non-empty database SELECTDB <index> and RESIZEDB <keys> <keys with a TTL>, then
// per key: EXPIRETIME_MS <8-byte LE deadline> when it has one, IDLE <seconds> or FREQ <byte>
// under an LRU or LFU policy, the type byte, the key as a string and the object; finally EOF
// and the CRC-64 of everything before it (eight zeros when checksums are off).
//
// Strings go out as Redis's rdbSaveRawString writes them, so our files compare byte for byte
// with Redis's for the same data: up to 11 bytes that are a canonical integer fitting 32 bits
// become an integer form; longer than 20 bytes, with compression on, an LZF block when LZF
// saves at least four bytes; otherwise length + bytes. Integer-encoded values skip the text
// round trip (Redis rdbSaveLongLongAsStringObject).
//
// Objects are written in the encoding they have, as Redis 7.0 does: a quicklist as
// LIST_QUICKLIST_2 (each node's listpack as a string, container PACKED; a node holding one
// element of 1 GB or more as PLAIN with the bare element); an intset or a listpack as its raw
// buffer, which is byte-compatible with Redis's; hashtable sets and hashes as counted
// strings; skiplist sorted sets as ZSET_2 with binary doubles, from the highest rank down
// (Redis's order, which lets its loader insert at the skiplist head); a stream as
// STREAM_LISTPACKS_2: its nodes (the 16-byte big-endian master ID and the listpack, each as a
// string), the length, last, first and max-deleted IDs (ms and seq as lengths), entries added,
// then each group in name order (name, last ID, entries read, its PEL as raw 16-byte IDs with
// an 8-byte LE delivery time and a delivery count, its consumers in name order with an 8-byte
// seen time and their PEL as raw IDs).
//
// Output is gathered in a 64 KB buffer and handed to the Sink in big pieces; the CRC is
// computed over each piece on the way out.
#include <lzf.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "persistence/rdb.h"
#include "persistence/rdb_format.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/numbers.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/zset.h"

namespace baozi::rdb {
namespace {

class Writer {
 public:
  Writer(Sink* sink, bool compress, bool checksum)
      : sink_(sink), compress_(compress), checksum_(checksum) {
    buf_.reserve(kBufSize);
  }

  bool ok() const { return ok_; }
  uint64_t crc() const { return crc_; }

  void Raw(const void* data, size_t len) {
    if (!ok_) return;
    if (buf_.size() + len > kBufSize) {
      Flush();
      if (len >= kBufSize) {
        Emit(data, len);
        return;
      }
    }
    buf_.append(static_cast<const char*>(data), len);
  }
  void Byte(uint8_t b) {
    if (buf_.size() < kBufSize) {
      buf_.push_back(static_cast<char>(b));
    } else {
      Raw(&b, 1);
    }
  }
  void Length(uint64_t len) {
    unsigned char b[9];
    Raw(b, EncodeLength(len, b));
  }
  void Le64(uint64_t v) {
    unsigned char b[8];
    PutLe64(v, b);
    Raw(b, 8);
  }
  void BinaryDouble(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    Le64(bits);
  }

  // Redis rdbSaveRawString.
  void String(std::string_view s) {
    if (s.size() <= 11) {
      if (auto v = ParseInt64(s)) {
        unsigned char b[5];
        if (size_t n = EncodeInteger(*v, b)) {
          Raw(b, n);
          return;
        }
      }
    }
    if (compress_ && s.size() > 20 && s.size() <= UINT32_MAX && TryLzf(s)) return;
    Length(s.size());
    Raw(s.data(), s.size());
  }
  // Redis rdbSaveLongLongAsStringObject.
  void Integer(int64_t v) {
    unsigned char b[5];
    if (size_t n = EncodeInteger(v, b)) {
      Raw(b, n);
      return;
    }
    char text[kIntBufSize];
    const size_t n = FormatInt64(v, text);
    Length(n);
    Raw(text, n);
  }

  // Hands everything buffered to the sink.
  void Flush() {
    if (!buf_.empty()) Emit(buf_.data(), buf_.size());
    buf_.clear();
  }

 private:
  static constexpr size_t kBufSize = 64 * 1024;

  void Emit(const void* data, size_t len) {
    if (!ok_) return;
    if (checksum_) crc_ = Crc64(crc_, data, len);
    if (!sink_->Write(data, len)) ok_ = false;
  }
  // Redis rdbSaveLzfStringObject: worth it only when it saves at least four bytes.
  bool TryLzf(std::string_view s) {
    const size_t out_len = s.size() - 4;
    if (lzf_buf_.size() < out_len + 1) lzf_buf_.resize(out_len + 1);
    const unsigned int n = lzf_compress(s.data(), static_cast<unsigned int>(s.size()),
                                        lzf_buf_.data(), static_cast<unsigned int>(out_len));
    if (n == 0) return false;
    Byte((kEncVal << 6) | kEncLzf);
    Length(n);
    Length(s.size());
    Raw(lzf_buf_.data(), n);
    return true;
  }

  Sink* sink_;
  bool compress_;
  bool checksum_;
  bool ok_ = true;
  uint64_t crc_ = 0;
  std::string buf_;
  std::vector<char> lzf_buf_;
};

uint8_t ObjectType(const Value& v) {
  switch (v.type()) {
    case ObjType::kString:
      return kTypeString;
    case ObjType::kList:
      return kTypeListQuicklist2;
    case ObjType::kSet:
      return v.set().is_intset() ? kTypeSetIntset : kTypeSet;
    case ObjType::kZset:
      return v.zset().is_listpack() ? kTypeZsetListpack : kTypeZset2;
    case ObjType::kHash:
      return v.hash().is_listpack() ? kTypeHashListpack : kTypeHash;
    case ObjType::kStream:
      return kTypeStreamListpacks2;
  }
  return kTypeString;
}

std::string_view Bytes(const Listpack& lp) {
  return {reinterpret_cast<const char*>(lp.data()), lp.bytes()};
}

void WriteStreamId(Writer& w, StreamId id) {
  w.Length(id.ms);
  w.Length(id.seq);
}

// A PEL key as it sits in Redis's radix tree: the 16-byte big-endian ID, written raw.
void WriteRawId(Writer& w, StreamId id) {
  unsigned char raw[16];
  id.Encode(raw);
  w.Raw(raw, sizeof(raw));
}

// Redis 7.0 rdbSaveObject for OBJ_STREAM (RDB_TYPE_STREAM_LISTPACKS_2).
void WriteStream(Writer& w, const StreamObject& s) {
  w.Length(s.node_count());
  s.ForEachNode([&](StreamId master, const Listpack& lp) {
    unsigned char key[16];
    master.Encode(key);
    w.String(std::string_view(reinterpret_cast<const char*>(key), sizeof(key)));
    w.String(Bytes(lp));
  });
  w.Length(s.size());
  WriteStreamId(w, s.last_id());
  WriteStreamId(w, s.first_id());
  WriteStreamId(w, s.max_deleted_id());
  w.Length(s.entries_added());
  w.Length(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    w.String(name);
    WriteStreamId(w, g->last_id);
    // A long long written as a length: the unknown counter (-1) takes the 64-bit form.
    w.Length(static_cast<uint64_t>(g->entries_read));
    w.Length(g->pel.size());
    for (const auto& [id, nack] : g->pel) {
      WriteRawId(w, id);
      w.Le64(static_cast<uint64_t>(nack.delivery_time));
      w.Length(nack.delivery_count);
    }
    w.Length(g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      w.String(cname);
      w.Le64(static_cast<uint64_t>(c->seen_time));
      w.Length(c->pel.size());
      for (const auto& entry : c->pel) WriteRawId(w, entry.first);
    }
  }
}

void WriteObject(Writer& w, const Value& v) {
  switch (v.type()) {
    case ObjType::kString:
      if (v.is_int()) {
        w.Integer(v.int_value());
      } else {
        char buf[kIntBufSize];
        w.String(v.View(buf));
      }
      return;
    case ObjType::kList: {
      const ListObject& l = v.list();
      w.Length(l.node_count());
      l.ForEachNode([&](const Listpack& lp) {
        if (lp.bytes() >= ListObject::kPackedThreshold && lp.size() == 1) {
          // A node of one huge element: Redis keeps those as bare "plain" nodes.
          w.Length(kContainerPlain);
          char buf[kIntBufSize];
          w.String(lp.Get(lp.First()).View(buf));
        } else {
          w.Length(kContainerPacked);
          w.String(Bytes(lp));
        }
      });
      return;
    }
    case ObjType::kSet: {
      const SetObject& s = v.set();
      if (s.is_intset()) {
        w.String(s.intset().Blob());
        return;
      }
      w.Length(s.size());
      s.ForEach([&](std::string_view m) { w.String(m); });
      return;
    }
    case ObjType::kZset: {
      const ZsetObject& z = v.zset();
      if (const Listpack* lp = z.listpack()) {
        w.String(Bytes(*lp));
        return;
      }
      w.Length(z.size());
      for (auto it = z.Last(); !it.done(); it.Prev()) {
        w.String(it.member());
        w.BinaryDouble(it.score());
      }
      return;
    }
    case ObjType::kHash: {
      const HashObject& h = v.hash();
      if (const Listpack* lp = h.listpack()) {
        w.String(Bytes(*lp));
        return;
      }
      w.Length(h.size());
      h.ForEach([&](std::string_view f, std::string_view val) {
        w.String(f);
        w.String(val);
      });
      return;
    }
    case ObjType::kStream:
      WriteStream(w, v.stream());
      return;
  }
}

void Aux(Writer& w, std::string_view key, std::string_view value) {
  w.Byte(kOpAux);
  w.String(key);
  w.String(value);
}
void AuxInt(Writer& w, std::string_view key, int64_t value) {
  char buf[kIntBufSize];
  Aux(w, key, std::string_view(buf, FormatInt64(value, buf)));
}

}  // namespace

bool Save(Keyspace& ks, Sink& sink, const SaveOptions& opts) {
  Writer w(&sink, opts.compress, opts.checksum);
  char magic[16];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", kVersion);
  w.Raw(magic, 9);
  Aux(w, "redis-ver", opts.redis_ver);
  AuxInt(w, "redis-bits", 64);
  AuxInt(w, "ctime", opts.now_ms / 1000);
  AuxInt(w, "used-mem", static_cast<int64_t>(opts.used_mem));
  AuxInt(w, "aof-base", opts.aof_base ? 1 : 0);
  for (std::string_view code : opts.function_libraries) {
    w.Byte(kOpFunction2);
    w.String(code);
  }

  for (int i = 0; i < ks.size() && w.ok(); ++i) {
    Db& db = ks.db(i);
    if (db.size() == 0) continue;
    w.Byte(kOpSelectDb);
    w.Length(static_cast<uint64_t>(i));
    w.Byte(kOpResizeDb);
    w.Length(db.size());
    w.Length(db.expires_count());
    db.ForEach([&](std::string_view key, DbEntry& e) {
      if (!w.ok()) return;
      if (opts.keys_written != nullptr) ++*opts.keys_written;
      const int64_t deadline = db.ExpireOf(e);
      if (deadline != kNoExpire) {
        w.Byte(kOpExpireTimeMs);
        w.Le64(static_cast<uint64_t>(deadline));
      }
      if (opts.save_lru) {
        w.Byte(kOpIdle);
        w.Length(ks.IdleMs(e.value) / 1000);
      }
      if (opts.save_lfu) {
        w.Byte(kOpFreq);
        w.Byte(static_cast<uint8_t>(ks.LfuFrequency(e.value)));
      }
      w.Byte(ObjectType(e.value));
      w.String(key);
      WriteObject(w, e.value);
    });
  }
  w.Byte(kOpEof);
  w.Flush();
  unsigned char trailer[8];
  PutLe64(opts.checksum ? w.crc() : 0, trailer);
  w.Raw(trailer, 8);
  w.Flush();
  return w.ok();
}

std::string DumpPayload(const Value& value, bool compress) {
  std::string out;
  StringSink sink(&out);
  Writer w(&sink, compress, false);
  w.Byte(ObjectType(value));
  WriteObject(w, value);
  w.Flush();
  out.push_back(static_cast<char>(kVersion & 0xff));
  out.push_back(static_cast<char>((kVersion >> 8) & 0xff));
  unsigned char crc[8];
  PutLe64(Crc64(0, out.data(), out.size()), crc);
  out.append(reinterpret_cast<const char*>(crc), 8);
  return out;
}

std::string DumpFunctions(std::span<const std::string_view> codes, bool compress) {
  std::string out;
  StringSink sink(&out);
  Writer w(&sink, compress, false);
  for (std::string_view code : codes) {
    w.Byte(kOpFunction2);
    w.String(code);
  }
  w.Flush();
  out.push_back(static_cast<char>(kVersion & 0xff));
  out.push_back(static_cast<char>((kVersion >> 8) & 0xff));
  unsigned char crc[8];
  PutLe64(Crc64(0, out.data(), out.size()), crc);
  out.append(reinterpret_cast<const char*>(crc), 8);
  return out;
}

}  // namespace baozi::rdb
