export { agreementMachine } from './machine.js';
export {
  AGREEMENT_DEFAULT_MAX_REMINDERS,
  AGREEMENT_DEFAULT_REMIND_EVERY_HOURS,
  AGREEMENT_MACHINE_ID,
  AGREEMENT_MACHINE_VERSION,
  type AgreementContext,
  type AgreementEvent,
  type AgreementInput,
  type AgreementKind,
  SIGNATURE_CHANNELS,
  type SignatureChannel,
  type SignatureInput,
  type SignatureRecord,
  signatureInputSchema,
} from './types.js';
