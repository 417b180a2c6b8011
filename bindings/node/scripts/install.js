#!/usr/bin/env node
'use strict';
// npm's install step. Where a prebuilt addon loads (the platform package npm installed as an
// optional dependency, or one already built here), there is nothing to do. Otherwise, in a copy
// with the Rust sources (a folder install of the repository's bindings/node), build it with cargo;
// in one without, say in one line what fits instead.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function loadError() {
  try {
    require('../lib/native');
    return null;
  } catch (e) {
    return e;
  }
}

const err = process.env.WXCV_FORCE_BUILD === '1' ? new Error('a build was asked for (WXCV_FORCE_BUILD=1)') : loadError();
if (!err) process.exit(0);
if (!fs.existsSync(path.join(root, 'Cargo.toml')) || !fs.existsSync(path.join(root, 'src', 'lib.rs'))) {
  console.error(err.code === 'WXCV_NO_ADDON' ? err.message : `wxcv: the native addon does not load: ${err.message}`);
  process.exit(1);
}
process.exit(require('./build-native').build() ? 0 : 1);
