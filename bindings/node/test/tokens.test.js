'use strict';
// Access tokens shared through Redis (a real redis-server per test on a free loopback port, with a
// password that must never be printed): 4 processes x 100 concurrent calls on a cold store make one
// token request; Redis going away is a clear error, or a fallback when configured.
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const path = require('node:path');
const { spawn, execFile } = require('node:child_process');
const { wxcv, fixture, withEmulator } = require('./helpers');

const PASSWORD = 'REDIS-PASSWORD-never-printed';
const img = () => ({ contentType: 'image/png', value: fixture('qr.png') });

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', PASSWORD, '--loglevel', 'warning'], { stdio: 'ignore' });
  const deadline = Date.now() + 10000;
  for (;;) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  const stopped = new Promise((resolve) => proc.on('exit', resolve));
  return { port, url: `redis://:${PASSWORD}@127.0.0.1:${port}/0`, stop: () => { proc.kill('SIGKILL'); return stopped; } };
}

function worker(env) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(__dirname, 'fixtures', 'token-worker.js')], { env: { ...process.env, ...env }, timeout: 60000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      assert.ok(!stdout.includes(PASSWORD) && !stderr.includes(PASSWORD));
      resolve(JSON.parse(stdout.trim()));
    });
  });
}

test('4 processes x 100 concurrent calls on a cold store make one token request', () =>
  withEmulator(async (emu) => {
    const redis = await startRedis();
    try {
      const env = { WXCV_APPID: emu.appId, WXCV_APPSECRET: emu.appSecret, WXCV_BASE_URL: emu.baseUrl, WXCV_REDIS_URL: redis.url, WXCV_CALLS: '100', WXCV_START_AT: String(Date.now() + 1500) };
      const results = await Promise.all([1, 2, 3, 4].map(() => worker(env)));
      assert.deepStrictEqual(results.map((r) => [r.ok, r.failed]), [[100, 0], [100, 0], [100, 0], [100, 0]], JSON.stringify(results));
      assert.strictEqual(emu.tokenIssues(), 1);
    } finally {
      await redis.stop();
    }
  }));

test('Redis going away: a token_store TransportError, or a fallback when configured', () =>
  withEmulator(async (emu) => {
    const redis = await startRedis();
    const strict = emu.wechat({ redisUrl: redis.url, redisPrefix: 'away:' });
    const lenient = emu.wechat({ redisUrl: redis.url, redisPrefix: 'away:', redisFallback: true });
    await strict.img.scanQRCode({ img: img() });
    await lenient.img.scanQRCode({ img: img() });
    assert.strictEqual(emu.tokenIssues(), 1);
    assert.ok(String(strict).includes('redis://') && !String(strict).includes(PASSWORD));
    await redis.stop();
    await emu.control('POST', 'tokens/revoke', { appid: emu.appId });
    const started = Date.now();
    await assert.rejects(strict.img.scanQRCode({ img: img() }), (e) => {
      assert.ok(e instanceof wxcv.TransportError, String(e));
      assert.strictEqual(e.transportKind, 'token_store');
      assert.ok(e.message.includes(`127.0.0.1:${redis.port}`) && !e.message.includes(PASSWORD), e.message);
      return true;
    });
    const r = await lenient.img.scanQRCode({ img: img() });
    assert.strictEqual(r.errCode, 0);
    assert.ok(Date.now() - started < 10000);
    assert.strictEqual(emu.tokenIssues(), 2);
  }));

test('getAccessToken answers the shared token; stable forceRefresh fetches one new token', () =>
  withEmulator(async (emu) => {
    const redis = await startRedis();
    try {
      const a = emu.wechat({ redisUrl: redis.url, redisPrefix: 'ep:' });
      const b = emu.wechat({ redisUrl: redis.url, redisPrefix: 'ep:' });
      const first = await a.auth.getAccessToken({ appid: emu.appId, secret: emu.appSecret });
      assert.ok(first.expiresIn >= 7000 && first.expiresIn <= 7200, JSON.stringify(first.expiresIn));
      const second = await b.auth.getAccessToken({ appid: emu.appId, secret: emu.appSecret });
      assert.strictEqual(second.accessToken, first.accessToken);
      await b.img.scanQRCode({ img: img() });
      assert.strictEqual(emu.tokenIssues(), 1);
      const s1 = await a.auth.getStableAccessToken({ appid: emu.appId, secret: emu.appSecret });
      const s2 = await b.auth.getStableAccessToken({ appid: emu.appId, secret: emu.appSecret, forceRefresh: true });
      assert.notStrictEqual(s2.accessToken, s1.accessToken);
      assert.strictEqual((await a.auth.getStableAccessToken({ appid: emu.appId, secret: emu.appSecret })).accessToken, s2.accessToken);
      // A wrong Redis password is a ConfigError that does not print it.
      const wrong = emu.wechat({ redisUrl: `redis://:wrong-password-never-printed@127.0.0.1:${redis.port}/0` });
      await assert.rejects(wrong.img.scanQRCode({ img: img() }), (e) => {
        assert.ok(e instanceof wxcv.ConfigError, String(e));
        assert.ok(e.message.includes('password') && !e.message.includes('wrong-password-never-printed'), e.message);
        return true;
      });
    } finally {
      await redis.stop();
    }
  }));

test('getAccessToken without a store answers the client cache', () =>
  withEmulator(async (emu) => {
    const wx = emu.wechat();
    await wx.img.scanQRCode({ img: img() });
    const t1 = await wx.auth.getAccessToken({ appid: emu.appId, secret: emu.appSecret });
    const t2 = await wx.auth.getAccessToken({ appid: emu.appId, secret: emu.appSecret });
    assert.strictEqual(t1.accessToken, t2.accessToken);
    assert.strictEqual(emu.tokenIssues(), 1);
  }));

test('bad Redis settings are ConfigErrors', () =>
  withEmulator(async (emu) => {
    for (const [options, needle] of [
      [{ redisUrl: 'rediss://h:6380' }, 'TLS is not supported'],
      [{ redisPrefix: 'x:' }, 'needs redis_url / redisUrl'],
      [{ redisFallback: true }, 'needs redis_url / redisUrl'],
    ]) {
      assert.throws(() => emu.wechat(options), (e) => e instanceof wxcv.ConfigError && e.message.includes(needle), JSON.stringify(options));
    }
  }));
