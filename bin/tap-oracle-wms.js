#!/usr/bin/env node
import { run } from '../dist/tap-oracle-wms/cli.js';

run();
