export {
  type ClaimView,
  CRM_TRANSFER_EFFECT,
  type CrmTransferPayload,
  crmTransferPayloadSchema,
  type FollowUpView,
  type OwnerChangeReason,
  type OwnershipApi,
  type OwnershipChange,
} from './ownership.js';
