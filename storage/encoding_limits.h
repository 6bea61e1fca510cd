// The thresholds at which compact encodings convert up, as redis.conf names them. The server
// copies them from its config; storage reads them on every insertion that could cross one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace baozi {

struct EncodingLimits {
  size_t hash_max_listpack_entries = 512;  // 7.0's compiled-in default (redis.conf says 128)
  size_t hash_max_listpack_value = 64;
  size_t zset_max_listpack_entries = 128;
  size_t zset_max_listpack_value = 64;
  size_t set_max_intset_entries = 512;
  // Positive: entries per quicklist node; -1..-5: node size limit of 4, 8, 16, 32, 64 KB.
  int list_max_listpack_size = -2;
  // stream-node-max-bytes (0: only the 1 GiB listpack limit) and stream-node-max-entries (0: none).
  struct StreamNode {
    size_t max_bytes = 4096;
    int64_t max_entries = 100;
  } stream_node;
};

}  // namespace baozi
