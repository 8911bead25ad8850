export {
  type OffboardingActor,
  type OffboardingApi,
  type OffboardingStartInput,
  type OffboardingView,
  ORDER_KIND,
  orderRecordSchema,
} from './offboarding.js';
