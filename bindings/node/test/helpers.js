'use strict';
const fs = require('node:fs');
const path = require('node:path');
// The package under test: the installed one where this suite runs from a folder that depends on
// it (how `cargo xtask test` runs it, against the packages in target/dist), else this folder's own.
const wxcv = require('wxcv');
const PKG = path.dirname(require.resolve('wxcv/package.json'));

const ROOT = process.env.WXCV_REPO_ROOT ? path.resolve(process.env.WXCV_REPO_ROOT) : path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures');
const fixture = (name) => fs.readFileSync(path.join(FIXTURES, name));
const scenarios = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'scenarios.json'), 'utf8')).scenarios;

/** Runs `fn(emu)` against a fresh emulator, closed afterwards. */
async function withEmulator(fn, options) {
  const emu = await wxcv.Emulator.start(options);
  try {
    return await fn(emu);
  } finally {
    emu.close();
  }
}

/** Width and height of a PNG or JPEG, from its header. */
function pictureSize(b) {
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  let i = 2;
  while (i < b.length) {
    const marker = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2) return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
    i += 2 + len;
  }
  throw new Error('no JPEG frame header');
}

module.exports = { wxcv, PKG, ROOT, FIXTURES, fixture, scenarios, withEmulator, pictureSize };
