'use strict';
// node-redis v4 (npm redis@4, installed as "redis4"); RESP2 only. See node_redis_suite.js.
require('./node_redis_suite').runSuite({lib: require('redis4'), major: 4, resp: undefined});
