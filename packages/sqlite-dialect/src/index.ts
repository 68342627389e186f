export { asScript, ORGANISATIONS_MIGRATION, WEBHOOKS_MIGRATION } from './migrations.js';
export { type Row, toChallenge, toEnrolment, toEvent, toGuard } from './rows.js';
