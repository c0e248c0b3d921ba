export { type AuditQuery, type AuditRow, listAudit } from './list-audit.ts';
export { auditModule } from './module.ts';
export { AUDIT_INSERT_HEAD, type AuditEntry, recordAudit } from './record-audit.ts';
