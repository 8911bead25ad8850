export { createGuard, type Guard, type GuardOptions, type TenantGuard } from './create-guard.js';
