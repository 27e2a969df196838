// User events on the wire (Consul: agent/user_event.go UserEvent, api/event.go).

/** Payload is base64 in JSON, null when empty; LTime is the Lamport time of receipt (0 in fire answers). */
export interface UserEvent {
  ID: string;
  Name: string;
  Payload: string | null;
  NodeFilter: string;
  ServiceFilter: string;
  TagFilter: string;
  Version: number;
  LTime: number;
}

/**
 * The blocking index of an event list ending with this event: the XOR of the UUID's two 64-bit
 * halves (Consul: agent/event_endpoint.go uuidToUint64, api Event.IDToIndex). It can exceed 2^53,
 * hence a bigint, and it is not ordered.
 */
export function eventIdToIndex(id: string): bigint {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return 0n;
  return BigInt(`0x${hex.slice(0, 16)}`) ^ BigInt(`0x${hex.slice(16)}`);
}
