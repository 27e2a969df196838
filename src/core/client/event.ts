// Event endpoints (/v1/event/...), as Consul's api/event.go exposes them.
import { type HttpTransport, parseJson } from './http.js';

/** What a fire sends: the name, an optional payload and the regex filters. */
export interface UserEventParams {
  Name: string;
  Payload?: Uint8Array;
  NodeFilter?: string;
  ServiceFilter?: string;
  TagFilter?: string;
}

export class EventApi {
  constructor(private readonly http: HttpTransport) {}

  /** Fire an event; resolves with its ID. */
  async fire(p: UserEventParams): Promise<string> {
    const res = await this.http.sendOk({
      method: 'PUT',
      path: `/v1/event/fire/${p.Name}`,
      query: { node: p.NodeFilter || undefined, service: p.ServiceFilter || undefined, tag: p.TagFilter || undefined },
      body: p.Payload,
    });
    return parseJson<{ ID: string }>(res).ID;
  }
}
