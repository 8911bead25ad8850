export { claimMachine } from './machine.js';
export {
  CLAIM_APPROVAL_KIND,
  CLAIM_MACHINE_ID,
  CLAIM_MACHINE_VERSION,
  type ClaimContext,
  type ClaimEvent,
  type ClaimInput,
  type ClaimOutcome,
} from './types.js';
