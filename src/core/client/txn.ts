// Transaction endpoint (PUT /v1/txn): up to 128 KV/node/service/check operations applied atomically.
// 200 = all applied; 409 = rolled back, with per-operation errors.
import { StatusError } from './errors.js';
import { type HttpTransport, parseJson } from './http.js';

export interface TxnKVOp {
  KV: {
    Verb: 'set' | 'cas' | 'lock' | 'unlock' | 'get' | 'get-tree' | 'check-index' | 'check-session' | 'check-not-exists' | 'delete' | 'delete-tree' | 'delete-cas';
    Key: string;
    /** base64 */
    Value?: string;
    Flags?: number;
    Index?: number;
    Session?: string;
  };
}

export type TxnOp = TxnKVOp | Record<string, unknown>;

export interface TxnError {
  OpIndex: number;
  What: string;
}

export interface TxnResult {
  ok: boolean;
  results: unknown[];
  errors: TxnError[];
}

export class TxnApi {
  constructor(private readonly http: HttpTransport) {}

  async txn(ops: readonly TxnOp[]): Promise<TxnResult> {
    const res = await this.http.send({ method: 'PUT', path: '/v1/txn', body: JSON.stringify(ops) });
    if (res.statusCode !== 200 && res.statusCode !== 409) throw new StatusError(res.statusCode, res.body.toString('utf8'));
    const body = parseJson<{ Results?: unknown[] | null; Errors?: TxnError[] | null }>(res);
    return { ok: res.statusCode === 200, results: body.Results ?? [], errors: body.Errors ?? [] };
  }
}
