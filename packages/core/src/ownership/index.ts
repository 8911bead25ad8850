export type { ClaimView, FollowUpView, OwnershipApi, OwnershipChange } from './ownership.js';
