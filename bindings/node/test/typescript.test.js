'use strict';
// Static types: the generated snippet calling every endpoint passes `tsc --strict`, and mistakes a
// user could make are caught.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { PKG: pkg, ROOT } = require('./helpers');

// The dev tools (typescript, @types/node) are the repository's (`npm ci` in bindings/node), and
// `wxcv` resolves to the package under test, installed or this folder.
const tools = path.join(ROOT, 'bindings', 'node', 'node_modules');
const tsc = path.join(tools, 'typescript', 'bin', 'tsc');

function run(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxcv-tsconfig-'));
  const config = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(config, JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', module: 'commonjs', moduleResolution: 'node', skipLibCheck: false,
      types: ['node'], typeRoots: [path.join(tools, '@types')], baseUrl: dir, paths: { wxcv: [path.join(pkg, 'index.d.ts')] },
    },
    files,
  }));
  const r = spawnSync(process.execPath, [tsc, '-p', config], { cwd: dir, encoding: 'utf8', timeout: 300000 });
  fs.rmSync(dir, { recursive: true, force: true });
  return r;
}

test('every endpoint type-checks under --strict', { skip: !fs.existsSync(tsc) && 'typescript is not installed (npm install in bindings/node)' }, () => {
  const r = run([path.join(__dirname, 'generated', 'typecheck.ts'), path.join(pkg, 'index.d.ts')]);
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
});

const MISTAKES = {
  "await wx.img.scanQRCode({ imgUrl: 42 });": 'TS2322',
  "await wx.img.scanQRCode({});": 'TS2345',
  "await wx.img.scanQRCode({ imgUrl: 'u', img: { value: Buffer.alloc(1) } });": 'TS2345',
  "await wx.img.aiCrop({ imgUrl: 'u', ratios: ['wide'] });": 'TS2322',
  "await wx.ocr.idcard({ imgUrl: 'u', type: 'fax' });": 'TS2322',
  "await wx.wxacode.createQRCode({ path: 'p', width: '300' });": 'TS2322',
  "const n: number = (await wx.img.scanQRCode({ imgUrl: 'u' })).codeResults;": 'TS2322',
  "(await wx.img.scanQRCode({ imgUrl: 'u' })).nope;": 'TS2339',
  "const s: string = (await tc.ocr.QrcodeOCR({ ImageUrl: 'u' })).CodeResults?.[0]?.Url2;": 'TS2551',
  "const b: string = (await wx.wxacode.createQRCode({ path: 'p' })).buffer;": 'TS2322',
  "await ocr.scan({ type: 'invoice', imageUrl: 'u' });": 'TS2322',
  "const no: string | undefined = (await ocr.scan({ type: 'passport', imageUrl: 'u' })).result.PassportNo;": 'TS2339',
  "await ocr.scan({ type: 'idcard', imageUrl: 'u', image: Buffer.alloc(1) });": 'TS2345',
};

test('mistakes are caught', { skip: !fs.existsSync(tsc) && 'typescript is not installed' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxcv-ts-'));
  const head = [`import { WeChat, TencentCloud, OCR } from ${JSON.stringify(pkg)};`, 'const wx = new WeChat();', 'const tc = new TencentCloud();', 'const ocr = new OCR({ wechat: wx, tencentcloud: tc });', 'export async function f(): Promise<void> {'];
  const lines = [...head, ...Object.keys(MISTAKES), '}'];
  const file = path.join(dir, 'mistakes.ts');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const r = run([file]);
  const out = r.stdout;
  Object.entries(MISTAKES).forEach(([code, want], i) => {
    const line = head.length + i + 1;
    const hits = out.split('\n').filter((l) => l.includes(`mistakes.ts(${line},`));
    assert.ok(hits.length > 0, `tsc accepted \`${code}\`:\n${out}`);
    assert.ok(hits.some((h) => h.includes(want)), `\`${code}\`: expected ${want}, got ${hits.join(' | ')}`);
  });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('ocr.scan results narrow on kind', { skip: !fs.existsSync(tsc) && 'typescript is not installed' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxcv-ts-'));
  const file = path.join(dir, 'scan.ts');
  fs.writeFileSync(file, [
    `import { OCR, ScanResult } from ${JSON.stringify(pkg)};`,
    'export function first(r: ScanResult): string | undefined {',
    '  switch (r.kind) {',
    "    case 'text': return r.result.items?.[0]?.text;",
    "    case 'idcard': return r.result.name;",
    "    case 'bankcard': return r.result.number;",
    "    case 'drivinglicense': return r.result.idNum;",
    "    case 'businesscard': return r.result.BusinessCardInfos?.[0]?.Value;",
    "    case 'passport': return r.result.PassportNo;",
    '  }',
    '}',
    "export async function g(): Promise<string | undefined> { return first(await new OCR({ appId: 'a', appSecret: 's' }).scan({ type: 'idcard', imageUrl: 'u', mode: 'scan' })); }",
  ].join('\n') + '\n');
  const r = run([file]);
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a checked position has its four corners', { skip: !fs.existsSync(tsc) && 'typescript is not installed' }, () => {
  // A QR / Data Matrix `pos` and Tencent Cloud's `Position` may be absent, but once checked, every
  // corner is there: `c.pos.leftTop.x` needs no `?.` (the spec marks the corners required).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxcv-ts-'));
  const file = path.join(dir, 'corners.ts');
  fs.writeFileSync(file, [
    `import { WeChat, TencentCloud } from ${JSON.stringify(pkg)};`,
    'export async function corners(wx: WeChat, tc: TencentCloud): Promise<number[]> {',
    '  const out: number[] = [];',
    "  for (const c of (await wx.img.scanQRCode({ imgUrl: 'u' })).codeResults ?? []) {",
    '    if (c.pos) out.push(c.pos.leftTop.x, c.pos.rightTop.y, c.pos.rightBottom.x, c.pos.leftBottom.y);',
    '  }',
    "  for (const item of (await wx.ocr.printedText({ imgUrl: 'u' })).items ?? []) {",
    '    if (item.pos) out.push(item.pos.leftTop.x);',
    '  }',
    "  for (const c of (await tc.ocr.QrcodeOCR({ ImageUrl: 'u' })).CodeResults ?? []) {",
    '    if (c.Position) out.push(c.Position.LeftTop.X, c.Position.RightBottom.Y);',
    '  }',
    '  return out;',
    '}',
  ].join('\n') + '\n');
  const r = run([file]);
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  fs.rmSync(dir, { recursive: true, force: true });
});
