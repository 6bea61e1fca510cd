'use strict';
// node-redis, unchanged, against the server on argv[2]. One suite serves v4 (redis4.js), v5
// over RESP2 (redis5.js) and v5 over RESP3 (redis5_resp3.js): the calls are the same, and the
// few places where the versions document different reply types (v4 turns 0/1 replies into
// booleans, v5 keeps the integers; v5's scanIterator yields pages, v4's single keys) are
// spelled out where they occur. Covers connecting, every data type, pipelines and MULTI,
// pub/sub that resubscribes by itself after a server restart, scripts defined with
// defineScript falling back from EVALSHA to EVAL on NOSCRIPT, and, for RESP3, the reply
// shapes HELLO 3 brings. Output protocol: see lib.js.

const {
  assert, commandCalls, done, eventually, hasClientSetinfo, Inbox, parseInfo, port,
  requestRestart, sleep, step,
} = require('./lib');

// `bool` is what the client makes of an integer 0/1 reply in this version.
function runSuite({lib, major, resp}) {
  const {createClient, defineScript} = lib;
  const v5 = major >= 5;
  const bool = (n) => (v5 ? n : n === 1);
  const plain = (obj) => ({...obj});  // node-redis builds objects without a prototype

  // v4 turns the arguments into strings itself (transformArguments); v5 hands a parser over.
  const addTo = v5 ?
    defineScript({
      NUMBER_OF_KEYS: 1,
      SCRIPT: 'return redis.call("INCRBY", KEYS[1], ARGV[1]) * 10',
      parseCommand(parser, key, n) {
        parser.pushKey(key);
        parser.push(String(n));
      },
      transformReply: (reply) => reply,
    }) :
    defineScript({
      NUMBER_OF_KEYS: 1,
      SCRIPT: 'return redis.call("INCRBY", KEYS[1], ARGV[1]) * 10',
      transformArguments: (key, n) => [key, String(n)],
      transformReply: (reply) => reply,
    });

  const options = {
    socket: {host: '127.0.0.1', port, reconnectStrategy: (retries) => Math.min(retries * 20, 200)},
    scripts: {addTo},
  };
  if (resp) options.RESP = resp;

  async function main() {
    const client = createClient(options);
    client.on('error', () => {});  // Reconnects are expected during the restart.
    let readyEvents = 0;
    client.on('ready', () => readyEvents++);

    await step('connect', async () => {
      await client.connect();
      assert.equal(client.isReady, true);
      assert.equal(await client.ping(), 'PONG');
      const info = parseInfo(await client.info('server'));
      assert.match(info.redis_version, /^\d+\.\d+\.\d+$/);
      assert.equal(info.tcp_port, String(port));
      if (hasClientSetinfo(info.redis_version)) {
        const me = await client.clientInfo();
        assert.equal(me.libName, 'node-redis');
        // The version of @redis/client as that package records it (v4 sends 1.6.0 from 1.6.1).
        assert.match(me.libVer, /^\d+\.\d+\.\d+$/);
      }
      assert.equal(await client.flushAll(), 'OK');
      // The connection's protocol is what the client asked for.
      const hello = await client.sendCommand(['HELLO']);
      const proto = hello instanceof Map ? hello.get('proto') :
        Array.isArray(hello) ? hello[hello.indexOf('proto') + 1] : hello.proto;
      assert.equal(proto, resp === 3 ? 3 : 2);
    });

    await step('strings', async () => {
      assert.equal(await client.set('s', 'hello'), 'OK');
      assert.equal(await client.get('s'), 'hello');
      assert.equal(await client.append('s', ' world'), 11);
      assert.equal(await client.getRange('s', 0, 4), 'hello');
      assert.equal(await client.strLen('s'), 11);
      assert.equal(await client.set('s', 'x', {NX: true}), null);
      assert.equal(await client.set('nxkey', 'x', {NX: true, EX: 100}), 'OK');
      assert.equal(await client.set('n', '10'), 'OK');
      assert.equal(await client.incr('n'), 11);
      assert.equal(await client.incrBy('n', -5), 6);
      assert.equal(Number(await client.incrByFloat('n', 1.5)), 7.5);
      assert.equal(await client.mSet({a: '1', b: '2'}), 'OK');
      assert.deepEqual(await client.mGet(['a', 'b', 'missing']), ['1', '2', null]);
      assert.equal(await client.getDel('a'), '1');
      assert.equal(await client.exists(['a', 'b']), 1);
      await assert.rejects(client.incr('s'), /ERR value is not an integer or out of range/);
      await assert.rejects(client.lPush('s', 'x'),
          /WRONGTYPE Operation against a key holding the wrong kind of value/);
      const bin = Buffer.from([0, 255, 13, 10, 36]);
      await client.set('bin', bin);
      const back = v5 ?
        await client.withTypeMapping({[lib.RESP_TYPES.BLOB_STRING]: Buffer}).get('bin') :
        await client.get(lib.commandOptions({returnBuffers: true}), 'bin');
      assert.deepEqual(Buffer.from(back), bin);
    });

    await step('hashes', async () => {
      assert.equal(await client.hSet('h', {f1: 'v1', f2: 'v2', n: '1'}), 3);
      assert.deepEqual(plain(await client.hGetAll('h')), {f1: 'v1', f2: 'v2', n: '1'});
      assert.equal(await client.hGet('h', 'f1'), 'v1');
      assert.deepEqual(await client.hmGet('h', ['f2', 'nope']), ['v2', null]);
      assert.equal(await client.hIncrBy('h', 'n', 41), 42);
      assert.equal(await client.hExists('h', 'f1'), bool(1));
      assert.equal(await client.hDel('h', ['f1', 'nope']), 1);
      assert.equal(await client.hLen('h'), 2);
      assert.deepEqual((await client.hKeys('h')).sort(), ['f2', 'n']);
      assert.deepEqual(plain(await client.hGetAll('missing')), {});
    });

    await step('lists', async () => {
      assert.equal(await client.rPush('l', ['a', 'b', 'c']), 3);
      assert.equal(await client.lPush('l', 'z'), 4);
      assert.deepEqual(await client.lRange('l', 0, -1), ['z', 'a', 'b', 'c']);
      assert.deepEqual(await client.lPopCount('l', 2), ['z', 'a']);
      assert.equal(await client.lMove('l', 'l2', 'RIGHT', 'LEFT'), 'c');
      assert.equal(await client.lLen('l'), 1);
      assert.equal(await client.lIndex('l2', 0), 'c');
      // A blocking pop on its own connection, served by a push from the main one.
      const blocker = client.duplicate();
      blocker.on('error', () => {});
      await blocker.connect();
      const popped = blocker.blPop('bl', 5);
      await sleep(50);
      assert.equal(await client.rPush('bl', 'wake'), 1);
      assert.deepEqual(plain(await popped), {key: 'bl', element: 'wake'});
      assert.equal(await blocker.blPop('bl', 0.05), null);
      await blocker.disconnect();
    });

    await step('sets', async () => {
      assert.equal(await client.sAdd('s1', ['a', 'b', 'c']), 3);
      assert.equal(await client.sAdd('s2', ['b', 'c', 'd']), 3);
      assert.deepEqual((await client.sMembers('s1')).sort(), ['a', 'b', 'c']);
      assert.equal(await client.sIsMember('s1', 'a'), bool(1));
      assert.deepEqual((await client.sInter(['s1', 's2'])).sort(), ['b', 'c']);
      assert.deepEqual((await client.sUnion(['s1', 's2'])).sort(), ['a', 'b', 'c', 'd']);
      assert.deepEqual(await client.sDiff(['s1', 's2']), ['a']);
      assert.equal(await client.sRem('s1', ['a', 'zz']), 1);
      assert.equal(await client.sCard('s1'), 2);
      assert.deepEqual(await client.smIsMember('s1', ['b', 'a']), [bool(1), bool(0)]);
    });

    await step('zsets', async () => {
      assert.equal(await client.zAdd('z', [{score: 1, value: 'one'}, {score: 2, value: 'two'},
        {score: 3.5, value: 'three'}]), 3);
      assert.deepEqual((await client.zRangeWithScores('z', 0, -1)).map(plain),
          [{value: 'one', score: 1}, {value: 'two', score: 2}, {value: 'three', score: 3.5}]);
      assert.equal(await client.zIncrBy('z', 0.25, 'one'), 1.25);
      assert.equal(await client.zScore('z', 'three'), 3.5);
      assert.equal(await client.zScore('z', 'nobody'), null);
      assert.equal(await client.zRank('z', 'three'), 2);
      assert.deepEqual(await client.zRangeByScore('z', '(1.25', '+inf',
          {LIMIT: {offset: 0, count: 1}}), ['two']);
      assert.deepEqual(await client.zRange('z', 0, 0, {REV: true}), ['three']);
      assert.equal(await client.zCount('z', '-inf', 2), 2);
      assert.deepEqual(plain(await client.zPopMin('z')), {value: 'one', score: 1.25});
      assert.equal(await client.zCard('z'), 2);
    });

    await step('expiry-and-keys', async () => {
      await client.set('e', 'v', {EX: 100});
      const ttl = await client.ttl('e');
      assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
      assert.equal(await client.persist('e'), bool(1));
      assert.equal(await client.ttl('e'), -1);
      assert.equal(await client.ttl('missing'), -2);
      assert.equal(await client.pExpire('e', 60), bool(1));
      const pttl = await client.pTTL('e');
      assert.ok(pttl > 0 && pttl <= 60, `pttl ${pttl}`);
      await eventually('key e to expire', async () => (await client.exists('e')) === 0, 3000, 20);
      assert.equal(await client.type('h'), 'hash');
      assert.equal(await client.type('z'), 'zset');
      assert.equal(await client.rename('s2', 's3'), 'OK');
      const keys = new Set();
      for await (const item of client.scanIterator({MATCH: 's*', COUNT: 2})) {
        for (const key of (v5 ? item : [item])) keys.add(key);
      }
      assert.deepEqual([...keys].sort(), ['s', 's1', 's3']);
      assert.equal(await client.unlink('s3'), 1);
    });

    await step('pipeline', async () => {
      // Commands issued in the same tick go out in one write (node-redis' auto-pipelining).
      const replies = await Promise.all([
        client.set('p', '1'), client.incr('p'), client.get('p'), client.hSet('ph', 'f', 'v')]);
      assert.deepEqual(replies, ['OK', 2, '2', 1]);
      const many = [];
      for (let i = 0; i < 200; i++) many.push(client.rPush('plist', String(i)));
      assert.equal((await Promise.all(many))[199], 200);
      // An explicit pipeline (no MULTI): the client reports the failing command's error; the
      // commands after it still ran.
      await assert.rejects(client.multi().set('p', '5').incr('s').incr('p').execAsPipeline(),
          /ERR value is not an integer or out of range/);
      assert.deepEqual(await client.multi().get('p').incr('p').execAsPipeline(), ['6', 7]);
    });

    await step('multi', async () => {
      assert.deepEqual(await client.multi().set('m', '1').incr('m').get('m').exec(),
          ['OK', 2, '2']);
      // A command error inside EXEC is returned for that command only.
      const err = await client.multi().incr('s').incr('m').exec().then(() => null, (e) => e);
      assert.ok(err, 'exec did not report the failed INCR');
      assert.deepEqual(err.errorIndexes, [0]);
      assert.equal(err.replies[1], 3);
      // A queueing error aborts the whole transaction. v4 reports EXEC's EXECABORT, v5 the
      // error the bad command got when it was queued.
      await assert.rejects(client.multi().addCommand(['SET', 'only-key']).incr('m').exec(),
          v5 ? /ERR wrong number of arguments for 'set' command/ :
            /EXECABORT Transaction discarded because of previous errors/);
      assert.equal(await client.get('m'), '3');
      // WATCH on a connection of its own: a write from another connection fails EXEC.
      const watcher = client.duplicate();
      watcher.on('error', () => {});
      await watcher.connect();
      assert.equal(await watcher.watch('m'), 'OK');
      await client.set('m', 'changed');
      await assert.rejects(watcher.multi().set('m', 'mine').exec(),
          (e) => e.constructor.name === 'WatchError');
      assert.equal(await client.get('m'), 'changed');
      await watcher.disconnect();
    });

    await step('scripts-noscript-fallback', async () => {
      const calls = async () => {
        const text = await client.info('commandstats');
        return {eval: commandCalls(text, 'eval'), evalsha: commandCalls(text, 'evalsha')};
      };
      const delta = (a, b) => ({eval: b.eval - a.eval, evalsha: b.evalsha - a.evalsha});
      assert.equal(await client.scriptFlush(), 'OK');
      // node-redis always tries EVALSHA first and resends the body with EVAL on NOSCRIPT.
      const c0 = await calls();
      assert.equal(await client.addTo('sc', 4), 40);
      const c1 = await calls();
      assert.deepEqual(delta(c0, c1), {eval: 1, evalsha: 1});
      assert.equal(await client.addTo('sc', 1), 50);
      const c2 = await calls();
      // EVAL loaded the script into the cache, so the next EVALSHA finds it.
      assert.deepEqual(delta(c1, c2), {eval: 0, evalsha: 1});
      assert.equal(await client.scriptFlush(), 'OK');
      assert.equal(await client.addTo('sc', 1), 60);
      const c3 = await calls();
      assert.deepEqual(delta(c2, c3), {eval: 1, evalsha: 1});
      // Inside MULTI there is no retry: the first use of a script in the transaction goes
      // as EVAL (which caches it), later ones as EVALSHA.
      assert.equal(await client.scriptFlush(), 'OK');
      assert.deepEqual(await client.multi().addTo('sc', 1).addTo('sc', 1).exec(), [70, 80]);
      const c4 = await calls();
      assert.deepEqual(delta(c3, c4), {eval: 1, evalsha: 1});
      assert.equal(await client.eval('return ARGV[1]', {arguments: ['x']}), 'x');
      await assert.rejects(client.evalSha('0'.repeat(40)),
          /NOSCRIPT No matching script. Please use EVAL./);
      const sha = await client.scriptLoad('return 1');
      assert.deepEqual(await client.scriptExists([sha, '0'.repeat(40)]), [bool(1), bool(0)]);
    });

    let sub;
    const inbox = new Inbox();
    await step('pubsub', async () => {
      sub = client.duplicate();
      sub.on('error', () => {});
      await sub.connect();
      // v4 and v5 call listeners with (message, channel); the pattern is the subscription.
      await sub.subscribe(['news', 'sport'], (message, channel) =>
        inbox.push(['message', String(channel), String(message)]));
      await sub.pSubscribe('news.*', (message, channel) =>
        inbox.push(['pmessage', String(channel), String(message)]));
      assert.equal(await client.publish('news', 'first'), 1);
      assert.deepEqual(await inbox.next(), ['message', 'news', 'first']);
      assert.equal(await client.publish('news.tech', 'second'), 1);
      assert.deepEqual(await inbox.next(), ['pmessage', 'news.tech', 'second']);
      assert.deepEqual((await client.pubSubChannels()).sort(), ['news', 'sport']);
      assert.deepEqual(plain(await client.pubSubNumSub('news')), {news: 1});
      assert.equal(await client.pubSubNumPat(), 1);
      await sub.unsubscribe('sport');
      assert.equal(await client.publish('sport', 'nobody'), 0);
    });

    await step('restart-resubscribe', async () => {
      const readyBefore = readyEvents;
      await requestRestart();
      // A fresh server without data; both clients reconnect by themselves and the subscriber
      // re-issues SUBSCRIBE news and PSUBSCRIBE news.*.
      await eventually('subscriber to resubscribe to news',
          async () => (await client.publish('news', 'after')) === 1);
      assert.deepEqual(await inbox.next(), ['message', 'news', 'after']);
      await eventually('subscriber to resubscribe to news.*',
          async () => (await client.publish('news.x', 'after-p')) === 1);
      assert.deepEqual(await inbox.next(), ['pmessage', 'news.x', 'after-p']);
      assert.equal(await client.publish('sport', 'gone'), 0);
      assert.ok(readyEvents > readyBefore, 'main client never became ready again');
      assert.equal(await client.exists('s'), 0);
      // The script cache is empty too: the NOSCRIPT fallback runs again.
      assert.equal(await client.addTo('sc', 2), 20);
      await sub.unsubscribe('news');
      await sub.pUnsubscribe('news.*');
      assert.equal(await client.publish('news.x', 'nobody'), 0);
      await sub.disconnect();
    });

    if (resp === 3) {
      await step('resp3-shapes', async () => {
        // The decoded reply types show what the server sent: a map for HGETALL, a double for
        // ZSCORE, a set for SMEMBERS, a null for a missing key (RESP2 gives an array, a bulk
        // string, an array and a null bulk).
        const {RESP_TYPES} = lib;
        const typeMapping = {
          [RESP_TYPES.MAP]: Map, [RESP_TYPES.SET]: Set, [RESP_TYPES.DOUBLE]: String,
        };
        const raw = {sendCommand: (args) => client.sendCommand(args, {typeMapping})};
        await client.hSet('h3', {a: '1', b: '2'});
        await client.zAdd('z3', {score: 2.5, value: 'm'});
        await client.sAdd('s3', ['x']);
        const map = await raw.sendCommand(['HGETALL', 'h3']);
        assert.ok(map instanceof Map, `HGETALL gave ${map?.constructor?.name}`);
        assert.deepEqual([...map.entries()].sort(), [['a', '1'], ['b', '2']]);
        const dbl = await raw.sendCommand(['ZSCORE', 'z3', 'm']);
        assert.equal(dbl, '2.5');
        assert.equal(await client.sendCommand(['ZSCORE', 'z3', 'm']), 2.5);
        const set = await raw.sendCommand(['SMEMBERS', 's3']);
        assert.ok(set instanceof Set, `SMEMBERS gave ${set?.constructor?.name}`);
        assert.equal(await client.sendCommand(['GET', 'nope']), null);
        assert.deepEqual((await client.zRangeWithScores('z3', 0, -1)).map(plain),
            [{value: 'm', score: 2.5}]);
        // Pub/sub over RESP3 arrives as push messages on the subscriber connection.
        const sub3 = client.duplicate();
        sub3.on('error', () => {});
        await sub3.connect();
        const got = new Inbox();
        await sub3.subscribe('r3', (message) => got.push(String(message)));
        assert.equal(await client.publish('r3', 'pushed'), 1);
        assert.equal(await got.next(), 'pushed');
        await sub3.disconnect();
      });
    }

    await step('close', async () => {
      if (v5) await client.close();
      else assert.equal(await client.quit(), 'OK');
      assert.equal(client.isOpen, false);
    });
    done();
  }

  main();
}

module.exports = {runSuite};
