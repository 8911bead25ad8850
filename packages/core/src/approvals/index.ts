export type {
  ApprovalOutcomeHandler,
  ApprovalRequestInput,
  ApprovalsApi,
  ApprovalView,
} from './approvals.js';
export { defaultApprovalChains } from './chains.js';
