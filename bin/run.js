#!/usr/bin/env node
// oclif entry point; bin/quorumctl runs it on the project's Node 24.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
