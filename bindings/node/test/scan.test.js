'use strict';
// Seed 002's `ocr.scan` (`new OCR(...).scan({ type, imageUrl | image })`) against the emulator: every
// kind through its endpoint as `{ kind, result }`, a missing client as a ConfigError with nothing
// sent, the photo/scan mode, and the seed's own constructor (credentials, not clients).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { wxcv, ROOT, fixture, withEmulator } = require('./helpers');

const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'scan.json'), 'utf8'));
const picture = fixture(data.picture);

async function setup(emu) {
  for (const k of data.kinds) await emu.registerOcr(k.fixture, picture, k.reply);
}

/** The first text field of each kind's result, by the kind's own names. */
function value(r) {
  switch (r.kind) {
    case 'text': return r.result.items[0].text;
    case 'idcard': return r.result.name;
    case 'bankcard': return r.result.number;
    case 'drivinglicense': return r.result.idNum;
    case 'businesscard': return r.result.BusinessCardInfos[0].Value;
    case 'passport': return r.result.PassportNo;
    default: throw new Error(`unexpected kind ${r.kind}`);
  }
}

test('every kind answers { kind, result } from its endpoint', () => withEmulator(async (emu) => {
  await setup(emu);
  const ocr = new wxcv.OCR({ wechat: emu.wechat(), tencentcloud: emu.tencentcloud() });
  assert.deepStrictEqual([...wxcv.SCAN_KINDS], data.kinds.map((k) => k.kind));
  for (const k of data.kinds) {
    const r = await ocr.scan({ type: k.kind, image: picture });
    assert.strictEqual(r.kind, k.kind);
    assert.strictEqual(value(r), k.value, k.kind);
  }
  // By URL too, and with { contentType, value } for both vendors.
  const url = await emu.blobUrl(picture);
  assert.strictEqual(value(await ocr.scan({ type: 'passport', imageUrl: url })), 'E12345678');
  assert.strictEqual(value(await ocr.scan({ type: 'idcard', imageUrl: url })), '张三');
  assert.strictEqual(value(await ocr.scan({ type: 'businesscard', image: { contentType: 'image/png', value: picture } })), '陈思远');
  // The endpoint's own errors come through: a picture with no fixture.
  await assert.rejects(ocr.scan({ type: 'passport', image: fixture('qr.png') }), (e) => e instanceof wxcv.errors.ApiError);
}));

test("the seed's constructor: new OCR({ appId, appSecret, secretId, secretKey, baseUrl })", () => withEmulator(async (emu) => {
  await setup(emu);
  const ocr = new wxcv.OCR({ appId: emu.appId, appSecret: emu.appSecret, secretId: emu.secretId, secretKey: emu.secretKey, baseUrl: emu.baseUrl });
  assert.strictEqual(value(await ocr.scan({ type: 'text', image: picture })), '腾讯云文字识别');
  assert.strictEqual(value(await ocr.scan({ type: 'businesscard', image: picture })), '陈思远');
  assert.ok(!String(ocr).includes(emu.appSecret) && !String(ocr).includes(emu.secretKey), String(ocr));
}));

test('a kind without its client is a ConfigError and nothing is sent', () => withEmulator(async (emu) => {
  await setup(emu);
  const onlyWechat = new wxcv.OCR({ appId: emu.appId, appSecret: emu.appSecret, baseUrl: emu.baseUrl });
  for (const [type, action] of [['businesscard', 'BusinessCardOCR'], ['passport', 'PassportOCR']]) {
    await assert.rejects(onlyWechat.scan({ type, image: picture }), (e) => {
      assert.ok(e instanceof wxcv.errors.ConfigError, String(e));
      assert.match(e.message, /Tencent Cloud/);
      assert.ok(e.message.includes(type) && e.message.includes(action), e.message);
      return true;
    });
  }
  await assert.rejects(new wxcv.OCR({ tencentcloud: emu.tencentcloud() }).scan({ type: 'idcard', image: picture }), (e) => e instanceof wxcv.errors.ConfigError && /WeChat/.test(e.message));
  const counters = await emu.control('GET', 'counters');
  assert.deepStrictEqual(counters.calls, {});
  assert.deepStrictEqual(counters.token_issues, {});
}));

test('a bad type, mode or picture never leaves the client', () => withEmulator(async (emu) => {
  await setup(emu);
  const ocr = new wxcv.OCR({ wechat: emu.wechat(), tencentcloud: emu.tencentcloud() });
  const field = (f) => (e) => e instanceof wxcv.errors.InvalidInputError && e.field === f;
  await assert.rejects(ocr.scan({ type: 'invoice', image: picture }), field('type'));
  await assert.rejects(ocr.scan({ type: 'passport', image: picture, mode: 'photo' }), field('mode'));
  await assert.rejects(ocr.scan({ type: 'idcard' }), field('imageUrl'));
  await assert.rejects(ocr.scan({ type: 'idcard', image: picture, imageUrl: 'https://example.com/a.jpg' }), field('imageUrl'));
  assert.deepStrictEqual((await emu.control('GET', 'counters')).calls, {});
  assert.strictEqual((await ocr.scan({ type: 'idcard', image: picture, mode: 'scan' })).kind, 'idcard');
}));
