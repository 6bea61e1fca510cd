// baozi-check-aof: checks (and with --fix truncates) an AOF, a multi-part AOF through its
// manifest, with redis-check-aof's messages. The work is aof::RunCheckAof (persistence/aof.h).
#include <cstdio>

#include "persistence/aof.h"

int main(int argc, char** argv) { return baozi::aof::RunCheckAof(argc, argv, stdin, stdout); }
