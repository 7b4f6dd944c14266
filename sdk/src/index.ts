// @task-api/sdk: every operation and type of the contract (openapi.yaml, through generated/), a
// client whose failures are Errors, and a paginator that follows the Link header.

export * from '../../generated/index.js';
export type { Auth, Client, Config } from '../../generated/client/index.js';
export { createTaskApiClient, type TaskApiClientConfig } from './client.js';
export { TaskApiError, TaskApiNetworkError } from './errors.js';
export { itemsOf, pagesOf, type ItemOf, type ListOperation, type ListOptions, type Page } from './paging.js';
