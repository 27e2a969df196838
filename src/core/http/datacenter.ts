// Which datacenter a request is for. Until WAN forwarding exists, any datacenter but ours gets
// Consul's 500 "No path to datacenter" (what its router answers when it knows no server there).
import { Errors } from '../errors.js';

/**
 * Throws unless `dc` is empty or names this agent's datacenter. The configured name is lowercased
 * (Consul's config builder does the same); requests match it without regard to case.
 */
export function requireLocalDatacenter(dc: string | null | undefined, local: string): void {
  if (dc && dc.toLowerCase() !== local) throw Errors.noPathToDc();
}
