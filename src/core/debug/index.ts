// `consul debug`'s engine: capture (capture.ts), archive (archive.ts), and how progress is shown
// (reporter.ts: Consul's plain lines; progress-view.tsx: the ink view on a TTY, loaded lazily).
// Talks to the agent only through the API client. Imported lazily by src/commands/debug.ts.
export { DebugCapture, DEBUG_DURATION_MS, DEBUG_INTERVAL_MS, DEFAULT_TARGETS, defaultOutputName, type DebugOptions } from './capture.js';
export { PlainReporter, goTimeString, type DebugReporter, type LineSink } from './reporter.js';
export { createArchive } from './archive.js';
