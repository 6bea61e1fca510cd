// DEBUG DIGEST and DEBUG DIGEST-VALUE, computed exactly as Redis 7.0's debug.c does, so a
// digest taken from baozi equals one from redis-server holding the same data (the tests compare
// whole datasets across the two servers that way).
#pragma once

#include <string>

#include "server/sha1.h"
#include "storage/db.h"

namespace baozi {

// The whole keyspace (Redis computeDatasetDigest); all zeros when every database is empty.
Sha1::Digest DatasetDigest(Keyspace& ks);

// One value (Redis xorObjectDigest): its type, its contents, and whether it has a TTL. The key
// name is not part of it.
Sha1::Digest ValueDigest(Db& db, const DbEntry& entry);

}  // namespace baozi
