'use strict';
// Vendor failures as Error subclasses with the Python package's fields (and the cloud-call ones);
// secrets never shown; many calls in flight on one client.
const test = require('node:test');
const assert = require('node:assert');
const util = require('node:util');
const { wxcv, fixture, withEmulator } = require('./helpers');

const img = (name = 'qr.png') => ({ contentType: 'image/png', value: fixture(name) });

test('API error fields', () =>
  withEmulator(async (emu) => {
    const wx = emu.wechat();
    await assert.rejects(wx.ocr.bankcard({ img: img() }), (e) => {
      assert.ok(e instanceof wxcv.CertificateNotFoundError && e instanceof wxcv.NotFoundError && e instanceof wxcv.ApiError);
      assert.strictEqual(e.name, 'CertificateNotFoundError');
      assert.deepStrictEqual([e.vendor, e.endpoint, e.code, e.errcode, e.errCode, e.category], ['wechat', 'ocr.bankcard', '101001', 101001, 101001, 'not_found']);
      assert.strictEqual(e.meaning, 'No certificate or card was found in the picture');
      assert.ok(e.meaningZh && e.vendorMessage && e.requestId && e.message.includes(e.requestId));
      assert.ok(e.errMsg.startsWith('openapi.ocr.bankcard:fail '));
      assert.deepStrictEqual(wxcv.CertificateNotFoundError.CODES, [['wechat', '101001'], ['tencentcloud', 'FailedOperation.ImageNoBusinessCard']]);
      return true;
    });
    const tc = emu.tencentcloud();
    await assert.rejects(tc.ocr.QrcodeOCR({ ImageBase64: fixture('blank.png').toString('base64') }), (e) => {
      assert.ok(e instanceof wxcv.NothingFoundError);
      assert.deepStrictEqual([e.vendor, e.endpoint, e.code, e.errcode], ['tencentcloud', 'QrcodeOCR', 'FailedOperation.ImageNoText', null]);
      assert.strictEqual(e.requestId.length, 36);
      assert.strictEqual(e.errMsg, undefined);
      return true;
    });
  }));

const FAULTS = [
  [{ errcode: 45009 }, 'RateLimitError'],
  [{ errcode: -1, times: 3 }, 'ServiceError'],
  [{ errcode: 101003 }, 'ServiceQuotaExhaustedError'],
  [{ errcode: 40164 }, 'IpNotWhitelistedError'],
  [{ errcode: 42001, times: 2 }, 'TokenError'],
  [{ errcode: 99999 }, 'ApiError'],
  [{ http_status: 502, times: 3 }, 'TransportError'],
  [{ non_json: true }, 'DecodeError'],
];

for (const [fault, cls] of FAULTS) {
  test(`${JSON.stringify(fault)} -> ${cls}`, () =>
    withEmulator(async (emu) => {
      const wx = emu.wechat();
      await wx.img.scanQRCode({ img: img() });
      await emu.injectFault('img.scan_qrcode', fault);
      await assert.rejects(wx.img.scanQRCode({ img: img() }), (e) => {
        assert.strictEqual(e.constructor.name, cls, String(e));
        assert.ok(e instanceof wxcv[cls]);
        return true;
      });
    }));
}

test('timeouts and a stopped server', () =>
  withEmulator(async (emu) => {
    const wx = emu.wechat({ timeout: 0.5 });
    await wx.img.scanQRCode({ img: img() });
    await emu.injectFault('img.scan_qrcode', { delay_ms: 3000, times: 3 });
    await assert.rejects(wx.img.scanQRCode({ img: img() }), (e) => e instanceof wxcv.TransportTimeoutError && e.transportKind === 'timeout');
    emu.close();
    await assert.rejects(wx.img.scanQRCode({ img: img() }), (e) => e instanceof wxcv.TransportError && e.transportKind === 'connect');
  }));

test('a timeout per call with withOptions', () =>
  withEmulator(async (emu) => {
    const wx = emu.wechat({ timeout: 10 });
    const quick = wx.withOptions({ timeout: 0.2 });
    assert.ok(quick instanceof wxcv.WeChat && quick.img !== wx.img);
    await wx.img.scanQRCode({ img: img() });
    await emu.injectFault('img.scan_qrcode', { delay_ms: 1500, times: 3 });
    const started = Date.now();
    await assert.rejects(quick.img.scanQRCode({ img: img() }), (e) => e instanceof wxcv.TransportTimeoutError);
    assert.ok(Date.now() - started < 1400);
    await emu.injectFault('img.scan_qrcode', { delay_ms: 500, times: 1 });
    await wx.img.scanQRCode({ img: img() });
    assert.strictEqual(emu.tokenIssues(), 1);
    const tc = emu.tencentcloud().withOptions({ timeout: 0.2 });
    await emu.injectFault('QrcodeOCR', { delay_ms: 1500, times: 3 });
    await assert.rejects(tc.ocr.QrcodeOCR({ ImageBase64: fixture('qr.png').toString('base64') }), wxcv.TransportTimeoutError);
    for (const bad of [{ timeout: 0 }, { timeout: -1 }, { timeout: 'soon' }, { timeot: 1 }, null]) {
      assert.throws(() => wx.withOptions(bad), wxcv.ConfigError, JSON.stringify(bad));
    }
  }));

