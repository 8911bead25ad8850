export type {
  ApprovalRequestInput,
  ApprovalsApi,
  ApprovalView,
} from './approvals.js';
export { defaultApprovalChains } from './chains.js';
