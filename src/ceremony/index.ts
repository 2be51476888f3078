/**
 * The offline root-key ceremony: propose a new root, sign it on air-gapped machines (in the
 * proposal or in detached files moved on removable media), see where it stands, merge the
 * signed copies, and finalize it as the repository's next root once a threshold of the
 * current root's keys and a threshold of the new root's keys have signed (spec §5.3.4).
 * @packageDocumentation
 */
export { applyRootChanges, checkRootSatisfiable, describeRootChanges, describeSignaturesNeeded, isTopLevelRole, type RootChanges, type TopLevelRoleName } from './changes.js';
export { PROPOSAL_FORMAT, Proposal, sha256Hex, type CeremonyStatus, type ThresholdStatus } from './proposal.js';
export { proposeFromRepository, proposeFromRoot, readCurrentRoot, type ProposeOptions } from './propose.js';
export {
  SIGNATURE_FORMAT,
  formatDetachedSignatures,
  makeSignatures,
  parseDetachedSignatures,
  signProposalFile,
  signingPlan,
  type DetachedSignatures,
  type SignFileOptions,
  type SignResult,
} from './sign.js';
export { mergeCeremonyFiles, readCeremonyFile, type CeremonyFile, type MergeResult } from './merge.js';
export { finalRoot, finalizeIntoRepository, finalizeToFile, type FinalizeOptions, type FinalizeReport } from './finalize.js';
