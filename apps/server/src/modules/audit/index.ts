export { type AuditQuery, type AuditRow, listAudit } from './list-audit.ts';
export { type AuditEntry, recordAudit } from './record-audit.ts';
