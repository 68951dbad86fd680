#!/usr/bin/env node
import { run } from '../dist/wms-simulator/cli.js';

run();
