// How Redis digests a dataset, which this file reproduces byte for byte.
//
// Two primitives over a 20-byte digest D. xor(D, s): D ^= SHA1(s) — commutative, so it "adds"
// members of unordered collections (set members, hash fields, zset elements, keys of a db) in
// any order. mix(D, s): D = SHA1(D ^ SHA1(s)) — order-sensitive, for sequences (list elements)
// and for combining the parts of one element.
//
// A value's digest starts at zero, mixes its type as a big-endian 32-bit number, then:
//  - string: mix(its bytes, integers in decimal);
//  - list: mix(each element) head to tail;
//  - set: xor(each member);
//  - hash: xor(E) with E = mix(mix(0, field), value) per pair;
//  - zset: xor(E) with E = mix(mix(0, member), score printed with %.17g) per element;
//  - stream: per live entry in ID order mix("<ms>.<seq>") — a dot, not the dash of replies —
//    then mix(field), mix(value) per pair; the last ID, counters and consumer groups are not
//    digested (Redis 7.0 leaves them out too);
// and, when the key has a TTL, xor("!!expire!!") — the deadline itself is not included, so
// copies made at different times still compare equal.
// The dataset digest starts at zero; for every non-empty db it mixes the db index (big-endian
// 32 bits), then, per key, xor(final, K) where K = mix(0, key name) followed by the value's
// steps above — so K itself is hashed once more before it joins, like every xor operand.
#include "server/digest.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>
#include <string_view>

#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/zset.h"

namespace baozi {
namespace {

using Digest = Sha1::Digest;

void XorDigest(Digest& d, const void* p, size_t len) {
  Digest h = Sha1::Of(p, len);
  for (size_t i = 0; i < d.size(); ++i) d[i] ^= h[i];
}
void XorDigest(Digest& d, std::string_view s) { XorDigest(d, s.data(), s.size()); }

void MixDigest(Digest& d, const void* p, size_t len) {
  XorDigest(d, p, len);
  d = Sha1::Of(d.data(), d.size());
}
void MixDigest(Digest& d, std::string_view s) { MixDigest(d, s.data(), s.size()); }

// Redis's OBJ_* numbering, which the digest mixes in: OBJ_MODULE (5) sits before OBJ_STREAM.
uint32_t RedisTypeNumber(ObjType t) { return t == ObjType::kStream ? 6 : static_cast<uint32_t>(t); }

// Mixes the value's steps into `d` (Redis xorObjectDigest, which despite its name starts by
// mixing the type).
void ObjectDigest(Db& db, const DbEntry& e, Digest& d) {
  const Value& v = e.value;
  uint32_t type = htonl(RedisTypeNumber(v.type()));
  MixDigest(d, &type, sizeof(type));
  switch (v.type()) {
    case ObjType::kString: {
      char buf[kIntBufSize];
      MixDigest(d, v.View(buf));
      break;
    }
    case ObjType::kList:
      v.list().ForEach([&](std::string_view s) { MixDigest(d, s); });
      break;
    case ObjType::kSet:
      v.set().ForEach([&](std::string_view s) { XorDigest(d, s); });
      break;
    case ObjType::kHash:
      v.hash().ForEach([&](std::string_view field, std::string_view value) {
        Digest ele{};
        MixDigest(ele, field);
        MixDigest(ele, value);
        XorDigest(d, ele.data(), ele.size());
      });
      break;
    case ObjType::kZset:
      v.zset().ForEach([&](std::string_view member, double score) {
        Digest ele{};
        MixDigest(ele, member);
        char buf[128];
        int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
        MixDigest(ele, buf, static_cast<size_t>(n));
        XorDigest(d, ele.data(), ele.size());
      });
      break;
    case ObjType::kStream: {
      const StreamObject& s = v.stream();
      for (StreamObject::Iterator it(s, StreamId::Min(), StreamId::Max(), false); it.Next();) {
        char buf[StreamId::kBufSize];
        const size_t n = it.id().Format(buf);
        for (size_t i = 0; i < n; ++i) {
          if (buf[i] == '-') buf[i] = '.';
        }
        MixDigest(d, buf, n);
        it.ForEachField([&](std::string_view f, std::string_view val) {
          MixDigest(d, f);
          MixDigest(d, val);
        });
      }
      break;
    }
  }
  if (db.HasExpire(e)) XorDigest(d, "!!expire!!", 10);
}

}  // namespace

Digest ValueDigest(Db& db, const DbEntry& entry) {
  Digest d{};
  ObjectDigest(db, entry, d);
  return d;
}

Digest DatasetDigest(Keyspace& ks) {
  Digest final{};
  for (int j = 0; j < ks.size(); ++j) {
    Db& db = ks.db(j);
    if (db.size() == 0) continue;
    uint32_t id = htonl(static_cast<uint32_t>(j));
    MixDigest(final, &id, sizeof(id));
    db.ForEach([&](std::string_view key, DbEntry& e) {
      Digest d{};
      MixDigest(d, key);
      ObjectDigest(db, e, d);
      XorDigest(final, d.data(), d.size());
    });
  }
  return final;
}

}  // namespace baozi
