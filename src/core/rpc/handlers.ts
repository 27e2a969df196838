// Handler shapes shared by the RPC server and its connections.

export interface RpcContext {
  /** The caller's address as "ip:port" ("[v6]:port"). */
  remote: string;
}

/** Answers a request. A throw or rejection goes back to the caller as its message text, unchanged. */
export type RpcHandler = (body: unknown, ctx: RpcContext) => Promise<unknown> | unknown;

/** Consumes a one-way message. Failures are logged, never answered. */
export type MessageHandler = (body: unknown, ctx: RpcContext) => Promise<void> | void;

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
