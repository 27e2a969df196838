// Operator endpoints (/v1/operator/...): the gossip keyring for now (api/operator_keyring.go).
import { type HttpTransport, parseJson } from './http.js';

/** api.KeyringResponse: one pool's answer (the LAN pool of a dc, or the WAN pool). */
export interface KeyringResponse {
  WAN: boolean;
  Datacenter: string;
  Segment: string;
  Partition?: string;
  Messages: Record<string, string> | null;
  Keys: Record<string, number>;
  PrimaryKeys: Record<string, number> | null;
  NumNodes: number;
}

export class OperatorApi {
  constructor(private readonly http: HttpTransport) {}

  private query(relayFactor: number): Record<string, string | undefined> {
    return { 'relay-factor': relayFactor > 0 ? String(relayFactor) : undefined };
  }

  async keyringList(relayFactor = 0): Promise<KeyringResponse[]> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/operator/keyring', query: this.query(relayFactor) });
    return parseJson<KeyringResponse[] | null>(res) ?? [];
  }

  private async keyOp(method: 'POST' | 'PUT' | 'DELETE', key: string, relayFactor: number): Promise<void> {
    await this.http.sendOk({ method, path: '/v1/operator/keyring', query: this.query(relayFactor), body: JSON.stringify({ Key: key }) });
  }

  keyringInstall(key: string, relayFactor = 0): Promise<void> {
    return this.keyOp('POST', key, relayFactor);
  }

  keyringUse(key: string, relayFactor = 0): Promise<void> {
    return this.keyOp('PUT', key, relayFactor);
  }

  keyringRemove(key: string, relayFactor = 0): Promise<void> {
    return this.keyOp('DELETE', key, relayFactor);
  }
}
