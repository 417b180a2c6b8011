'use strict';
// Loads the addon: the one built here (`napi build --platform` writes wxcv.<platform>.node next to
// package.json) or a prebuilt one shipped in the package tarball.
const path = require('node:path');

const { platform, arch } = process;
let abi = '';
if (platform === 'linux') {
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  abi = report && report.header && report.header.glibcVersionRuntime ? '-gnu' : '-musl';
}
const file = path.join(__dirname, '..', `wxcv.${platform}-${arch}${abi}.node`);

try {
  module.exports = require(file);
} catch (e) {
  const err = new Error(
    `wxcv: no native addon for ${platform}-${arch}${abi} (${file}): ${e.message}. ` +
      'Reinstall the package with a Rust toolchain (cargo) on PATH to build it from source.',
  );
  err.cause = e;
  throw err;
}
