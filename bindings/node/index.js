'use strict';
/**
 * wxcv: WeChat's image APIs with wx-server-sdk's `cloud.openapi` names and shapes, and Tencent
 * Cloud's QR/barcode OCR with tencentcloud-sdk-nodejs's; Promise clients over a Rust core.
 *
 *   const cloud = require('wxcv');           // was: require('wx-server-sdk')
 *   cloud.init();
 *   const r = await cloud.openapi.img.scanQRCode({ imgUrl });
 */
const errors = require('./lib/generated/errors');
const { WeChat } = require('./lib/generated/wechat');
const { TencentCloud } = require('./lib/generated/tencentcloud');
const { OCR, SCAN_KINDS } = require('./lib/generated/scan');
const { native } = require('./lib/runtime');

/** The emulator of both services, compiled in: for tests and offline runs. */
class Emulator {
  constructor(nativeEmulator, cloudbase) {
    this._native = nativeEmulator;
    this._cloudbase = cloudbase;
    const c = native.emulatorCredentials();
    this.appId = c.appId;
    this.appSecret = c.appSecret;
    this.secretId = c.secretId;
    this.secretKey = c.secretKey;
    Object.defineProperty(this, '_native', { enumerable: false });
  }

  /** Starts an emulator on a free loopback port; `{ cloudbase: true }` needs no access token. */
  static async start(options = {}) {
    const cloudbase = Boolean(options.cloudbase);
    return new Emulator(await native.NativeEmulator.start(cloudbase), cloudbase);
  }

  get baseUrl() {
    return this._native.baseUrl;
  }

  /** A WeChat client of the emulator's app (CloudBase mode: no credentials). */
  wechat(options = {}) {
    const base = this._cloudbase ? { cloudbase: true } : { appId: this.appId, appSecret: this.appSecret };
    return new WeChat({ ...base, baseUrl: this.baseUrl, ...options });
  }

  /** A Tencent Cloud client with the emulator's key pair. */
  tencentcloud(options = {}) {
    return new TencentCloud({ secretId: this.secretId, secretKey: this.secretKey, baseUrl: this.baseUrl, ...options });
  }

  /** The emulator's control API (`/__emulator/<path>`): faults, fixtures, apps, keys, clock, log, counters. */
  async control(method, path, body) {
    const r = await fetch(`${this.baseUrl}/__emulator/${String(path).replace(/^\//, '')}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`emulator control ${method} ${path}: HTTP ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** The next `times` calls of `endpoint` fail: `{ errcode }`, `{ http_status }`, `{ delay_ms }`, `{ drop }`, `{ truncate }`, `{ non_json }`. */
  injectFault(endpoint, fault = {}) {
    const { times = 1, ...rest } = fault;
    return this.control('POST', 'faults', { endpoint, times, ...rest });
  }

  /** The reply an OCR endpoint (`ocr.idcard`, ...) gives for exactly this picture. */
  registerOcr(endpoint, image, reply) {
    return this.control('POST', 'fixtures/ocr', { endpoint, image_base64: Buffer.from(image).toString('base64'), reply });
  }

  /** Serves `data` at a loopback URL, for the URL form of picture parameters. */
  blobUrl(data) {
    return this._native.blobUrl(Buffer.from(data));
  }

  tokenIssues(appId) {
    return this._native.tokenIssues(appId || this.appId);
  }

  calls(endpoint) {
    return this._native.calls(endpoint);
  }

  close() {
    this._native.close();
  }
}

// wx-server-sdk compatibility: `cloud.init(options)` then `cloud.openapi.<group>.<method>(params)`.
let initOptions;
let openapi;

/**
 * Like wx-server-sdk's `cloud.init`: `env` and `traceUser` are accepted and ignored; `timeout` is in
 * milliseconds as there. Credentials come from the options (`appId`, `appSecret`, `cloudbase`,
 * `baseUrl`, ...) or the WECHAT_* variables (`WECHAT_CLOUDBASE=1` inside CloudBase Run).
 */
function init(options = {}) {
  const { env, traceUser, timeout, ...rest } = options || {};
  void env;
  void traceUser;
  initOptions = { ...rest };
  if (typeof timeout === 'number') initOptions.timeout = timeout / 1000;
  openapi = undefined;
}

module.exports = {
  init,
  DYNAMIC_CURRENT_ENV: Symbol.for('DYNAMIC_CURRENT_ENV'),
  WeChat,
  TencentCloud,
  OCR,
  SCAN_KINDS,
  Emulator,
  errors,
  ...Object.fromEntries(Object.entries(errors).filter(([k]) => k !== 'fromNative')),
};

Object.defineProperty(module.exports, 'openapi', {
  enumerable: true,
  get() {
    if (!openapi) openapi = new WeChat(initOptions || {});
    return openapi;
  },
});
