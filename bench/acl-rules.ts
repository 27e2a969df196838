// Cost of one ACL check with a compiled 20-rule token, against ACLs off (a constant authorizer).
// Figures only: `node dist/bench/acl-rules.js`. Prints checks per second for each and the ratio.
import { ALLOW_ALL, compileAuthorizer, defaultAuthorizer, parseRules, type Authorizer } from '../src/core/acl/index.js';

const RULES = `
key_prefix "" { policy = "read" }
key_prefix "app/" { policy = "write" }
key_prefix "app/secret/" { policy = "deny" }
key "app/config" { policy = "read" }
key_prefix "team/a/" { policy = "write" }
key_prefix "team/b/" { policy = "list" }
service_prefix "" { policy = "read" }
service "web" { policy = "write" }
service "api" { policy = "write" intentions = "write" }
service_prefix "db-" { policy = "deny" }
node_prefix "" { policy = "read" }
node "edge-1" { policy = "write" }
session_prefix "" { policy = "write" }
agent_prefix "" { policy = "read" }
event_prefix "deploy-" { policy = "write" }
query_prefix "" { policy = "read" }
operator = "read"
keyring = "read"
mesh = "read"
acl = "read"
`;

const KEYS = ['app/web/config/timeout', 'app/secret/password', 'team/a/x/y/z', 'other/thing/with/a/longer/name', 'app/config'];
const SERVICES = ['web', 'api', 'db-main', 'billing-worker-7'];

function run(a: Authorizer, rounds: number): number {
  let allowed = 0;
  for (let i = 0; i < rounds; i++) {
    for (const k of KEYS) if (a.keyRead(k)) allowed++;
    if (a.keyWrite(KEYS[i % KEYS.length]!)) allowed++;
    for (const s of SERVICES) if (a.serviceRead(s)) allowed++;
    if (a.nodeRead('edge-1')) allowed++;
    if (a.operatorRead()) allowed++;
  }
  return allowed;
}

function checksPerSecond(a: Authorizer): number {
  const perRound = KEYS.length + 1 + SERVICES.length + 2;
  run(a, 200_000); // warm up
  const rounds = 2_000_000;
  const start = process.hrtime.bigint();
  const sink = run(a, rounds);
  const ns = Number(process.hrtime.bigint() - start);
  if (sink < 0) console.log(sink);
  return (rounds * perRound) / (ns / 1e9);
}

const token = compileAuthorizer([parseRules(RULES)], defaultAuthorizer('deny'));
const off = checksPerSecond(ALLOW_ALL);
const on = checksPerSecond(token);
console.log(`ACLs off:            ${(off / 1e6).toFixed(1)} M checks/s`);
console.log(`20-rule token:       ${(on / 1e6).toFixed(1)} M checks/s (${((1e9 / on) | 0)} ns/check)`);
console.log(`compile 20 rules:    ${timeCompile().toFixed(1)} µs`);

function timeCompile(): number {
  const n = 2000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) compileAuthorizer([parseRules(RULES)], defaultAuthorizer('deny'));
  return Number(process.hrtime.bigint() - start) / n / 1000;
}
