// oclif writes commands in the order its glob finds them, which varies between checkouts;
// sorting them keeps oclif.manifest.json stable, so CI's drift check only fails on real drift.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../oclif.manifest.json', import.meta.url);
const manifest = /** @type {{ commands: Record<string, unknown> }} */ (
  JSON.parse(readFileSync(path, 'utf8'))
);
manifest.commands = Object.fromEntries(
  Object.entries(manifest.commands).sort(([a], [b]) => a.localeCompare(b)),
);
writeFileSync(path, JSON.stringify(manifest, null, 2));
