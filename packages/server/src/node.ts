export { createNodeHandler, type NodeHandler, type NodeHandlerOptions, type NodeRequestLike, type NodeResponseLike } from './createNodeHandler.js';
export type { HttpLogEntry, ResolvedOrganisation } from './http/dispatch.js';
export { createNodeAdminHandler, type NodeAdminHandlerOptions } from './createNodeAdminHandler.js';
export type { AdminAuthorization, AdminHooks } from './http/adminRoutes.js';
