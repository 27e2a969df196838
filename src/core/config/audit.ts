// The `audit` block, in Consul Enterprise's shape (agent/config/config_ent.go Audit / AuditSink):
//
//   audit {
//     enabled = true
//     sink "My sink" {
//       type = "file"  format = "json"  path = "/var/log/consul/audit.json"
//       delivery_guarantee = "best-effort"  mode = "0600"
//       rotate_bytes = 25165824  rotate_duration = "24h"  rotate_max_files = 15
//     }
//   }
//
// Only file sinks with the JSON format and best-effort delivery exist (as in Consul Enterprise).
import { configDurationMs } from './durations.js';
import { ConfigError } from './load.js';
import type { AuditFileConfig } from './audit-schema.js';

export interface AuditSinkRuntime {
  name: string;
  path: string;
  /** File mode of new log files. */
  mode: number;
  /** Rotate when the file would grow past this many bytes; 0: never by size. */
  rotateBytes: number;
  /** Rotate when the file is this old; 0: never by age. */
  rotateDurationMs: number;
  /** Rotated files kept beside the live one; 0: keep all. */
  rotateMaxFiles: number;
}

export interface AuditRuntime {
  enabled: boolean;
  sinks: AuditSinkRuntime[];
}

export function buildAuditRuntime(a: AuditFileConfig | undefined): AuditRuntime {
  const enabled = a?.enabled ?? false;
  const sinks: AuditSinkRuntime[] = [];
  for (const [name, s] of Object.entries(a?.sink ?? {})) {
    const where = `audit.sink "${name}"`;
    if ((s.type ?? 'file') !== 'file') throw new ConfigError(`${where}: type must be "file", got "${s.type}"`);
    if ((s.format ?? 'json') !== 'json') throw new ConfigError(`${where}: format must be "json", got "${s.format}"`);
    if ((s.delivery_guarantee ?? 'best-effort') !== 'best-effort') {
      throw new ConfigError(`${where}: delivery_guarantee must be "best-effort", got "${s.delivery_guarantee}"`);
    }
    if (!s.path) throw new ConfigError(`${where}: path is required`);
    const mode = Number.parseInt(s.mode ?? '0600', 8);
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw new ConfigError(`${where}: invalid mode "${s.mode}"`);
    sinks.push({
      name,
      path: s.path,
      mode,
      rotateBytes: s.rotate_bytes ?? 0,
      rotateDurationMs: configDurationMs(s.rotate_duration, `${where}.rotate_duration`, 0),
      rotateMaxFiles: s.rotate_max_files ?? 0,
    });
  }
  if (enabled && sinks.length === 0) throw new ConfigError('audit: enabled requires at least one sink');
  return { enabled, sinks };
}
