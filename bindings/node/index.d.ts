/// <reference types="node" />
import { WeChat } from './lib/generated/wechat';
import { TencentCloud } from './lib/generated/tencentcloud';
import * as errors from './lib/generated/errors';
import type { WeChatOptions, TencentCloudOptions } from './lib/runtime';

export { WeChat, TencentCloud, errors };
export * from './lib/generated/errors';
export type { CloudImage, CloudResult, CloudBinary, BinaryReply, WeChatOptions, TencentCloudOptions } from './lib/runtime';
export * as wechat from './lib/generated/wechat';
export * as tencentcloud from './lib/generated/tencentcloud';
export { OCR, SCAN_KINDS } from './lib/generated/scan';
export type { ScanKind, ScanResult, ScanParams, OCROptions } from './lib/generated/scan';

/** wx-server-sdk's `cloud.init` options, plus the client's own (`appId`, `appSecret`, `cloudbase`, ...). */
export interface InitOptions extends Omit<WeChatOptions, 'timeout'> {
  env?: unknown;
  traceUser?: boolean;
  /** Milliseconds, as in wx-server-sdk. */
  timeout?: number;
}

/** Like wx-server-sdk's `cloud.init`. */
export declare function init(options?: InitOptions): void;
/** Like wx-server-sdk's `cloud.openapi`: a WeChat client made from `init`'s options or the WECHAT_* variables. */
export declare const openapi: WeChat;
export declare const DYNAMIC_CURRENT_ENV: unique symbol;

/** The emulator of both services, compiled in: for tests and offline runs. */
export declare class Emulator {
  private constructor();
  static start(options?: { cloudbase?: boolean }): Promise<Emulator>;
  readonly baseUrl: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly secretId: string;
  readonly secretKey: string;
  wechat(options?: WeChatOptions): WeChat;
  tencentcloud(options?: TencentCloudOptions): TencentCloud;
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  injectFault(
    endpoint: string,
    fault?: { times?: number; errcode?: number | string; http_status?: number; delay_ms?: number; drop?: boolean; truncate?: boolean; non_json?: boolean },
  ): Promise<unknown>;
  registerOcr(endpoint: string, image: Buffer | Uint8Array, reply: Record<string, unknown>): Promise<unknown>;
  blobUrl(data: Buffer | Uint8Array): string;
  tokenIssues(appId?: string): number;
  calls(endpoint: string): number;
  close(): void;
}
