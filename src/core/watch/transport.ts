// The plans' way to the agent: the CLI's API client transport (one undici connection per plan, so
// a parked blocking query never queues behind another plan's).
import { HttpTransport, type ClientConfig } from '../client/index.js';
import type { WatchTransport } from './plan.js';
import type { WatchRequest, WatchResponse } from './types.js';

export function httpWatchTransport(config: ClientConfig): WatchTransport {
  const http = new HttpTransport(config);
  return {
    get: (req: WatchRequest): Promise<WatchResponse> => http.send({ method: 'GET', path: req.path, query: req.query }),
    destroy: () => http.destroy(),
  };
}

/** A client config for a plan: the base one with the plan's own datacenter and token, if set. */
export function planClientConfig(base: ClientConfig, spec: { datacenter: string; token: string }): ClientConfig {
  return { ...base, datacenter: spec.datacenter || base.datacenter, token: spec.token || base.token };
}
