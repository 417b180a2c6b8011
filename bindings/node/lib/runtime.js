'use strict';
// The hand-written runtime the generated modules use: parameters checked and mapped to the core's
// inputs, the addon called, replies converted, failures thrown as the generated error classes.
const native = require('./native');
const errors = require('./generated/errors');
// The cloud-call shapes ({contentType, value} in, {contentType, buffer} out) are spec data.
const cloud = require('./generated/cloud');

const isBytes = (v) => v instanceof Uint8Array; // Buffer is a Uint8Array

function invalid(spec, field, detail, wechat) {
  const message = `invalid input for ${spec.name}: ${field}: ${detail}`;
  const e = new errors.InvalidInputError(message, { endpoint: spec.name, field, detail });
  if (wechat) e.errMsg = `openapi.${spec.name}:fail ${message}`;
  return e;
}

/** A picture parameter -> the addon's ImageArg. */
function imageArg(spec, input, param, v, base64, wechat) {
  if (base64) {
    if (typeof v === 'string') return { name: input, kind: 'bytes', data: Buffer.from(v, 'base64') };
    if (isBytes(v)) return { name: input, kind: 'bytes', data: Buffer.from(v.buffer, v.byteOffset, v.byteLength) };
    throw invalid(spec, param, `must be a base64 string or a Buffer, not ${typeName(v)}`, wechat);
  }
  if (isBytes(v)) return { name: input, kind: 'bytes', data: Buffer.from(v.buffer, v.byteOffset, v.byteLength) };
  const { typeKey, dataKey } = cloud.image;
  if (v && typeof v === 'object' && isBytes(v[dataKey])) {
    const type = v[typeKey];
    if (type !== undefined && typeof type !== 'string') {
      throw invalid(spec, `${param}.${typeKey}`, 'must be a string such as "image/png"', wechat);
    }
    const bytes = v[dataKey];
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { name: input, kind: 'bytes', data, contentType: type };
  }
  throw invalid(spec, param, `must be { ${typeKey}, ${dataKey}: Buffer } or a Buffer, not ${typeName(v)}`, wechat);
}

/** The first NaN or Infinity in a value (JSON would turn it into null), with where it is. */
function nonFinite(v, at) {
  if (typeof v === 'number') return Number.isFinite(v) ? null : { at, v };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = nonFinite(v[i], `${at}[${i}]`);
      if (r) return r;
    }
  } else if (v && typeof v === 'object' && !isBytes(v)) {
    for (const [k, x] of Object.entries(v)) {
      const r = nonFinite(x, `${at}.${k}`);
      if (r) return r;
    }
  }
  return null;
}

function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

class Api {
  constructor(client) {
    this._native = client._native;
    this._wechat = client._vendor === 'wechat';
  }

  async _call(spec, params) {
    const wechat = this._wechat;
    if (spec.deprecated && !spec.warned) {
      spec.warned = true;
      process.emitWarning(spec.deprecated, { type: 'DeprecationWarning', code: 'WXCV_DEPRECATED_ENDPOINT' });
    }
    if (params === undefined || params === null) params = {};
    if (typeof params !== 'object' || Array.isArray(params)) {
      throw invalid(spec, 'params', `must be an object, not ${typeName(params)}`, wechat);
    }
    const values = {};
    const images = [];
    const byInput = new Map();
    const known = [];
    for (const [param, input, toWire] of spec.values) {
      known.push(param);
      byInput.set(input, param);
      const v = params[param];
      if (v === undefined || v === null) continue;
      const bad = nonFinite(v, param);
      if (bad) throw invalid(spec, bad.at, `must be a finite number, not ${bad.v}`, wechat);
      values[input] = toWire ? toWire(v) : v;
    }
    for (const [input, urlParam, dataParam, base64] of spec.images) {
      known.push(urlParam, dataParam);
      const u = params[urlParam];
      const d = params[dataParam];
      const hasU = u !== undefined && u !== null;
      const hasD = d !== undefined && d !== null;
      if (hasU && hasD) throw invalid(spec, dataParam, `give ${urlParam} or ${dataParam}, not both`, wechat);
      if (hasU) {
        if (typeof u !== 'string') throw invalid(spec, urlParam, `must be a URL string, not ${typeName(u)}`, wechat);
        byInput.set(input, urlParam);
        images.push({ name: input, kind: 'url', text: u });
      } else if (hasD) {
        byInput.set(input, dataParam);
        images.push(imageArg(spec, input, dataParam, d, base64, wechat));
      } else {
        byInput.set(input, `${urlParam} / ${dataParam}`);
      }
    }
    for (const k of Object.keys(params)) {
      if (!known.includes(k) && params[k] !== undefined) {
        throw invalid(spec, k, `is not a parameter of ${spec.name}; it takes: ${known.join(', ') || 'nothing'}`, wechat);
      }
    }
    let text;
    try {
      text = JSON.stringify(values);
    } catch (e) {
      throw invalid(spec, 'params', `cannot be sent as JSON: ${e.message}`, wechat);
    }
    const reply = await this._native.call(spec.call, text, images);
    if (reply.error) throw toError(JSON.parse(reply.error), spec, wechat, byInput);
    if (reply.json !== undefined && reply.json !== null) {
      const out = spec.out(JSON.parse(reply.json));
      return wechat ? Object.assign(out, { errCode: 0, errMsg: `openapi.${spec.name}:ok` }) : out;
    }
    const bin = { [cloud.binary.typeKey]: reply.contentType, [cloud.binary.dataKey]: reply.buffer };
    return wechat ? Object.assign(bin, { errCode: 0, errMsg: `openapi.${spec.name}:ok` }) : bin;
  }
}

