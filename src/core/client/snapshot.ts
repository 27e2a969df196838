// Snapshot endpoints: GET /v1/snapshot streams a gzipped tar archive of the servers' state
// (X-Consul-Index = the index it covers); PUT /v1/snapshot restores one.
import { type HttpTransport, type QueryMeta, type QueryOptions, parseQueryMeta } from './http.js';

export class SnapshotApi {
  constructor(private readonly http: HttpTransport) {}

  async save(opts?: QueryOptions): Promise<{ data: Buffer; meta: QueryMeta }> {
    const res = await this.http.sendOk({ method: 'GET', path: '/v1/snapshot', query: { stale: opts?.allowStale || undefined } });
    return { data: res.body, meta: parseQueryMeta(res) };
  }

  async restore(archive: Uint8Array): Promise<void> {
    await this.http.sendOk({ method: 'PUT', path: '/v1/snapshot', body: archive });
  }
}
