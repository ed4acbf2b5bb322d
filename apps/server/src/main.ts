#!/usr/bin/env node
import { runServer } from './run-server.js';

await runServer(process.argv.slice(2), process.env);
