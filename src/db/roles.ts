/**
 * The role the tasks policy applies to (Row Level Security): the service takes it for each
 * caller's queries (src/db/scope.ts); the migrations create it and grant it what it needs.
 */
export const APP_ROLE = 'task_api_app';
