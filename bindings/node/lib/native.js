'use strict';
// Loads the addon: one built from this folder's Rust sources (`scripts/build-native.js` writes
// wxcv.<platform>-<arch>[-gnu|-musl].node next to package.json), else the prebuilt one in the
// platform package npm installs as an optional dependency (`wxcv-linux-x64-gnu`, the way napi-rs
// projects publish theirs).
const fs = require('node:fs');
const path = require('node:path');

const { platform, arch } = process;
let abi = '';
if (platform === 'linux') {
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  abi = report && report.header && report.header.glibcVersionRuntime ? '-gnu' : '-musl';
}
const triple = `${platform}-${arch}${abi}`;
/** The platforms a prebuilt addon is published for. */
const PREBUILT = ['linux-x64-gnu'];

function load() {
  const local = path.join(__dirname, '..', `wxcv.${triple}.node`);
  if (fs.existsSync(local)) return require(local);
  const pkg = `wxcv-${triple}`;
  try {
    return require(pkg);
  } catch (e) {
    const missing = e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(pkg);
    const why = missing ? `the package ${pkg} is not installed` : `${pkg} does not load: ${e.message}`;
    const hint = PREBUILT.includes(triple)
      ? `reinstall wxcv so that npm installs its optional dependency ${pkg}`
      : `prebuilt addons exist for ${PREBUILT.join(', ')}; on ${triple} build from source: npm install <repository>/bindings/node with cargo on PATH`;
    const err = new Error(`wxcv: no native addon for ${triple} (${why}): ${hint}`);
    err.code = 'WXCV_NO_ADDON';
    err.cause = e;
    throw err;
  }
}

module.exports = load();
