#!/usr/bin/env node
'use strict';
// npm's install step: use the prebuilt addon when one fits this platform, else build it from the
// Rust sources (a folder install of the repository's bindings/node): needs cargo on PATH.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function loads() {
  try {
    require('../lib/native');
    return true;
  } catch (_) {
    return false;
  }
}

if (process.env.WXCV_FORCE_BUILD !== '1' && loads()) {
  process.exit(0);
}
if (!fs.existsSync(path.join(root, 'Cargo.toml')) || !fs.existsSync(path.join(root, 'src', 'lib.rs'))) {
  console.error('wxcv: no prebuilt addon loads on this platform, and this copy of the package has no Rust sources to build one.');
  console.error('wxcv: install from the repository folder (npm install <repo>/bindings/node) with a Rust toolchain.');
  process.exit(1);
}
process.exit(require('./build-native').build() ? 0 : 1);
