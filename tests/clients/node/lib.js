'use strict';
// Shared by the client programs that tests/integration/test_node_clients.py runs as
// `node <program> <port>`.
//
// Protocol with the pytest side, one line per event on stdout:
//   ok <step>            a step passed (pytest checks that every expected step printed this)
//   FAIL <step>: <why>   a step failed; the program then exits 1
//   RESTART              the program wants the server restarted on the same port; it blocks
//                        until pytest writes "GO" on stdin, sent once the new server answers
//   DONE                 everything passed; the program exits 0
// The program never decides how the server is stopped or started: pytest owns the processes.

const assert = require('node:assert/strict');
const readline = require('node:readline');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.log('FAIL args: usage: node <program> <port>');
  process.exit(2);
}

let current = 'start';

// Runs one named step; an exception inside it is reported with the step's name and ends the
// program, so a hang later can never hide which step broke.
async function step(name, fn, timeoutMs = 20000) {
  current = name;
  try {
    await withTimeout(fn(), timeoutMs, `step ${name}`);
  } catch (err) {
    fail(name, err);
  }
  console.log(`ok ${name}`);
}

function fail(name, err) {
  const why = err && err.stack ? err.stack : String(err);
  console.log(`FAIL ${name}: ${why.replace(/\n/g, ' | ')}`);
  process.exit(1);
}

process.on('unhandledRejection', (err) => fail(`${current} (unhandled)`, err));
process.on('uncaughtException', (err) => fail(`${current} (uncaught)`, err));

const stdinLines = [];
const stdinWaiters = [];
readline.createInterface({input: process.stdin}).on('line', (line) => {
  const waiter = stdinWaiters.shift();
  if (waiter) waiter(line.trim());
  else stdinLines.push(line.trim());
});

function nextStdinLine() {
  if (stdinLines.length) return Promise.resolve(stdinLines.shift());
  return new Promise((resolve) => stdinWaiters.push(resolve));
}

// Asks pytest to restart the server on the same port and resolves once it says the new
// server is up.
async function requestRestart() {
  console.log('RESTART');
  const line = await nextStdinLine();
  assert.equal(line, 'GO', `expected GO on stdin, got ${JSON.stringify(line)}`);
}

// Polls `probe` (async, returns truthy when done) every `everyMs` until it succeeds or
// `timeoutMs` passes; used to wait for a client's own reconnect and resubscribe.
async function eventually(what, probe, timeoutMs = 10000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await withTimeout(probe(), Math.max(deadline - Date.now(), 1), what)) return;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: last error ${last.message}` : ''}`);
}

// Rejects if `promise` has not settled within `ms`: a client that queues commands while it is
// disconnected would otherwise wait forever.
function withTimeout(promise, ms, what) {
  let timer;
  const expiry = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no reply within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// A queue of messages delivered to a subscription callback, awaited one at a time.
class Inbox {
  constructor() {
    this.items = [];
    this.waiters = [];
  }
  push(item) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  next(timeoutMs = 5000) {
    if (this.items.length) return Promise.resolve(this.items.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(deliver);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error('no message within ' + timeoutMs + ' ms'));
      }, timeoutMs);
      const deliver = (item) => {
        clearTimeout(timer);
        resolve(item);
      };
      this.waiters.push(deliver);
    });
  }
}

// INFO text -> {field: value}, the same way ioredis' ready check parses it.
function parseInfo(text) {
  const out = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

// `cmdstat_<name>:calls=N,...` -> N (0 when the command never ran).
function commandCalls(infoText, name) {
  const m = new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(infoText);
  return m ? Number(m[1]) : 0;
}

// Redis 7.2 added CLIENT SETINFO, which ioredis and node-redis send on connect (ignoring the
// error 7.0 answers); a server that reports 7.2 or later must show what they set.
function hasClientSetinfo(redisVersion) {
  const [major, minor] = redisVersion.split('.').map(Number);
  return major > 7 || (major === 7 && minor >= 2);
}

function done() {
  console.log('DONE');
  process.exit(0);
}

module.exports = {
  assert,
  commandCalls,
  done,
  eventually,
  hasClientSetinfo,
  Inbox,
  parseInfo,
  port,
  requestRestart,
  sleep,
  step,
  withTimeout,
};
