// What the demo uses to put the chain company in the portal and serve it.
export { openHostDb, users } from './host-db.js';
export { texts } from './i18n.js';
export {
  addLogins,
  DEMO_PASSWORD,
  PORTAL_KEYS,
  type PortalLogin,
  publishAgreementAndTraining,
} from './seed.js';
export { type ServedPortal, type ServeOptions, servePortal } from './serve.js';
