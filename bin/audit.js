#!/usr/bin/env node
// The `audit` command (src/cli/audit.ts), run through tsx like the rest of the IdP.
import process from 'node:process';
import { tsImport } from 'tsx/esm/api';

const { runAuditCli } = await tsImport('../src/cli/audit.ts', import.meta.url);
process.exitCode = await runAuditCli(process.argv.slice(2));
