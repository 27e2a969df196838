// Logging for the memberlist core: lines go to config.log with memberlist's own wording, prefixed
// "memberlist: " so the driver only adds the level ("[WARN] memberlist: ...") as Go's logger does.
import type { MemberlistConfig } from './types.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type CoreLog = (level: LogLevel, msg: string) => void;

export function coreLog(config: MemberlistConfig): CoreLog {
  const sink = config.log;
  if (sink === undefined) return () => {};
  return (level, msg) => sink(level, `memberlist: ${msg}`);
}
