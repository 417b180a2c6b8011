'use strict';
// A cloud-function-shaped handler written for wx-server-sdk runs unchanged but for its require line,
// with credentials from the environment as in a deployed function.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { fixture, withEmulator } = require('./helpers');

function loadFunction() {
  const file = path.join(__dirname, 'fixtures', 'cloudfunction.js');
  delete require.cache[require.resolve('wxcv')];
  delete require.cache[file];
  return require(file);
}

test('a wx-server-sdk cloud function runs with its require line changed', () =>
  withEmulator(async (emu) => {
    process.env.WECHAT_APPID = emu.appId;
    process.env.WECHAT_APPSECRET = emu.appSecret;
    process.env.WECHAT_BASE_URL = emu.baseUrl;
    try {
      const fn = loadFunction();
      const out = await fn.main({ picture: fixture('seed-four-codes.jpg').toString('base64'), scene: 'id=7' });
      assert.deepStrictEqual(out.codes, ['http://www.qq.com', 'https://mp.weixin.qq.com', '5906789678957', '50090500019191']);
      assert.deepStrictEqual(out.size, { w: 1000, h: 900 });
      assert.strictEqual(out.errMsg, 'openapi.img.scanQRCode:ok');
      assert.strictEqual(out.code.contentType, 'image/jpeg');
      assert.ok(out.code.bytes > 1000);

      await emu.injectFault('img.scan_qrcode', { errcode: 45009 });
      const failed = await fn.main({ picture: fixture('qr.png').toString('base64'), scene: 'id=7' });
      assert.strictEqual(failed.errCode, 45009);
      assert.match(failed.errMsg, /^openapi\.img\.scanQRCode:fail /);
    } finally {
      delete process.env.WECHAT_APPID;
      delete process.env.WECHAT_APPSECRET;
      delete process.env.WECHAT_BASE_URL;
    }
  }));

test('CloudBase mode needs no credentials', () =>
  withEmulator(
    async (emu) => {
      process.env.WECHAT_CLOUDBASE = '1';
      process.env.WECHAT_BASE_URL = emu.baseUrl;
      try {
        const fn = loadFunction();
        const out = await fn.main({ picture: fixture('qr.png').toString('base64'), scene: 'a=1' });
        assert.strictEqual(out.errMsg, 'openapi.img.scanQRCode:ok');
        assert.strictEqual(emu.tokenIssues(), 0);
      } finally {
        delete process.env.WECHAT_CLOUDBASE;
        delete process.env.WECHAT_BASE_URL;
      }
    },
    { cloudbase: true },
  ));
