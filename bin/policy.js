#!/usr/bin/env node
// The `policy` command (src/cli/policy.ts), run through tsx like the rest of the IdP.
import process from 'node:process';
import { tsImport } from 'tsx/esm/api';

const { runPolicyCli } = await tsImport('../src/cli/policy.ts', import.meta.url);
process.exitCode = await runPolicyCli(process.argv.slice(2));
