'use strict';
// Bad input: an InvalidInputError naming the parameter (as the caller wrote it) and the limit,
// thrown before anything is sent.
const test = require('node:test');
const assert = require('node:assert');
const { wxcv, fixture, withEmulator } = require('./helpers');

const qr = () => fixture('qr.png');
const img = () => ({ contentType: 'image/png', value: qr() });

const CASES = [
  ['img.scan_qrcode', 'img', (wx) => wx.img.scanQRCode({ img: { value: Buffer.alloc(0) } }), /empty/],
  ['img.scan_qrcode', 'img', (wx) => wx.img.scanQRCode({ img: { value: Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(2097152)]) } }), /2097151/],
  ['img.scan_qrcode', 'img', (wx) => wx.img.scanQRCode({ img: { value: fixture('not-an-image.jpg') } }), /not a picture/],
  ['img.scan_qrcode', 'img', (wx) => wx.img.scanQRCode({ img: 'photo.jpg' }), /contentType, value/],
  ['img.scan_qrcode', 'imgUrl', (wx) => wx.img.scanQRCode({ imgUrl: 42 }), /URL string/],
  ['img.scan_qrcode', 'imgUrl / img', (wx) => wx.img.scanQRCode({}), /required/],
  ['img.scan_qrcode', 'img', (wx) => wx.img.scanQRCode({ img: img(), imgUrl: 'http://x/y.png' }), /not both/],
  ['img.scan_qrcode', 'imgurl', (wx) => wx.img.scanQRCode({ imgurl: 'http://x/y.png' }), /not a parameter.*imgUrl, img/],
  ['img.ai_crop', 'ratios', (wx) => wx.img.aiCrop({ img: img(), ratios: [1, 2, 3, 4, 5, 6] }), /5/],
  ['img.ai_crop', 'ratios[0]', (wx) => wx.img.aiCrop({ img: img(), ratios: [0] }), /0\.0001/],
  ['img.ai_crop', 'ratios[0]', (wx) => wx.img.aiCrop({ img: img(), ratios: [NaN] }), /finite/],
  ['img.ai_crop', 'ratios', (wx) => wx.img.aiCrop({ img: img(), ratios: 'wide' }), /sequence/],
  ['ocr.idcard', 'type', (wx) => wx.ocr.idcard({ img: img(), type: 'fax' }), /photo.*scan/],
  ['wxacode.create_qrcode', 'path', (wx) => wx.wxacode.createQRCode({ path: 'p'.repeat(129) }), /128/],
  ['wxacode.create_qrcode', 'width', (wx) => wx.wxacode.createQRCode({ path: 'pages/a', width: 2000 }), /1280/],
  ['wxacode.create_qrcode', 'width', (wx) => wx.wxacode.createQRCode({ path: 'pages/a', width: '300' }), /i64/],
  ['wxacode.create_qrcode', 'path', (wx) => wx.wxacode.createQRCode({ width: 300 }), /required/],
  ['wxacode.get_unlimited', 'scene', (wx) => wx.wxacode.getUnlimited({ scene: '场景' }), /.+/],
  ['wxacode.get', 'lineColor', (wx) => wx.wxacode.get({ path: 'pages/a', lineColor: { r: 'red', g: 0, b: 0 } }), /.+/],
  ['img.scan_qrcode', 'params', (wx) => wx.img.scanQRCode('http://x/y.png'), /must be an object/],
];

for (const [endpoint, field, call, detail] of CASES) {
  test(`${endpoint}: ${field} ${detail}`, () =>
    withEmulator(async (emu) => {
      const wx = emu.wechat();
      await assert.rejects(call(wx), (e) => {
        assert.ok(e instanceof wxcv.InvalidInputError, String(e));
        assert.ok(e instanceof wxcv.WxcvError && e instanceof Error);
        assert.strictEqual(e.field, field, e.message);
        assert.match(e.detail, detail);
        assert.ok(e.message.includes(field));
        assert.match(e.errMsg, /:fail invalid input/);
        return true;
      });
      assert.strictEqual(emu.calls(endpoint), 0, 'a rejected call reached the emulator');
    }));
}

test('Tencent Cloud: the API 3.0 parameter names', () =>
  withEmulator(async (emu) => {
    const tc = emu.tencentcloud();
    await assert.rejects(tc.ocr.QrcodeOCR({ ImageBase64: 42 }), (e) => e instanceof wxcv.InvalidInputError && e.field === 'ImageBase64');
    await assert.rejects(tc.ocr.QueryBarCode({ BarCode: 6941858722888 }), (e) => e instanceof wxcv.InvalidInputError && e.field === 'BarCode');
    const big = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(7 * 1024 * 1024)]);
    await assert.rejects(tc.ocr.QrcodeOCR({ ImageBase64: big }), (e) => e instanceof wxcv.InvalidInputError && e.field === 'ImageBase64');
    assert.strictEqual(emu.calls('QrcodeOCR') + emu.calls('QueryBarCode'), 0);
    const ok = await tc.ocr.QrcodeOCR({ ImageBase64: qr() });
    assert.strictEqual(ok.CodeResults[0].TypeName, 'QR_CODE');
    assert.strictEqual(typeof ok.RequestId, 'string');
  }));

test('configuration errors', () => {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('WECHAT_') || k.startsWith('TENCENTCLOUD_')) delete process.env[k];
  try {
    assert.throws(() => new wxcv.WeChat(), (e) => e instanceof wxcv.ConfigError && /WECHAT_APPID/.test(e.message));
    assert.throws(() => new wxcv.TencentCloud(), (e) => e instanceof wxcv.ConfigError && /TENCENTCLOUD_SECRET_ID/.test(e.message));
    assert.throws(() => new wxcv.WeChat({ appId: 'wx1' }), (e) => e instanceof wxcv.ConfigError && /appSecret/.test(e.message));
    assert.throws(() => new wxcv.WeChat({ appId: 'wx1', appSecret: 's', timeout: -1 }), wxcv.ConfigError);
    assert.throws(() => new wxcv.WeChat({ appId: 'wx1', appSecret: 's', baseUrl: 'ftp://x' }), wxcv.ConfigError);
    assert.throws(() => new wxcv.WeChat('wx1'), wxcv.ConfigError);
  } finally {
    Object.assign(process.env, saved);
  }
});
