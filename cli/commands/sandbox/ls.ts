import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { defaultStateDir, sandboxList, type SandboxListing } from '../../../sandbox/index.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { formatTable } from '../../render/table.js';
import { stateDirFlag } from '../../sandbox-flags.js';

export default class SandboxLs extends QuorumctlCommand {
  static override summary =
    'List sandboxes with the state of every member process (a crashed member shows as dead).';
  static override description = EXIT_CODE_HELP;
  static override examples = [
    '<%= config.bin %> sandbox ls',
    '<%= config.bin %> sandbox ls -o json',
  ];
  static override flags = { ...outputFlags, ...globalFlags, ...stateDirFlag };
  protected readonly outputKind = 'SandboxList' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(SandboxLs);
    const listings = await sandboxList(flags['state-dir'] ?? defaultStateDir());
    await this.emit(this.outputFormat(flags), listings, renderListings);
  }
}

function renderListings(listings: SandboxListing[]): string {
  if (listings.length === 0) return 'no sandboxes (start one with: quorumctl sandbox up)\n';
  const rows = listings.map((listing) => [
    listing.name,
    listing.kind,
    listing.state,
    listing.liveness.map((member) => `${member.name}:${member.alive ? 'up' : 'DEAD'}`).join(' '),
    listing.endpoints.join(','),
  ]);
  return formatTable(['NAME', 'KIND', 'STATE', 'MEMBERS', 'ENDPOINTS'], rows);
}