/** The addon's error fields -> the error class; field names as the caller wrote them. */
function toError(f, spec, wechat, byInput) {
  if (f.kind === 'invalid_input' && byInput) {
    // The core names inputs (`image`, `ratios[0]`); the caller wrote `imgUrl`, `ratios`.
    const m = /^([a-z_0-9]+)(.*)$/.exec(f.field || '');
    if (m && byInput.has(m[1])) {
      const param = byInput.get(m[1]);
      f.message = String(f.message).replace(`: ${f.field}: `, `: ${param}${m[2]}: `);
      f.field = `${param}${m[2]}`;
    }
    f.endpoint = spec.name;
  }
  const e = errors.fromNative(f);
  if (wechat) {
    if (f.kind === 'api') e.errCode = f.errcode;
    e.errMsg = `openapi.${spec.name}:fail ${f.kind === 'api' ? f.vendorMessage : f.message}`;
  }
  return e;
}

/** The addon's factory error (thrown with the fields as JSON in its message). */
function configError(e) {
  try {
    return errors.fromNative(JSON.parse(e.message));
  } catch (_) {
    return e;
  }
}

const DESCRIBE = Symbol.for('nodejs.util.inspect.custom');

class ClientBase {
  constructor(vendor, options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new errors.ConfigError(`${vendor === 'wechat' ? 'WeChat' : 'TencentCloud'} options must be an object`);
    }
    const o = options || {};
    try {
      this._native = vendor === 'wechat' ? native.NativeClient.wechat(o) : native.NativeClient.tencentcloud(o);
    } catch (e) {
      throw configError(e);
    }
    this._vendor = vendor;
    Object.defineProperty(this, '_native', { enumerable: false });
  }

  /**
   * A client for some calls with other settings (`timeout`: seconds per attempt), sharing this
   * one's connections and access tokens; this client keeps its own settings.
   */
  withOptions(options) {
    if (options === null || typeof options !== 'object') throw new errors.ConfigError('withOptions takes an object: { timeout }');
    const unknown = Object.keys(options).filter((k) => k !== 'timeout');
    if (unknown.length) throw new errors.ConfigError(`withOptions: unknown option ${unknown.join(', ')} (known: timeout)`);
    const clone = Object.create(Object.getPrototypeOf(this));
    let native = this._native;
    if (options.timeout !== undefined) {
      if (typeof options.timeout !== 'number') throw new errors.ConfigError('timeout must be a number of seconds');
      try {
        native = native.withTimeout(options.timeout);
      } catch (e) {
        throw configError(e);
      }
    }
    Object.defineProperty(clone, '_native', { value: native, enumerable: false, writable: true });
    clone._vendor = this._vendor;
    clone._attach();
    return clone;
  }

  /** Sets the endpoint groups (generated subclasses). */
  _attach() {}

  toString() {
    return `${this.constructor.name} { ${this._native.describe()} }`;
  }

  [DESCRIBE]() {
    return this.toString();
  }

  toJSON() {
    return this.toString();
  }
}

module.exports = { Api, ClientBase, native };
