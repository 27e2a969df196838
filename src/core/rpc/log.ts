// The logging surface the RPC layer needs; support/logger.ts `Logger` satisfies it structurally.

export interface RpcLogger {
  debug(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: RpcLogger = { debug: () => {}, warn: () => {}, error: () => {} };
