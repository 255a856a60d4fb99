#!/usr/bin/env node
// oclif entry point; bin/quorumctl runs it on the project's Node 24.
import * as nodeModule from 'node:module';

// Cache compiled bytecode across runs (in the OS temp dir): start-up matters for a CLI run in loops.
nodeModule.enableCompileCache?.();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
