'use strict';
// node-redis v5 (npm redis@5, installed as "redis5") with `RESP: 3`: it opens each connection
// with HELLO 3. See node_redis_suite.js.
require('./node_redis_suite').runSuite({lib: require('redis5'), major: 5, resp: 3});
