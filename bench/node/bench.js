// The Node side of `cargo xtask bench`: our addon against tencentcloud-sdk-nodejs (QrcodeOCR) and a
// fetch + FormData call of scanQRCode. Run by xtask with NODE_PATH at its scratch install; prints one
// JSON object on stdout.
//
//   node bench.js rps --base URL --image P --calls N --rounds R
//   node bench.js cold --base URL --calls 1000
//   node bench.js memory --base URL --image P --calls 1000 --side SIDE
//   node bench.js paced --base URL --image P --calls 150 --delay-ms D  (the emulator answers D ms late)
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');

const args = (() => {
  const [scenario, ...rest] = process.argv.slice(2);
  const a = { scenario, calls: 1000, rounds: 3, inflight: [1, 64] };
  for (let i = 0; i < rest.length; i += 2) {
    const k = rest[i].replace(/^--/, '');
    a[k] = k === 'inflight' ? rest[i + 1].split(',').map(Number) : ['calls', 'rounds'].includes(k) ? Number(rest[i + 1]) : rest[i + 1];
  }
  return a;
})();
const wxcv = require(process.env.WXCV_NODE || path.join(__dirname, '../../bindings/node'));

async function control(base, p, body) {
  const r = await fetch(`${base}/__emulator/${p}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
  return r.json();
}

async function newApp(base, name) {
  const appId = `wxbench${name}${crypto.randomBytes(6).toString('hex')}`;
  const appSecret = `bench-secret-${appId}`;
  await control(base, 'apps', { appid: appId, secret: appSecret });
  return { appId, appSecret };
}

async function tokenRequests(base, appId) {
  const c = await (await fetch(`${base}/__emulator/counters`)).json();
  return c.token_issues[appId] || 0;
}

/** tencentcloud-sdk-nodejs against the emulator: it signs for the host it is given and takes the
 * service name from that host's first label, so it keeps `ocr.tencentcloudapi.com` and a
 * keep-alive agent connects every request to the emulator's port. */
function tencentClient(base) {
  const { ocr } = require('tencentcloud-sdk-nodejs-ocr');
  const port = Number(new URL(base).port);
  class Loopback extends http.Agent {
    createConnection(options, cb) {
      return net.createConnection({ host: '127.0.0.1', port }, cb);
    }
  }
  return new ocr.v20181119.Client({
    credential: { secretId: process.env.TENCENTCLOUD_SECRET_ID, secretKey: process.env.TENCENTCLOUD_SECRET_KEY },
    region: 'ap-guangzhou',
    profile: { httpProfile: { protocol: 'http://', endpoint: 'ocr.tencentcloudapi.com', agent: new Loopback({ keepAlive: true, maxSockets: 256 }) } },
  });
}

/** What a cloud function writes without a library: a token fetched once, then fetch + FormData. */
async function fetchClient(base, app) {
  const t = await (await fetch(`${base}/cgi-bin/token?grant_type=client_credential&appid=${app.appId}&secret=${app.appSecret}`)).json();
  const url = `${base}/cv/img/qrcode?access_token=${t.access_token}`;
  return async (picture) => {
    const form = new FormData();
    form.append('img', new Blob([picture], { type: 'image/jpeg' }), 'picture.jpg');
    const r = await (await fetch(url, { method: 'POST', body: form })).json();
    if (r.errcode) throw new Error(`${r.errcode} ${r.errmsg}`);
    return r.code_results;
  };
}

async function batch(call, calls, inflight) {
  let left = calls;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (left > 0) {
      left -= 1;
      const codes = await call();
      if (!codes || codes.length === 0) throw new Error('a reply with no code');
    }
  }));
  return calls / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };

async function rps() {
  const { base } = args;
  const picture = fs.readFileSync(args.image);
  const b64 = picture.toString('base64');
  const app = await newApp(base, 'node');
  const wx = new wxcv.WeChat({ ...app, baseUrl: base });
  const tc = new wxcv.TencentCloud({ secretId: process.env.TENCENTCLOUD_SECRET_ID, secretKey: process.env.TENCENTCLOUD_SECRET_KEY, region: 'ap-guangzhou', baseUrl: base });
  const sdk = tencentClient(base);
  const raw = await fetchClient(base, app);
  const sides = [
    ['QrcodeOCR', 'wxcv', async () => (await tc.ocr.QrcodeOCR({ ImageBase64: b64 })).CodeResults],
    ['QrcodeOCR', 'wxcv (bytes)', async () => (await tc.ocr.QrcodeOCR({ ImageBase64: picture })).CodeResults],
    ['QrcodeOCR', 'tencentcloud-sdk-nodejs', async () => (await sdk.QrcodeOCR({ ImageBase64: b64 })).CodeResults],
    ['scanQRCode', 'wxcv', async () => (await wx.img.scanQRCode({ img: { contentType: 'image/jpeg', value: picture } })).codeResults],
    ['scanQRCode', 'fetch + FormData', () => raw(picture)],
  ];
  const results = [];
  for (const inflight of args.inflight) {
    const calls = inflight === 1 ? args.calls : args.calls * 2;
    const samples = new Map(sides.map(([c, s]) => [`${c}|${s}`, []]));
    for (const [, , call] of sides) await batch(call, 50, inflight);
    for (let round = 0; round < args.rounds; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const [c, s, call] of order) samples.get(`${c}|${s}`).push(await batch(call, calls, inflight));
    }
    for (const [key, xs] of samples) {
      const [comparison, side] = key.split('|');
      results.push({ comparison, side, inflight, calls_per_batch: calls, rps: median(xs), rps_samples: xs.map(Math.round) });
    }
  }
  return { scenario: 'node_rps', bytes: picture.length, results };
}

async function cold() {
  const { base } = args;
  const picture = fs.readFileSync(args.image);
  const app = await newApp(base, 'coldnode');
  const wx = new wxcv.WeChat({ ...app, baseUrl: base });
  const start = process.hrtime.bigint();
  const rs = await Promise.allSettled(Array.from({ length: args.calls }, () => wx.img.scanQRCode({ img: { value: picture } })));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const failed = rs.filter((r) => r.status === 'rejected');
  return { scenario: 'cold_token', language: 'node', results: [{ side: 'wxcv (1,000 promises)', calls: args.calls, failed: failed.length, token_requests: await tokenRequests(base, app.appId), seconds }] };
}

async function memory() {
  const { base, side } = args;
  const picture = fs.readFileSync(args.image);
  let call;
  if (side === 'wxcv') {
    const wx = new wxcv.WeChat({ ...(await newApp(base, 'mem')), baseUrl: base });
    call = () => wx.img.scanQRCode({ img: { contentType: 'image/jpeg', value: picture } });
  } else if (side === 'tencentcloud-sdk-nodejs') {
    const sdk = tencentClient(base);
    call = () => sdk.QrcodeOCR({ ImageBase64: picture.toString('base64') });
  } else if (side === 'fetch + FormData') {
    const raw = await fetchClient(base, await newApp(base, 'mem'));
    call = () => raw(picture);
  } else {
    throw new Error(`unknown side ${side}`);
  }
  const before = process.resourceUsage().maxRSS;
  const start = process.hrtime.bigint();
  for (let i = 0; i < args.calls; i++) await call();
  return { scenario: 'memory', side: `node ${side}`, calls: args.calls, rss_before_kib: before, peak_rss_kib: process.resourceUsage().maxRSS, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** QrcodeOCR against an emulator that takes `delay-ms` a call (xtask arms the delay): CPU time and
 * context switches of this whole process per call (getrusage: every thread, the addon's too), each
 * side at 1 and at 64 in flight. */
async function paced() {
  const { base } = args;
  const b64 = fs.readFileSync(args.image).toString('base64');
  const tc = new wxcv.TencentCloud({ secretId: process.env.TENCENTCLOUD_SECRET_ID, secretKey: process.env.TENCENTCLOUD_SECRET_KEY, region: 'ap-guangzhou', baseUrl: base });
  const sdk = tencentClient(base);
  const sides = [
    ['wxcv', async () => (await tc.ocr.QrcodeOCR({ ImageBase64: b64 })).CodeResults],
    ['tencentcloud-sdk-nodejs', async () => (await sdk.QrcodeOCR({ ImageBase64: b64 })).CodeResults],
  ];
  const usage = () => {
    const u = process.resourceUsage();
    return { cpu: u.userCPUTime + u.systemCPUTime, ctx: u.voluntaryContextSwitches + u.involuntaryContextSwitches };
  };
  const results = [];
  await control(base, 'faults', { endpoint: 'QrcodeOCR', times: 1000000, delay_ms: Number(args['delay-ms'] || 0) });
  try {
    await pacedSides(sides, usage, results);
  } finally {
    await fetch(`${base}/__emulator/faults`, { method: 'DELETE' });
  }
  return { scenario: 'paced', language: 'node', delay_ms: Number(args['delay-ms'] || 0), results };
}

async function pacedSides(sides, usage, results) {
  for (const inflight of args.inflight) {
    const calls = inflight === 1 ? args.calls : inflight * 8;
    for (const [side, call] of sides) {
      await batch(call, Math.max(inflight, 10), inflight);
      const before = usage();
      const start = process.hrtime.bigint();
      await batch(call, calls, inflight);
      const wall = Number(process.hrtime.bigint() - start) / 1e6;
      const after = usage();
      results.push({ side, inflight, calls, cpu_us_per_call: (after.cpu - before.cpu) / calls, switches_per_call: (after.ctx - before.ctx) / calls, ms_per_call: (wall / calls) * inflight });
    }
  }
}

({ rps, cold, memory, paced })[args.scenario]().then(
  (out) => { process.stdout.write(JSON.stringify(out) + '\n'); process.exit(0); },
  (e) => { process.stderr.write(`bench.js: ${e && e.stack ? e.stack : e}\n`); process.exit(1); },
);
