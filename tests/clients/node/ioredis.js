'use strict';
// ioredis, unchanged, against the server on argv[2]: the INFO ready check, every data type,
// pipelines and MULTI, pub/sub that resubscribes by itself after a server restart, and
// defineCommand scripts falling back from EVALSHA to EVAL on NOSCRIPT. ioredis 5 speaks only
// RESP2, so there is no RESP3 part here. Output protocol: see lib.js.

const Redis = require('ioredis');
const {
  assert, commandCalls, done, eventually, hasClientSetinfo, Inbox, port, requestRestart, sleep,
  step,
} = require('./lib');

const options = {host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 50,
  retryStrategy: (times) => Math.min(times * 20, 200)};

// Records what each ready check parsed out of INFO; the check is ioredis' own code, this only
// watches its result.
function watchReadyCheck(client) {
  const seen = [];
  const original = client._readyCheck;
  assert.equal(typeof original, 'function', 'ioredis has no _readyCheck to watch');
  client._readyCheck = function(callback) {
    return original.call(this, (err, info) => {
      seen.push(err ? {error: err.message} : info);
      callback(err, info);
    });
  };
  return seen;
}

async function main() {
  const redis = new Redis(options);
  const checks = watchReadyCheck(redis);
  let readyEvents = 0;
  redis.on('ready', () => readyEvents++);
  redis.on('error', () => {});  // Reconnects are expected during the restart.

  await step('connect-ready-check', async () => {
    await redis.connect();
    assert.equal(redis.status, 'ready');
    assert.equal(checks.length, 1);
    const info = checks[0];
    assert.equal(info.error, undefined, `ready check failed: ${info.error}`);
    assert.equal(info.loading, '0');
    assert.match(info.redis_version, /^\d+\.\d+\.\d+$/);
    assert.equal(info.tcp_port, String(port));
    assert.equal(await redis.ping(), 'PONG');
    if (hasClientSetinfo(info.redis_version)) {
      const me = Object.fromEntries((await redis.client('INFO')).trim().split(' ')
          .map((field) => field.split('=', 2)));
      assert.equal(me['lib-name'], 'ioredis');
      assert.equal(me['lib-ver'], require('ioredis/package.json').version);
    }
    assert.equal(await redis.flushall(), 'OK');
  });

  await step('strings', async () => {
    assert.equal(await redis.set('s', 'hello'), 'OK');
    assert.equal(await redis.get('s'), 'hello');
    assert.equal(await redis.append('s', ' world'), 11);
    assert.equal(await redis.getrange('s', 0, 4), 'hello');
    assert.equal(await redis.strlen('s'), 11);
    assert.equal(await redis.set('s', 'x', 'NX'), null);
    assert.equal(await redis.set('n', '10'), 'OK');
    assert.equal(await redis.incr('n'), 11);
    assert.equal(await redis.incrby('n', -5), 6);
    assert.equal(await redis.incrbyfloat('n', '1.5'), '7.5');
    assert.equal(await redis.mset({a: '1', b: '2'}), 'OK');
    assert.deepEqual(await redis.mget('a', 'b', 'missing'), ['1', '2', null]);
    assert.equal(await redis.getdel('a'), '1');
    assert.equal(await redis.exists('a', 'b'), 1);
    const buf = await redis.getBuffer('b');
    assert.ok(Buffer.isBuffer(buf) && buf.toString() === '2');
    await assert.rejects(redis.incr('s'), /ERR value is not an integer or out of range/);
    await assert.rejects(redis.lpush('s', 'x'),
        /WRONGTYPE Operation against a key holding the wrong kind of value/);
    const bin = Buffer.from([0, 255, 13, 10, 36]);
    await redis.set('bin', bin);
    assert.deepEqual(await redis.getBuffer('bin'), bin);
  });

  await step('hashes', async () => {
    assert.equal(await redis.hset('h', {f1: 'v1', f2: 'v2', n: '1'}), 3);
    assert.deepEqual(await redis.hgetall('h'), {f1: 'v1', f2: 'v2', n: '1'});
    assert.equal(await redis.hget('h', 'f1'), 'v1');
    assert.deepEqual(await redis.hmget('h', 'f2', 'nope'), ['v2', null]);
    assert.equal(await redis.hincrby('h', 'n', 41), 42);
    assert.equal(await redis.hexists('h', 'f1'), 1);
    assert.equal(await redis.hdel('h', 'f1', 'nope'), 1);
    assert.equal(await redis.hlen('h'), 2);
    assert.deepEqual((await redis.hkeys('h')).sort(), ['f2', 'n']);
    assert.deepEqual(await redis.hgetall('missing'), {});
  });

  await step('lists', async () => {
    assert.equal(await redis.rpush('l', 'a', 'b', 'c'), 3);
    assert.equal(await redis.lpush('l', 'z'), 4);
    assert.deepEqual(await redis.lrange('l', 0, -1), ['z', 'a', 'b', 'c']);
    assert.deepEqual(await redis.lpop('l', 2), ['z', 'a']);
    assert.equal(await redis.lmove('l', 'l2', 'RIGHT', 'LEFT'), 'c');
    assert.equal(await redis.llen('l'), 1);
    assert.equal(await redis.lindex('l2', 0), 'c');
    // A blocking pop served by a push from another connection.
    const other = new Redis(options);
    await other.connect();
    const popped = redis.blpop('bl', 5);
    await sleep(50);
    assert.equal(await other.rpush('bl', 'wake'), 1);
    assert.deepEqual(await popped, ['bl', 'wake']);
    assert.equal(await redis.blpop('bl', '0.05'), null);
    other.disconnect();
  });

  await step('sets', async () => {
    assert.equal(await redis.sadd('s1', 'a', 'b', 'c'), 3);
    assert.equal(await redis.sadd('s2', 'b', 'c', 'd'), 3);
    assert.deepEqual((await redis.smembers('s1')).sort(), ['a', 'b', 'c']);
    assert.equal(await redis.sismember('s1', 'a'), 1);
    assert.deepEqual((await redis.sinter('s1', 's2')).sort(), ['b', 'c']);
    assert.deepEqual((await redis.sunion('s1', 's2')).sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await redis.sdiff('s1', 's2'), ['a']);
    assert.equal(await redis.srem('s1', 'a', 'zz'), 1);
    assert.equal(await redis.scard('s1'), 2);
    assert.deepEqual(await redis.smismember('s1', 'b', 'a'), [1, 0]);
  });

  await step('zsets', async () => {
    assert.equal(await redis.zadd('z', 1, 'one', 2, 'two', 3.5, 'three'), 3);
    assert.deepEqual(await redis.zrange('z', 0, -1, 'WITHSCORES'),
        ['one', '1', 'two', '2', 'three', '3.5']);
    assert.equal(await redis.zincrby('z', 0.25, 'one'), '1.25');
    assert.equal(await redis.zscore('z', 'three'), '3.5');
    assert.equal(await redis.zrank('z', 'three'), 2);
    assert.deepEqual(await redis.zrangebyscore('z', '(1.25', '+inf', 'LIMIT', 0, 1), ['two']);
    assert.deepEqual(await redis.zrevrange('z', 0, 0), ['three']);
    assert.equal(await redis.zcount('z', '-inf', 2), 2);
    assert.deepEqual(await redis.zpopmin('z'), ['one', '1.25']);
    assert.equal(await redis.zcard('z'), 2);
  });

  await step('expiry-and-keys', async () => {
    await redis.set('e', 'v', 'EX', 100);
    const ttl = await redis.ttl('e');
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await redis.persist('e'), 1);
    assert.equal(await redis.ttl('e'), -1);
    assert.equal(await redis.ttl('missing'), -2);
    assert.equal(await redis.pexpire('e', 60), 1);
    const pttl = await redis.pttl('e');
    assert.ok(pttl > 0 && pttl <= 60, `pttl ${pttl}`);
    await eventually('key e to expire', async () => (await redis.exists('e')) === 0, 3000, 20);
    assert.equal(await redis.type('h'), 'hash');
    assert.equal(await redis.type('z'), 'zset');
    assert.equal(await redis.rename('s2', 's3'), 'OK');
    const keys = [];
    await new Promise((resolve, reject) => {
      redis.scanStream({match: 's*', count: 2})
          .on('data', (batch) => keys.push(...batch))
          .on('end', resolve)
          .on('error', reject);
    });
    assert.deepEqual([...new Set(keys)].sort(), ['s', 's1', 's3']);
    assert.equal(await redis.unlink('s3'), 1);
  });

  await step('pipeline', async () => {
    const results = await redis.pipeline()
        .set('p', '1')
        .incr('p')
        .incr('s')  // not an integer: this command fails, the rest still run
        .get('p')
        .hset('ph', 'f', 'v')
        .exec();
    assert.equal(results.length, 5);
    assert.deepEqual(results[0], [null, 'OK']);
    assert.deepEqual(results[1], [null, 2]);
    assert.match(results[2][0].message, /ERR value is not an integer or out of range/);
    assert.deepEqual(results[3], [null, '2']);
    assert.deepEqual(results[4], [null, 1]);
    const many = redis.pipeline();
    for (let i = 0; i < 200; i++) many.rpush('plist', String(i));
    const out = await many.exec();
    assert.deepEqual(out[199], [null, 200]);
  });

  await step('multi', async () => {
    const results = await redis.multi().set('m', '1').incr('m').get('m').exec();
    assert.deepEqual(results, [[null, 'OK'], [null, 2], [null, '2']]);
    // A command error inside EXEC is returned for that command only.
    const mixed = await redis.multi().incr('s').incr('m').exec();
    assert.match(mixed[0][0].message, /ERR value is not an integer or out of range/);
    assert.deepEqual(mixed[1], [null, 3]);
    // A queueing error aborts the whole transaction.
    await assert.rejects(redis.multi().set('only-key').incr('m').exec(), /EXECABORT/);
    assert.equal(await redis.get('m'), '3');
    // WATCH: a write from another connection makes EXEC return null.
    const other = new Redis(options);
    await other.connect();
    assert.equal(await redis.watch('m'), 'OK');
    await other.set('m', 'changed');
    assert.equal(await redis.multi().set('m', 'mine').exec(), null);
    assert.equal(await redis.get('m'), 'changed');
    other.disconnect();
  });

  await step('scripts-noscript-fallback', async () => {
    redis.defineCommand('addTo', {
      numberOfKeys: 1,
      lua: 'return redis.call("INCRBY", KEYS[1], ARGV[1]) * 10',
    });
    const calls = async () => {
      const text = await redis.info('commandstats');
      return {eval: commandCalls(text, 'eval'), evalsha: commandCalls(text, 'evalsha')};
    };
    const delta = (a, b) => ({eval: b.eval - a.eval, evalsha: b.evalsha - a.evalsha});
    // ioredis sends the body (EVAL) the first time a script runs on a connection, then
    // EVALSHA.
    const c0 = await calls();
    assert.equal(await redis.addTo('sc', 4), 40);
    const c1 = await calls();
    assert.deepEqual(delta(c0, c1), {eval: 1, evalsha: 0});
    assert.equal(await redis.addTo('sc', 1), 50);
    const c2 = await calls();
    assert.deepEqual(delta(c1, c2), {eval: 0, evalsha: 1});
    // After SCRIPT FLUSH, EVALSHA answers NOSCRIPT and ioredis resends the body with EVAL.
    assert.equal(await redis.script('FLUSH'), 'OK');
    assert.equal(await redis.addTo('sc', 1), 60);
    const c3 = await calls();
    assert.deepEqual(delta(c2, c3), {eval: 1, evalsha: 1});
    assert.equal(await redis.addTo('sc', 0), 60);
    const c4 = await calls();
    assert.deepEqual(delta(c3, c4), {eval: 0, evalsha: 1});
    // In a pipeline both EVALSHAs are sent before either NOSCRIPT comes back; each is resent
    // on its own, in order.
    await redis.script('FLUSH');
    const piped = await redis.pipeline().addTo('sc', 1).addTo('sc', 1).exec();
    assert.deepEqual(piped, [[null, 70], [null, 80]]);
    assert.equal(await redis.get('sc'), '8');
    const sha = await redis.script('LOAD', 'return 1');
    assert.deepEqual(await redis.script('EXISTS', sha, '0'.repeat(40)), [1, 0]);
    await assert.rejects(redis.evalsha('0'.repeat(40), 0),
        /NOSCRIPT No matching script. Please use EVAL./);
    await assert.rejects(redis.eval('return redis.call("INCR", KEYS[1])', 1, 's'),
        /ERR value is not an integer or out of range/);
  });

  await step('pubsub', async () => {
    const sub = new Redis(options);
    sub.on('error', () => {});
    await sub.connect();
    const inbox = new Inbox();
    sub.on('message', (channel, message) => inbox.push(['message', channel, message]));
    sub.on('pmessage', (pattern, channel, message) =>
      inbox.push(['pmessage', pattern, channel, message]));
    assert.equal(await sub.subscribe('news', 'sport'), 2);
    assert.equal(await sub.psubscribe('news.*'), 3);
    await assert.rejects(sub.get('x'), /Connection in subscriber mode/);
    assert.equal(await redis.publish('news', 'first'), 1);
    assert.deepEqual(await inbox.next(), ['message', 'news', 'first']);
    assert.equal(await redis.publish('news.tech', 'second'), 1);
    assert.deepEqual(await inbox.next(), ['pmessage', 'news.*', 'news.tech', 'second']);
    assert.deepEqual((await redis.pubsub('CHANNELS')).sort(), ['news', 'sport']);
    assert.deepEqual(await redis.pubsub('NUMSUB', 'news'), ['news', 1]);
    assert.equal(await redis.pubsub('NUMPAT'), 1);
    assert.equal(await sub.unsubscribe('sport'), 2);
    module.exports.sub = sub;
    module.exports.inbox = inbox;
  });

  await step('restart-resubscribe', async () => {
    const {sub, inbox} = module.exports;
    const readyBefore = readyEvents;
    await requestRestart();
    // Fresh server, no data (started without persistence); both clients reconnect by
    // themselves and the subscriber re-issues SUBSCRIBE news and PSUBSCRIBE news.*.
    await eventually('subscriber to resubscribe to news',
        async () => (await redis.publish('news', 'after')) === 1);
    assert.deepEqual(await inbox.next(), ['message', 'news', 'after']);
    await eventually('subscriber to resubscribe to news.*',
        async () => (await redis.publish('news.x', 'after-p')) === 1);
    assert.deepEqual(await inbox.next(), ['pmessage', 'news.*', 'news.x', 'after-p']);
    assert.equal(await redis.publish('sport', 'gone'), 0);
    assert.ok(readyEvents > readyBefore, 'main client never became ready again');
    const last = checks[checks.length - 1];
    assert.equal(last.loading, '0');
    assert.equal(await redis.exists('s'), 0);
    assert.equal(await redis.set('again', '1'), 'OK');
    await sub.quit();
  });

  await step('quit', async () => {
    assert.equal(await redis.quit(), 'OK');
  });
  done();
}

main();
