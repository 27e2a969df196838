// Audit logging (beyond Consul OSS; Consul Enterprise's `audit` block): one JSON line per HTTP
// request the agent answers, naming the caller by token AccessorID, written to rotated files off
// the request path. Owns the file sink (bounded queue, rotation, drop counting) and the line shape.
// The HTTP server calls observe() when a request arrives and identify() once its token resolved.
export { AuditLog, type AuditIdentity } from './audit-log.js';
export { FileSink, nodeSinkFs, DEFAULT_MAX_QUEUED_BYTES, type FileSinkOptions, type SinkFs, type SinkHandle } from './file-sink.js';
export { auditLine, redactTokenParam, type AuditRecord } from './record.js';
