// Connect's parsers of untrusted input: SPIFFE IDs (from client certificates and authorize
// requests) and config entries (`consul config write`, PUT /v1/config: service-defaults,
// proxy-defaults, service-intentions with L7 permissions), then the intentions derived from
// them. Refusals: SpiffeError and ConfigEntryError (answered with Consul's 400s).
import fc from 'fast-check';
import { ConfigEntryError, normalizeEntry } from '../../../src/core/connect/config-entry.js';
import { intentionsOfEntry } from '../../../src/core/connect/intentions.js';
import { SpiffeError, parseSpiffeId } from '../../../src/core/connect/spiffe.js';
import { textLike, type FuzzTarget } from '../target.js';

const segment = fc.constantFrom('ns', 'default', 'dc', 'dc1', 'svc', 'web', 'agent', 'client', 'id', '', '..', '%2F', 'a b');
const spiffe = fc.tuple(fc.constantFrom('spiffe://', 'SPIFFE://', 'http://', ''), fc.constantFrom('11111111-2222-3333-4444-555555555555.consul', 'example.org', ''), fc.array(segment, { maxLength: 8 })).map(([s, td, segs]) => `${s}${td}/${segs.join('/')}`);

const permission = fc.record({ Action: fc.constantFrom('allow', 'deny', 'x'), HTTP: fc.option(fc.record({ PathExact: fc.constantFrom('/a', ''), PathPrefix: fc.constantFrom('/b', 5), Methods: fc.array(fc.constantFrom('GET', 'put', ''), { maxLength: 2 }), Header: fc.array(fc.record({ Name: fc.constantFrom('x-a', ''), Present: fc.boolean(), Exact: fc.string({ maxLength: 3 }) }, { requiredKeys: [] }), { maxLength: 2 }) }, { requiredKeys: [] })) }, { requiredKeys: [] });
const source = fc.record({ Name: fc.constantFrom('web', '*', '', 'a/b'), Action: fc.constantFrom('allow', 'deny', 'maybe'), Permissions: fc.array(permission, { maxLength: 2 }), Precedence: fc.integer(), Type: fc.constantFrom('consul', 'x') }, { requiredKeys: [] });
const entry = fc.record(
  {
    Kind: fc.constantFrom('service-intentions', 'service-defaults', 'proxy-defaults', 'service-router', 'nope', ''),
    Name: fc.constantFrom('db', '*', 'global', '', 'x'.repeat(300)),
    Sources: fc.array(source, { maxLength: 3 }),
    Protocol: fc.constantFrom('http', 'tcp', 'grpc', 7),
    Config: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
    Meta: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })),
  },
  { requiredKeys: [] },
);

type Input = { kind: 'spiffe'; text: string } | { kind: 'entry'; json: string };

export const connectTarget: FuzzTarget<Input> = {
  name: 'connect',
  surface: 'SPIFFE IDs and Connect config entries (service-intentions with L7 permissions, service-defaults, proxy-defaults)',
  arbitrary: fc.oneof(textLike(spiffe).map((text) => ({ kind: 'spiffe' as const, text })), textLike(entry.map((e) => JSON.stringify(e))).map((json) => ({ kind: 'entry' as const, json }))),
  refusals: [SpiffeError, ConfigEntryError],
  run(input) {
    if (input.kind === 'spiffe') {
      parseSpiffeId(input.text);
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(input.json);
    } catch {
      return; // the HTTP layer refuses bodies that are not JSON (the http target covers that)
    }
    const normalized = normalizeEntry(raw);
    if (normalized.Kind === 'service-intentions') intentionsOfEntry({ ...normalized, CreateIndex: 1, ModifyIndex: 1 } as never);
  },
};
