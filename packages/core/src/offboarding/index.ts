export {
  type OffboardingActor,
  type OffboardingApi,
  type OffboardingStartInput,
  type OffboardingView,
  orderRecordSchema,
} from './offboarding.js';
