export { checkConnector } from './check.js';