test('one class for the same failure from either vendor', () =>
  withEmulator(async (emu) => {
    await assert.rejects(emu.wechat().img.scanQRCode({ imgUrl: 'http://127.0.0.1:9/missing.jpg' }), wxcv.ImageDownloadFailedError);
    await emu.injectFault('QrcodeOCR', { errcode: 'FailedOperation.DownLoadError' });
    await assert.rejects(emu.tencentcloud().ocr.QrcodeOCR({ ImageUrl: 'http://127.0.0.1:9/x.png' }), wxcv.ImageDownloadFailedError);
  }));

test('secrets are never shown', () =>
  withEmulator(async (emu) => {
    const seen = [];
    const secret = 'this-app-secret-must-not-leak';
    const bad = new wxcv.WeChat({ appId: emu.appId, appSecret: secret, baseUrl: emu.baseUrl });
    await assert.rejects(bad.img.scanQRCode({ img: img() }), (e) => {
      assert.ok(e instanceof wxcv.InvalidAppSecretError);
      seen.push(e.message, e.errMsg, util.inspect(e), JSON.stringify(e), e.stack);
      return true;
    });
    seen.push(String(bad), util.inspect(bad), JSON.stringify(bad));
    const good = emu.wechat();
    const token = await good.auth.getAccessToken({ appid: emu.appId, secret: emu.appSecret });
    assert.ok(token.accessToken.length > 20);
    seen.push(util.inspect(good), String(good));
    const tc = new wxcv.TencentCloud({ secretId: emu.secretId, secretKey: 'wrong-secret-key-must-not-leak', baseUrl: emu.baseUrl });
    await assert.rejects(tc.ocr.QrcodeOCR({ ImageBase64: fixture('qr.png') }), (e) => {
      assert.ok(e instanceof wxcv.SignatureFailureError);
      seen.push(e.message, util.inspect(e));
      return true;
    });
    seen.push(util.inspect(tc), String(tc));
    const text = seen.join('\n');
    for (const s of [secret, emu.appSecret, emu.secretKey, 'wrong-secret-key-must-not-leak', token.accessToken]) {
      assert.ok(!text.includes(s), `${s} leaked`);
    }
  }));

test('200 calls in flight on one client: every reply is its own', () =>
  withEmulator(async (emu) => {
    const pics = { 'qr.png': 'QR_CODE', 'datamatrix.png': 'DATA_MATRIX', 'ean13.png': 'EAN_13', 'code128.png': 'CODE_128' };
    const names = Array.from({ length: 200 }, (_, i) => Object.keys(pics)[i % 4]);
    const wx = emu.wechat();
    const results = await Promise.all(names.map((n) => wx.img.scanQRCode({ img: img(n) })));
    assert.deepStrictEqual(results.map((r) => r.codeResults[0].typeName), names.map((n) => pics[n]));
    assert.strictEqual(emu.tokenIssues(), 1);
    assert.strictEqual(emu.calls('img.scan_qrcode'), 200);
  }));

test('the event loop stays free while calls wait', () =>
  withEmulator(async (emu) => {
    const wx = emu.wechat();
    await wx.img.scanQRCode({ img: img() });
    await emu.injectFault('img.scan_qrcode', { delay_ms: 300 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await wx.img.scanQRCode({ img: img() });
    clearInterval(timer);
    assert.ok(ticks >= 10, `${ticks} timer ticks while a call waited 300 ms`);
  }));

test('deprecated and offline endpoints warn once', () =>
  withEmulator(async (emu) => {
    const warnings = [];
    const onWarning = (w) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const tc = emu.tencentcloud();
      await tc.ocr.QueryBarCode({ BarCode: '06941858722888' });
      await tc.ocr.QueryBarCode({ BarCode: '06941858722888' });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    const ours = warnings.filter((w) => w.code === 'WXCV_DEPRECATED_ENDPOINT');
    assert.strictEqual(ours.length, 1);
    assert.match(ours[0].message, /QueryBarCode is offline since 2023-06-01/);
  }));
