// baozi-check-rdb: checks an RDB file as the server would load it, with redis-check-rdb's
// verdict. The work is rdb::RunCheckRdb (persistence/rdb.h).
#include <cstdio>

#include "persistence/rdb.h"

int main(int argc, char** argv) { return baozi::rdb::RunCheckRdb(argc, argv, stdout); }
