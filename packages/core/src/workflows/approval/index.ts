export { APPROVAL_MACHINE_ID, APPROVAL_MACHINE_VERSION, approvalMachine } from './machine.js';
export {
  type ApprovalContext,
  type ApprovalDecision,
  type ApprovalEvent,
  type ApprovalInput,
  type ApprovalKind,
  type ApprovalLevel,
  type ApprovalOutcome,
  type ApproverSpec,
  approvalKindSchema,
  approvalLevelSchema,
  approverSpecSchema,
  type RequestableApprovalKind,
  requestableApprovalKindSchema,
} from './types.js';
