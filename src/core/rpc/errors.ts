// The typed failures of the server RPC layer. Callers branch on `kind`, never on message text,
// except for 'remote', whose message is the remote handler's error text passed through unchanged
// (clients match Consul texts such as "No cluster leader").
//   conn    - could not connect, or the connection broke while the call was pending (retryable);
//             `neverSent` tells the first apart: the request never left, so it cannot have acted
//   timeout - no answer within the call's deadline (the remote may still have acted on it)
//   remote  - the remote handler failed; `message` is its error text, byte for byte
//   closed  - the local client was closed
//   encode  - the request could not be encoded or exceeds the frame limit (not retryable)

export type RpcErrorKind = 'conn' | 'timeout' | 'remote' | 'closed' | 'encode';

export class RpcError extends Error {
  constructor(
    readonly kind: RpcErrorKind,
    message: string,
    /** The connection was never established: the request was not sent (safe to retry). */
    readonly neverSent = false,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The text of any thrown value, as it goes on the wire. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
