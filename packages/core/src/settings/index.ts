export {
  defaultTenantSettings,
  type TenantSettings,
  type TenantSettingsInput,
  tenantSettingsSchema,
} from './settings.js';
export type { SavedSettings } from './tenant-settings.js';
