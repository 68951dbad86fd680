#!/usr/bin/env -S node --max-semi-space-size=32
// A young generation of 32 MB semi-spaces (V8's default tops out at 16): a batch of buffered rows (batch_size_rows
// arrays of cells) then mostly dies young instead of being copied twice and promoted, so fewer old-space collections.
import { run } from '../dist/target-oracle/cli.js';

run();
