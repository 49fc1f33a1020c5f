#!/usr/bin/env node
// Launcher of the `tessera` CLI: registers tsx so the TypeScript sources run directly.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
