// tencentcloud-sdk-nodejs (its -ocr package, pinned in bench/node/package-lock.json), unmodified,
// against the emulator started as its own process (`wxcv emulator`: WXCV_BIN, else target/debug/wxcv).
// The SDK reaches it through an http.Agent in its httpProfile, with the endpoint
// `ocr.tencentcloudapi.com:PORT`: the SDK takes the signing service from the endpoint's first label,
// sends `Host: ocr.tencentcloudapi.com:PORT` and signs the host without the port.
// Modules from OFFICIAL_SDKS_NODE_MODULES (cargo xtask test: target/official-sdks/node/node_modules).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.join(__dirname, '..', '..');
const MODULES = process.env.OFFICIAL_SDKS_NODE_MODULES || path.join(ROOT, 'target/official-sdks/node/node_modules');
const { ocr } = require(path.join(MODULES, 'tencentcloud-sdk-nodejs-ocr'));
const fixture = (name) => fs.readFileSync(path.join(ROOT, 'tests/fixtures', name));
const b64 = (name) => fixture(name).toString('base64');

let proc;
let base;
let port;

before(async () => {
  const bin = process.env.WXCV_BIN || path.join(ROOT, 'target/debug/wxcv');
  proc = spawn(bin, ['emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout });
    rl.once('line', (l) => { rl.close(); resolve(l); });
    proc.once('exit', (code) => reject(new Error(`${bin} emulator exited (${code}) before printing its address`)));
  });
  base = JSON.parse(line).base_url;
  port = Number(new URL(base).port);
});

after(() => { if (proc) proc.kill(); });

async function control(what, body) {
  const r = await fetch(`${base}/__emulator/${what}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 200, await r.clone().text());
  return r.json();
}

let keys = 0;
async function newKey() {
  keys += 1;
  const key = { secretId: `AKIDnode${keys}x${process.pid}`, secretKey: `node-sdk-key-${keys}-${process.pid}` };
  await control('keys', { secret_id: key.secretId, secret_key: key.secretKey });
  return key;
}

/** Every connection goes to the emulator's loopback port, whatever host the URL names. */
class Loopback extends http.Agent {
  createConnection(options, cb) {
    return net.createConnection({ host: '127.0.0.1', port }, cb);
  }
}

function client(credential, { region = 'ap-guangzhou', reqMethod = 'POST' } = {}) {
  return new ocr.v20181119.Client({
    credential,
    region,
    profile: { httpProfile: { protocol: 'http://', endpoint: `ocr.tencentcloudapi.com:${port}`, reqMethod, agent: new Loopback() } },
  });
}

async function sdkError(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e.requestId, `the error carries a RequestId: ${e}`);
    return e;
  }
  assert.fail('the call succeeded');
}

for (const reqMethod of ['POST', 'GET']) {
  test(`QrcodeOCR decodes by ${reqMethod}`, async () => {
    const r = await client(await newKey(), { reqMethod }).QrcodeOCR({ ImageBase64: b64('qr.png') });
    assert.deepEqual(r.CodeResults.map((c) => c.TypeName), ['QR_CODE']);
    assert.ok(r.CodeResults[0].Url);
    assert.ok(r.CodeResults[0].Position.RightBottom.Y > r.CodeResults[0].Position.LeftTop.Y);
    assert.ok(r.ImgSize.Wide > 0 && r.RequestId);
  });

  test(`QrcodeOCR errors by ${reqMethod}`, async () => {
    const tc = client(await newKey(), { reqMethod });
    const cases = [
      [{ ImageBase64: b64('not-an-image.jpg') }, 'FailedOperation.ImageDecodeFailed'],
      [{ ImageBase64: b64('blank.png') }, 'FailedOperation.ImageNoText'],
      [{ ImageUrl: `${base}/__emulator/blobs/${'0'.repeat(64)}` }, 'FailedOperation.DownLoadError'],
      [{}, 'FailedOperation.EmptyImageError'],
    ];
    for (const [req, code] of cases) {
      assert.equal((await sdkError(tc.QrcodeOCR(req))).code, code, JSON.stringify(req).slice(0, 60));
    }
  });
}

test('QrcodeOCR without a region reads every code of the seed picture by URL', async () => {
  const put = await fetch(`${base}/__emulator/blobs`, { method: 'POST', body: fixture('seed-four-codes.jpg') });
  const { url } = await put.json();
  const r = await client(await newKey(), { region: undefined }).QrcodeOCR({ ImageUrl: url });
  assert.deepEqual(r.CodeResults.map((c) => c.TypeName).sort(), ['CODE-128', 'EAN-13', 'QR_CODE', 'QR_CODE']);
});

test('signature, region and service-side errors', async () => {
  const key = await newKey();
  assert.equal((await sdkError(client({ ...key, secretKey: 'wrong' }).QrcodeOCR({ ImageBase64: b64('qr.png') }))).code, 'AuthFailure.SignatureFailure');
  assert.equal((await sdkError(client({ secretId: 'AKIDnobody', secretKey: 'x' }).QrcodeOCR({ ImageBase64: b64('qr.png') }))).code, 'AuthFailure.SecretIdNotFound');
  assert.equal((await sdkError(client(key, { region: 'eu-frankfurt' }).QrcodeOCR({ ImageBase64: b64('qr.png') }))).code, 'UnsupportedRegion');
  for (const code of ['RequestLimitExceeded', 'InternalError', 'ResourceUnavailable.InArrears']) {
    await control('faults', { endpoint: 'QrcodeOCR', times: 1, errcode: code });
    assert.equal((await sdkError(client(key).QrcodeOCR({ ImageBase64: b64('qr.png') }))).code, code);
  }
});

test('BusinessCardOCR answers the registered fixture', async () => {
  const scan = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/scan.json'), 'utf8'));
  const kind = scan.kinds.find((k) => k.fixture === 'BusinessCardOCR');
  await control('fixtures/ocr', { endpoint: 'BusinessCardOCR', image_base64: b64(scan.picture), reply: kind.reply });
  for (const reqMethod of ['POST', 'GET']) {
    const tc = client(await newKey(), { reqMethod });
    const r = await tc.BusinessCardOCR({ ImageBase64: b64(scan.picture), Config: JSON.stringify({ RetImageType: 'PROPROCESS' }) });
    assert.equal(r.BusinessCardInfos[0].Value, kind.value);
    assert.deepEqual(r.BusinessCardInfos[0].ItemCoord, kind.reply.BusinessCardInfos[0].ItemCoord);
    assert.equal((await sdkError(tc.BusinessCardOCR({ ImageBase64: b64('qr.png') }))).code, 'FailedOperation.ImageNoBusinessCard');
  }
});
