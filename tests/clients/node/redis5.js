'use strict';
// node-redis v5 (npm redis@5, installed as "redis5") with its default protocol, RESP2.
// See node_redis_suite.js.
require('./node_redis_suite').runSuite({lib: require('redis5'), major: 5, resp: 2});
