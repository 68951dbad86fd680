#!/usr/bin/env node
import { run } from '../dist/target-oracle/cli.js';

run();
