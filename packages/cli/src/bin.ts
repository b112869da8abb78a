#!/usr/bin/env node
/** The `parley` executable. All the work is in {@link main}; this only connects it to the process. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
