'use strict';
// node-redis v5's client-side cache, which it offers only over RESP3: the client opens its
// connection with HELLO 3 and CLIENT TRACKING ON, keeps read replies locally, and drops them
// when the server pushes `invalidate` for a key another connection changed (or a null key
// after FLUSHALL). Output protocol: see lib.js; this program never asks for a restart.

const {BasicClientSideCache, createClient} = require('redis5');
const {assert, done, eventually, port, step, withTimeout} = require('./lib');

async function main() {
  const socket = {host: '127.0.0.1', port};
  const cache = new BasicClientSideCache({ttl: 0, maxEntries: 0});
  const client = createClient({socket, RESP: 3, clientSideCache: cache});
  const writer = createClient({socket});
  let lastError = null;
  client.on('error', (err) => { lastError = err; });
  writer.on('error', () => {});

  await step('connect-tracking', async () => {
    await writer.connect();
    // A server that refuses CLIENT TRACKING leaves connect() retrying the handshake forever;
    // report the error the client saw instead.
    await withTimeout(client.connect(), 3000, 'connect').catch((err) => {
      throw new Error(`${err.message}; the client's last error: ${lastError?.message}`);
    });
    assert.equal(await client.ping(), 'PONG');
    const me = await client.clientInfo();
    assert.equal(me.resp, 3);
    assert.match(me.flags, /t/, `CLIENT INFO flags ${me.flags} lack t (tracking)`);
    assert.equal(await writer.flushAll(), 'OK');
  });

  await step('cached-reads', async () => {
    await writer.set('k', 'v1');
    await writer.hSet('h', {a: '1'});
    assert.equal(await client.get('k'), 'v1');
    assert.equal(await client.get('k'), 'v1');
    assert.deepEqual({...await client.hGetAll('h')}, {a: '1'});
    assert.deepEqual({...await client.hGetAll('h')}, {a: '1'});
    const stats = cache.stats();
    assert.equal(stats.missCount, 2);
    assert.equal(stats.hitCount, 2);
  });

  await step('invalidation', async () => {
    await writer.set('k', 'v2');
    await eventually('the cached GET k to be invalidated',
        async () => (await client.get('k')) === 'v2', 5000, 20);
    await writer.hSet('h', 'b', '2');
    await eventually('the cached HGETALL h to be invalidated',
        async () => Object.keys(await client.hGetAll('h')).length === 2, 5000, 20);
    // An expiring key is invalidated when it goes away too.
    await writer.set('e', 'x', {PX: 50});
    assert.equal(await client.get('e'), 'x');
    await eventually('the expired key to leave the cache',
        async () => (await client.get('e')) === null, 5000, 20);
  });

  await step('flush-invalidates-all', async () => {
    assert.equal(await client.get('k'), 'v2');
    assert.equal(await writer.flushAll(), 'OK');
    await eventually('FLUSHALL to empty the cache',
        async () => (await client.get('k')) === null, 5000, 20);
  });

  await step('close', async () => {
    await client.close();
    await writer.close();
  });
  done();
}

main();
