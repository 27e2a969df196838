// Aggregates the answers to one `_serf_*-key` query into serf's KeyResponse, as serf's KeyManager
// does: count responses and errors, collect messages and key counts, finish early once every node
// memberlist knew at the start has answered, otherwise when the query times out.
import { decodeKeyResponse } from './codec.js';
import { type NodeKeyResponse, SerfMessageType } from './messages.js';
import type { QueryOwner } from './query-registry.js';
import type { KeyOperation, KeyResponse, KeyResultEvent, SerfLogLevel } from './types.js';

/** serf's internal query name for each key operation. */
export const KEY_QUERY_NAMES: Readonly<Record<KeyOperation, string>> = {
  install: '_serf_install-key',
  use: '_serf_use-key',
  remove: '_serf_remove-key',
  list: '_serf_list-keys',
};

function describeBytes(b: Uint8Array): string {
  // Go prints a []byte with %v as "[1 2 3]".
  return `[${[...b].join(' ')}]`;
}

export class KeyResponseCollector implements QueryOwner {
  private readonly messages: Record<string, string> = {};
  private readonly keys: Record<string, number> = {};
  private readonly primaryKeys: Record<string, number> = {};
  private numResp = 0;
  private numErr = 0;
  private finished = false;
  /** Set once the query is registered (the collector exists before the query id is known). */
  queryId = 0;

  constructor(
    readonly op: KeyOperation,
    private readonly numNodes: number,
    private readonly report: (e: KeyResultEvent) => void,
    private readonly log: (level: SerfLogLevel, msg: string) => void,
  ) {}

  onAck(): void {}

  onResponse(from: string, payload: Uint8Array): void {
    if (this.finished) return;
    this.numResp += 1;
    this.absorb(from, payload);
    if (this.numResp === this.numNodes) this.finish();
  }

  private absorb(from: string, payload: Uint8Array): void {
    if (payload.length < 1 || payload[0] !== SerfMessageType.KeyResponse) {
      this.messages[from] = `Invalid key query response type: ${describeBytes(payload)}`;
      this.numErr += 1;
      return;
    }
    let r: NodeKeyResponse;
    try {
      r = decodeKeyResponse(payload);
    } catch {
      this.messages[from] = `Failed to decode key query response: ${describeBytes(payload)}`;
      this.numErr += 1;
      return;
    }
    if (!r.result) {
      this.messages[from] = r.message;
      this.numErr += 1;
    }
    if (r.result && r.message.length > 0) {
      this.messages[from] = r.message;
      this.log('warn', `serf: ${r.message}`);
    }
    for (const k of r.keys) this.keys[k] = (this.keys[k] ?? 0) + 1;
    this.primaryKeys[r.primaryKey] = (this.primaryKeys[r.primaryKey] ?? 0) + 1;
  }

  onDone(): void {
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const response: KeyResponse = {
      messages: this.messages,
      numNodes: this.numNodes,
      numResp: this.numResp,
      numErr: this.numErr,
      keys: this.keys,
      primaryKeys: this.primaryKeys,
    };
    let error: string | undefined;
    if (this.numErr !== 0) error = `${this.numErr}/${this.numNodes} nodes reported failure`;
    else if (this.numResp !== this.numNodes) error = `${this.numResp}/${this.numNodes} nodes reported success`;
    const base = { kind: 'keyResult', queryId: this.queryId, op: this.op, response } as const;
    this.report(error === undefined ? base : { ...base, error });
  }
}
