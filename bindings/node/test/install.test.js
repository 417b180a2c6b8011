'use strict';
// The package installs into a fresh folder the two ways users install it (the tarball `npm pack`
// makes, and the repository folder), and the README's Node example runs there, offline, against the
// compiled-in emulator.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT } = require('./helpers');

const pkg = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function sh(cmd, args, cwd, env = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 600000 });
  assert.strictEqual(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function readmeExample() {
  const section = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('## Node')[1];
  const blocks = [...(section || '').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  const example = blocks.find((b) => b.includes('Emulator.start'));
  assert.ok(example, 'no Node example in the README');
  return example;
}

function freshFolder(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wxcv-${name}-`));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `scratch-${name}`, private: true }));
  fs.symlinkSync(path.join(ROOT, 'tests'), path.join(dir, 'tests'));
  return dir;
}

function runExample(dir) {
  fs.writeFileSync(path.join(dir, 'example.js'), readmeExample());
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WECHAT_') && !k.startsWith('TENCENTCLOUD_')));
  const r = spawnSync(process.execPath, ['example.js'], { cwd: dir, env, encoding: 'utf8', timeout: 120000 });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.match(r.stdout, /QR_CODE http:\/\/www\.qq\.com/);
  assert.match(r.stdout, /openapi\.img\.scanQRCode:ok/);
  assert.match(r.stdout, /CertificateNotFoundError 101001 openapi\.ocr\.bankcard:fail/);
  assert.match(r.stdout, /64 decoded/);
  assert.ok(fs.readFileSync(path.join(dir, 'code.png')).subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])));
}

test('npm install of the packed tarball, then the README example', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'wxcv-pack-'));
  // The addon is already built (xtask, or `npm run build`); --ignore-scripts skips the prepack rebuild.
  sh(npm, ['pack', '--ignore-scripts', '--pack-destination', out], pkg);
  const tgz = fs.readdirSync(out).find((f) => f.endsWith('.tgz'));
  const dir = freshFolder('tarball');
  sh(npm, ['install', '--no-audit', '--no-fund', path.join(out, tgz)], dir);
  assert.ok(!fs.lstatSync(path.join(dir, 'node_modules', 'wxcv')).isSymbolicLink());
  runExample(dir);
});

test('npm install of the repository folder builds the addon with cargo, then the README example', () => {
  const dir = freshFolder('folder');
  // As if no prebuilt addon fitted: the install script builds it (cargo; up to date here, so quick).
  const out = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--foreground-scripts', pkg], {
    cwd: dir,
    env: { ...process.env, WXCV_FORCE_BUILD: '1' },
    encoding: 'utf8',
    timeout: 900000,
  });
  assert.strictEqual(out.status, 0, out.stdout + out.stderr);
  assert.match(out.stdout + out.stderr, /wxcv: addon written to/);
  runExample(dir);
});
