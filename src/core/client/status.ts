// Status endpoints: the Raft leader and peers as the agent sees them.
import { type HttpTransport, parseJson } from './http.js';

export class StatusApi {
  constructor(private readonly http: HttpTransport) {}

  /** "ip:port" of the leader, or "" when there is none. */
  async leader(): Promise<string> {
    return parseJson<string>(await this.http.sendOk({ method: 'GET', path: '/v1/status/leader' }));
  }

  async peers(): Promise<string[]> {
    return parseJson<string[] | null>(await this.http.sendOk({ method: 'GET', path: '/v1/status/peers' })) ?? [];
  }
}
