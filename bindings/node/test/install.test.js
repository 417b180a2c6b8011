'use strict';
// The packages install into a fresh folder the ways users install them, and the README's Node
// example runs there, offline, against the compiled-in emulator:
// - the release packages `cargo xtask dist` wrote (target/dist: the main package and the
//   wxcv-linux-x64-gnu platform package), with no Rust toolchain on PATH;
// - the main package alone, where no platform package fits: one clear line, and the install fails;
// - the repository folder, which builds the addon with cargo, and says in one line when it cannot.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT } = require('./helpers');

const source = path.join(ROOT, 'bindings', 'node');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const DIST = process.env.WXCV_DIST_DIR ? path.resolve(process.env.WXCV_DIST_DIR) : path.join(ROOT, 'target', 'dist');
const version = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8')).version;
const mainTgz = path.join(DIST, `wxcv-${version}.tgz`);
const platformTgz = path.join(DIST, `wxcv-linux-x64-gnu-${version}.tgz`);
const noDist = !(fs.existsSync(mainTgz) && fs.existsSync(platformTgz)) && `no release packages in ${DIST} (cargo xtask dist)`;

/** PATH without any folder holding cargo or rustc: what a user without Rust has. */
function pathWithoutRust() {
  return (process.env.PATH || '')
    .split(path.delimiter)
    .filter((d) => d && !['cargo', 'rustc'].some((t) => fs.existsSync(path.join(d, t))))
    .join(path.delimiter);
}
const withoutRust = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CARGO|RUSTUP|RUSTC)/.test(k))),
  PATH: pathWithoutRust(),
};
/** The PATH with cargo, for the source build (`cargo xtask test` runs this suite without it). */
const withRust = { ...process.env, PATH: process.env.WXCV_BUILD_PATH || process.env.PATH };

function npmInstall(dir, args, env) {
  return spawnSync(npm, ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...args], { cwd: dir, env, encoding: 'utf8', timeout: 900000 });
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
  const env = Object.fromEntries(Object.entries(withoutRust).filter(([k]) => !k.startsWith('WECHAT_') && !k.startsWith('TENCENTCLOUD_')));
  const r = spawnSync(process.execPath, ['example.js'], { cwd: dir, env, encoding: 'utf8', timeout: 120000 });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.match(r.stdout, /QR_CODE http:\/\/www\.qq\.com/);
  assert.match(r.stdout, /openapi\.img\.scanQRCode:ok/);
  assert.match(r.stdout, /CertificateNotFoundError 101001 openapi\.ocr\.bankcard:fail/);
  assert.match(r.stdout, /64 decoded/);
  assert.ok(fs.readFileSync(path.join(dir, 'code.png')).subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])));
}

test('the release packages install without Rust, the addon comes from the platform package, and the README example runs', { skip: noDist }, () => {
  const dir = freshFolder('release');
  const r = npmInstall(dir, [platformTgz, mainTgz], withoutRust);
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  const installed = path.join(dir, 'node_modules');
  assert.ok(fs.existsSync(path.join(installed, 'wxcv-linux-x64-gnu', 'wxcv.linux-x64-gnu.node')));
  assert.deepStrictEqual(fs.readdirSync(path.join(installed, 'wxcv')).filter((f) => f.endsWith('.node')), [], 'the main package carries no addon');
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'wxcv', 'package.json'), 'utf8'));
  assert.deepStrictEqual(manifest.optionalDependencies, { 'wxcv-linux-x64-gnu': version });
  const platform = JSON.parse(fs.readFileSync(path.join(installed, 'wxcv-linux-x64-gnu', 'package.json'), 'utf8'));
  assert.deepStrictEqual([platform.os, platform.cpu, platform.libc], [['linux'], ['x64'], ['glibc']]);
  runExample(dir);
});

test('without a platform package that fits, the install fails with one line saying what to do', { skip: noDist }, () => {
  const dir = freshFolder('alone');
  // npm looks the optional dependency up in the registry, finds no such version, and skips it.
  const r = npmInstall(dir, [mainTgz], withoutRust);
  assert.notStrictEqual(r.status, 0, 'the install succeeded without an addon');
  const lines = (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('wxcv: '));
  assert.strictEqual(lines.length, 1, r.stdout + r.stderr);
  assert.match(lines[0], /^wxcv: no native addon for linux-x64-gnu \(the package wxcv-linux-x64-gnu is not installed\): reinstall wxcv/);
});

test('npm install of the repository folder builds the addon with cargo, then the README example', () => {
  const dir = freshFolder('folder');
  // As if no prebuilt addon fitted: the install script builds it (cargo; up to date here, so quick).
  const out = npmInstall(dir, [source], { ...withRust, WXCV_FORCE_BUILD: '1' });
  assert.strictEqual(out.status, 0, out.stdout + out.stderr);
  assert.match(out.stdout + out.stderr, /wxcv: addon written to/);
  runExample(dir);
});

test('npm install of the repository folder without cargo says so in one line', () => {
  const dir = freshFolder('nocargo');
  const out = npmInstall(dir, [source], { ...withoutRust, WXCV_FORCE_BUILD: '1' });
  assert.notStrictEqual(out.status, 0);
  const lines = (out.stdout + out.stderr).split('\n').filter((l) => l.startsWith('wxcv: ') && !l.startsWith('wxcv: building'));
  assert.strictEqual(lines.length, 1, out.stdout + out.stderr);
  assert.match(lines[0], /cargo is not on PATH to build one from source: install Rust/);
});
