/** Local clusters of real servers on loopback, for demos, tests and drills. */
export { sandboxTarget, type SandboxTarget } from './context.js';
export { defaultStateDir } from './layout.js';
export {
  nextMemberName,
  sandboxAddMember,
  sandboxReleaseMember,
  sandboxRemoveMember,
  sandboxReserveMember,
  type ReservedMember,
} from './membership.js';
export { sandboxProvisioner, type SandboxProvisioner } from './provisioner.js';
export {
  sandboxDown,
  sandboxList,
  sandboxLogPaths,
  sandboxUp,
  restartMembers,
  stopMember,
  type UpOptions,
} from './manager.js';
export {
  SANDBOX_KINDS,
  type MemberLiveness,
  type SandboxKind,
  type SandboxListing,
  type SandboxMember,
  type SandboxRecord,
} from './types.js';
