export type { CustomerRequestsApi, DeleteRequestView, ExportDownload, ExportRequestView } from './requests.js';
