/// <reference types="node" />

import type { CloudImage, BinaryReply } from './generated/cloud';
/** A picture as wx-server-sdk takes it (`{ contentType: 'image/png', value: buffer }`), and a picture reply: their keys are spec data (lib/generated/cloud.d.ts). */
export type { CloudImage, BinaryReply };

/** A cloud-call reply: the result's camelCase fields, `errCode: 0` and `errMsg: "openapi.<name>:ok"`. */
export type CloudResult<T> = T & { errCode: 0; errMsg: string };

/** A picture reply of a cloud call (wxacode, media): the picture, `errCode: 0` and `errMsg`. */
export type CloudBinary = BinaryReply & { errCode: 0; errMsg: string };

export interface WeChatOptions {
  /** With `appSecret`; without both (and without `cloudbase`), `WECHAT_APPID` / `WECHAT_APPSECRET` are read. */
  appId?: string;
  appSecret?: string;
  /** CloudBase Run's open API service: no access token, the platform authenticates (`WECHAT_CLOUDBASE=1`). */
  cloudbase?: boolean;
  /** `https://api.weixin.qq.com` unless given (an emulator, a proxy). */
  baseUrl?: string;
  /** Fetch tokens with `cgi-bin/stable_token`. */
  stableToken?: boolean;
  /** Seconds per call. */
  timeout?: number;
  /** CloudBase resource sharing: call on behalf of this account. */
  fromAppid?: string;
  /** `redis://host:port/db`: share access tokens with every process using this Redis (`WECHAT_REDIS_URL`). */
  redisUrl?: string;
  /** Key prefix in Redis (default `wxcv:token:`). */
  redisPrefix?: string;
  /** When Redis fails, fetch a token for this process instead of failing the call. */
  redisFallback?: boolean;
}

export interface TencentCloudOptions {
  /** With `secretKey`; without both, `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` are read. */
  secretId?: string;
  secretKey?: string;
  /** `ap-guangzhou`, ...; checked against the regions each action is offered in. */
  region?: string;
  /** Temporary credentials' session token. */
  token?: string;
  /** `zh-CN` or `en-US` for the vendor's messages. */
  language?: string;
  baseUrl?: string;
  /** Seconds per call. */
  timeout?: number;
}

export declare class ClientBase {
  protected constructor();
  /** Which account and where: never a secret or a token. */
  toString(): string;
  /**
   * A client for some calls with other settings (`timeout`: seconds per attempt), sharing this
   * one's connections and access tokens; this client keeps its own settings.
   */
  withOptions(options: { timeout?: number }): this;
}
