#!/usr/bin/env node
'use strict';
// Builds the addon with cargo (release) and puts it where lib/native.js looks:
// wxcv.<platform>-<arch>[-gnu|-musl].node next to package.json. `node scripts/build-native.js --dev`
// builds the dev profile (faster, for the test loop).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function build(dev = process.argv.includes('--dev')) {
  const cargo = process.env.CARGO || 'cargo';
  const args = ['build', '--lib', '--manifest-path', path.join(root, 'Cargo.toml')];
  if (!dev) args.push('--release');
  console.error(`wxcv: building the addon: ${cargo} ${args.join(' ')}`);
  const b = spawnSync(cargo, args, { stdio: 'inherit' });
  if (b.error && b.error.code === 'ENOENT') {
    console.error(
      `wxcv: no prebuilt addon fits ${process.platform}-${process.arch} and ${cargo} is not on PATH to build one from source: ` +
        'install Rust (rustup) and run npm install again, or install on Linux x64 with glibc >= 2.17, where the prebuilt addon fits',
    );
    return false;
  }
  if (b.error || b.status !== 0) {
    console.error(`wxcv: the build of the addon failed${b.error ? `: ${b.error.message}` : ` (${cargo} exited with ${b.status})`}`);
    return false;
  }
  const meta = spawnSync(cargo, ['metadata', '--format-version', '1', '--no-deps', '--manifest-path', path.join(root, 'Cargo.toml')], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (meta.status !== 0) {
    console.error('wxcv: cargo metadata failed');
    return false;
  }
  const targetDir = JSON.parse(meta.stdout).target_directory;
  const ext = process.platform === 'darwin' ? 'dylib' : process.platform === 'win32' ? 'dll' : 'so';
  const prefix = process.platform === 'win32' ? '' : 'lib';
  const built = path.join(targetDir, dev ? 'debug' : 'release', `${prefix}wxcv_node.${ext}`);
  let abi = '';
  if (process.platform === 'linux') {
    const report = process.report.getReport();
    abi = report.header && report.header.glibcVersionRuntime ? '-gnu' : '-musl';
  }
  const dest = path.join(root, `wxcv.${process.platform}-${process.arch}${abi}.node`);
  const tmp = `${dest}.${process.pid}.tmp`;
  fs.copyFileSync(built, tmp);
  if (!dev && process.platform === 'linux') {
    // Symbols are not needed to load the addon (its exports are in the dynamic table): ~20% smaller.
    spawnSync('strip', ['--strip-unneeded', tmp], { stdio: 'ignore' });
  }
  fs.renameSync(tmp, dest);
  console.error(`wxcv: addon written to ${dest}`);
  return true;
}

module.exports = { build };

if (require.main === module) {
  process.exit(build() ? 0 : 1);
}
