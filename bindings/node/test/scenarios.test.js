'use strict';
// The shared scenarios (tests/scenarios.json), replayed through the Node clients against a fresh
// emulator each, with the cloud-call names and shapes: the expected replies (vendor shape) are
// compared after the cloud-call renaming (`code_results` -> `codeResults`).
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { wxcv, PKG, fixture, scenarios, withEmulator, pictureSize } = require('./helpers');
const wechatModule = require(path.join(PKG, 'lib', 'generated', 'wechat'));
const tencentModule = require(path.join(PKG, 'lib', 'generated', 'tencentcloud'));

/** The generated table entry and the JS group/method of a scenario's `call` (`img.scan_qrcode`, `tc.qrcode_ocr`). */
function locate(call) {
  const [group, id] = call.split('.');
  const tencent = group === 'tc';
  const mod = tencent ? tencentModule : wechatModule;
  const want = tencent ? `ocr.${id}` : call;
  for (const cls of Object.values(mod)) {
    if (!cls || !cls.E) continue;
    for (const [method, entry] of Object.entries(cls.E)) {
      if (entry.call === want) return { tencent, cls, method, entry };
    }
  }
  throw new Error(`no generated method calls ${want}`);
}

const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
function camelize(v) {
  if (Array.isArray(v)) return v.map(camelize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), camelize(x)]));
  return v;
}

function matches(expected, actual, present = true) {
  if (expected === '$present') return present && actual !== undefined && actual !== null;
  if (expected === '$absent') return !present || actual === undefined || actual === null;
  if (!present) return false;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false;
    const used = new Array(actual.length).fill(false);
    return expected.every((e) => {
      const i = actual.findIndex((a, j) => !used[j] && matches(e, a));
      if (i < 0) return false;
      used[i] = true;
      return true;
    });
  }
  if (expected && typeof expected === 'object') {
    return actual && typeof actual === 'object' && Object.entries(expected).every(([k, v]) => matches(v, actual[k], k in actual));
  }
  return expected === actual;
}

async function run(emu, sc) {
  for (const f of (sc.setup && sc.setup.faults) || []) await emu.control('POST', 'faults', f);
  for (const f of (sc.setup && sc.setup.ocr_fixtures) || []) await emu.registerOcr(f.endpoint, fixture(f.file), f.reply);
  const { tencent, method, entry } = locate(sc.call);
  const client = tencent ? emu.tencentcloud() : emu.wechat();
  const api = Object.values(client).find((g) => g && g.constructor && g.constructor.E && g.constructor.E[method] === entry);
  const params = {};
  const names = {};
  for (const [param, input] of entry.values) {
    names[input] = [param];
    if (input in sc.args) params[param] = sc.args[input];
  }
  for (const [input, urlParam, dataParam, base64] of entry.images) {
    names[input] = [urlParam, dataParam];
    const spec = sc.args[input];
    if (!spec) continue;
    if (spec.url) params[urlParam] = spec.url;
    else if (spec.blob) params[urlParam] = emu.blobUrl(fixture(spec.blob));
    else {
      const data = spec.file ? fixture(spec.file) : Buffer.from(spec.text);
      params[dataParam] = base64 ? data.toString('base64') : { contentType: 'image/png', value: data };
    }
  }
  let got;
  let err;
  try {
    got = await api[method](params);
  } catch (e) {
    err = e;
  }
  return { tencent, got, err, names };
}

for (const sc of scenarios()) {
  test(sc.name, () =>
    withEmulator(async (emu) => {
      const { tencent, got, err, names } = await run(emu, sc);
      const expect = sc.expect;
      if (expect.error) {
        assert.ok(err, `expected ${JSON.stringify(expect.error)}, got ${JSON.stringify(got)}`);
        assert.ok(err instanceof wxcv.WxcvError, String(err));
        if (expect.error.kind === 'api') {
          assert.ok(err instanceof wxcv.ApiError, String(err));
          assert.strictEqual(err.code, expect.error.code);
          if (!tencent) {
            assert.strictEqual(err.errCode, Number(expect.error.code));
            assert.match(err.errMsg, /^openapi\.[A-Za-z]+\.[A-Za-z]+:fail /);
          }
        } else {
          assert.ok(err instanceof wxcv.InvalidInputError, String(err));
          assert.ok(names[expect.error.field].includes(err.field), `${err.field} is not a name of ${expect.error.field}`);
        }
        return;
      }
      assert.ifError(err);
      if (expect.image) {
        const size = pictureSize(got.buffer);
        assert.ok(matches(expect.image, { content_type: got.contentType, ...size }), `${got.contentType} ${JSON.stringify(size)}`);
      } else {
        const want = tencent ? expect.result : camelize(expect.result);
        assert.ok(matches(want, got), `expected ${JSON.stringify(want)}\ngot ${JSON.stringify(got)}`);
      }
      if (!tencent) {
        assert.strictEqual(got.errCode, 0);
        assert.match(got.errMsg, /^openapi\.[A-Za-z]+\.[A-Za-z]+:ok$/);
      }
    }),
  );
}

test('every scenario has a Node method', () => {
  assert.ok(scenarios().length >= 20);
  for (const sc of scenarios()) locate(sc.call);
});
