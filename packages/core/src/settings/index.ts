export {
  defaultTenantSettings,
  type TenantSettings,
  type TenantSettingsInput,
  tenantSettingsSchema,
} from './settings.js';
