// Wire compatibility with HashiCorp's own gossip: our `consul agent` and Debian's `serf agent`
// (serf 0.9.4 on memberlist 0.2.2) in one LAN pool on loopback. Joins both ways with tags, user
// events both ways, failure detection both ways (kill -9), gossip encryption (same key joins,
// another key does not), and `consul keyring` rotation across two of our agents and a serf agent.
// Our agents run -dev (fast gossip timings); the serf agents use their default LAN profile.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { asBytes, asMap, asString, asUint, decodeExact, encode } from '../../src/core/gossip/wire/msgpack.js';
import { runCli, TestAgent } from '../support/test-agent.js';
import { SerfAgent, sleep, waitFor, type SerfRpcMember } from '../support/serf-agent.js';
import { tmpDir } from '../support/tmp-dir.js';
import { freePort } from '../support/free-port.js';

interface OurMember {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: number;
}

const STATUS_ALIVE = 1;
const STATUS_FAILED = 4;

const dir = tmpDir('consul-ts-gossip-serf-');
const started: { stop(signal?: NodeJS.Signals): Promise<number | null> }[] = [];
after(async () => {
  for (const p of started.reverse()) await p.stop('SIGKILL');
  dir.remove();
});

async function ours(name: string, extra: string[] = []): Promise<TestAgent> {
  const a = await TestAgent.start({ args: [`-node=${name}`, ...extra] });
  started.push(a);
  return a;
}

async function serf(name: string, o: Omit<Parameters<typeof SerfAgent.start>[0], 'name'> = {}): Promise<SerfAgent> {
  const s = await SerfAgent.start({ name, ...o });
  started.push(s);
  return s;
}

async function ourMembers(a: TestAgent): Promise<OurMember[]> {
  const res = await fetch(`${a.url}/v1/agent/members`);
  assert.equal(res.status, 200);
  return (await res.json()) as OurMember[];
}

function waitOurStatus(a: TestAgent, node: string, status: number, timeoutMs: number): Promise<OurMember> {
  return waitFor(`${node} status ${status} on our agent`, async () => (await ourMembers(a)).find((m) => m.Name === node && m.Status === status), timeoutMs);
}

function waitSerfStatus(s: SerfAgent, node: string, status: string, timeoutMs: number): Promise<SerfRpcMember> {
  return waitFor(`${node} ${status} on serf agent ${s.name}`, async () => (await s.members()).find((m) => m.name === node && m.status === status), timeoutMs);
}

async function nodeId(a: TestAgent): Promise<string> {
  const self = (await (await fetch(`${a.url}/v1/agent/self`)).json()) as { Config: { NodeID: string } };
  return self.Config.NodeID;
}

/** An event handler that appends "<SERF_EVENT> <SERF_USER_EVENT> <base64 stdin>" per event. */
function eventHandlerScript(file: string): string {
  const script = path.join(dir.path, `handler-${path.basename(file)}.sh`);
  writeFileSync(script, `#!/bin/sh\n{ printf '%s %s ' "$SERF_EVENT" "$SERF_USER_EVENT"; base64 -w0; echo; } >> '${file}'\n`);
  chmodSync(script, 0o755);
  return script;
}

describe('gossip with the reference serf agent', { timeout: 240_000 }, () => {
  describe('one LAN pool: joins, tags, user events, failure detection', () => {
    let agent: TestAgent;
    let serfA: SerfAgent;
    let serfB: SerfAgent;
    const eventsFile = path.join(dir.path, 'serf-a-events.txt');

    before(async () => {
      agent = await ours('ours-1', ['-log-level=debug']);
      serfA = await serf('serf-a', { tags: { role: 'web', rack: 'r1' }, eventHandler: eventHandlerScript(eventsFile) });
      serfB = await serf('serf-b', { tags: { role: 'db' } });
    });

    test('a serf agent joins us (serf join) and we join another (consul join); all list each other alive with tags', async () => {
      const j = await serfA.cli(['join', `127.0.0.1:${agent.ports.serfLan}`]);
      assert.equal(j.code, 0, j.stdout + j.stderr);
      assert.match(j.stdout, /Successfully joined cluster by contacting 1 nodes/);

      const id = await nodeId(agent);
      const seen = await waitSerfStatus(serfA, 'ours-1', 'alive', 5_000);
      assert.equal(seen.addr, '127.0.0.1');
      assert.equal(seen.port, agent.ports.serfLan);
      assert.equal(seen.tags.role, 'consul');
      assert.equal(seen.tags.dc, 'dc1');
      assert.equal(seen.tags.id, id);
      assert.equal(seen.tags.port, String(agent.ports.server));
      assert.match(seen.tags.build ?? '', /^\d+\.\d+\.\d+/);
      assert.equal(seen.tags.vsn, '2');

      // The serf CLI's JSON view agrees with the RPC view.
      const cliView = await serfA.cli(['members', '-format=json']);
      assert.equal(cliView.code, 0, cliView.stderr);
      const listed = (JSON.parse(cliView.stdout) as { members: { name: string; status: string; tags: Record<string, string>; protocol: { version: number } }[] }).members;
      const us = listed.find((m) => m.name === 'ours-1');
      assert.equal(us?.status, 'alive');
      assert.equal(us?.tags.role, 'consul');
      assert.equal(us?.protocol.version, 4, 'Consul speaks serf protocol 4');

      const a = await waitOurStatus(agent, 'serf-a', STATUS_ALIVE, 5_000);
      assert.deepEqual(a.Tags, { role: 'web', rack: 'r1' });
      assert.equal(a.Port, serfA.bindPort);

      const cj = await runCli(['join', `-http-addr=${agent.addr}`, serfB.gossipAddr]);
      assert.equal(cj.code, 0, cj.stdout + cj.stderr);
      assert.match(cj.stdout, /Successfully joined cluster by contacting 1 nodes/);
      await waitOurStatus(agent, 'serf-b', STATUS_ALIVE, 5_000);
      await waitSerfStatus(serfB, 'ours-1', 'alive', 5_000);
      // serf-a and serf-b never talked to each other: they learn of each other through our gossip.
      await waitSerfStatus(serfA, 'serf-b', 'alive', 10_000);
      await waitSerfStatus(serfB, 'serf-a', 'alive', 10_000);

      const detailed = await runCli(['members', '-detailed', `-http-addr=${agent.addr}`]);
      assert.equal(detailed.code, 0, detailed.stderr);
      assert.match(detailed.stdout, /^serf-a\s+127\.0\.0\.1:\d+\s+alive\s+.*rack=r1.*role=web/m);
      assert.match(detailed.stdout, /^serf-b\s+127\.0\.0\.1:\d+\s+alive\s+.*role=db/m);
      assert.match(detailed.stdout, /^ours-1\s+127\.0\.0\.1:\d+\s+alive\s+.*role=consul/m);
    });

    test('network coordinates interoperate: serf rtt to our agent is finite and our coordinate moved from the origin', async () => {
      // serf-a learns our coordinate from the acks to its pings; we learn its coordinate from its acks.
      const line = await waitFor(
        'serf rtt to estimate our agent',
        async () => {
          const r = await serfA.cli(['rtt', 'ours-1']);
          return r.code === 0 ? r.stdout.trim() : undefined;
        },
        20_000,
        250,
      );
      const m = /^Estimated ours-1 <-> serf-a rtt: ([\d.]+) ms/.exec(line);
      assert.ok(m, line);
      const ms = Number(m[1]);
      assert.ok(Number.isFinite(ms) && ms >= 0 && ms < 50, `a loopback RTT estimate, got ${ms} ms`);
      await waitFor(
        'our LAN coordinate to move from the origin',
        async () => {
          const self = (await (await fetch(`${agent.url}/v1/agent/self`)).json()) as { Coord: { Error: number; Vec: number[] } };
          return self.Coord.Error < 1.5 && self.Coord.Vec.length === 8 ? true : undefined;
        },
        20_000,
        250,
      );
    });

    test('consul event reaches the serf agent as consul:event:<name> with Consul\'s payload', async () => {
      const fired = await runCli(['event', `-http-addr=${agent.addr}`, '-name=deploy', 'hello-payload']);
      assert.equal(fired.code, 0, fired.stderr);
      const line = await waitFor(
        'the serf event handler to run for consul:event:deploy',
        () => {
          if (!existsSync(eventsFile)) return undefined;
          return readFileSync(eventsFile, 'utf8')
            .split('\n')
            .find((l) => l.startsWith('user consul:event:deploy '));
        },
        15_000,
        100,
      );
      // serf's handler runner appends a newline to a payload that lacks one.
      const raw = Buffer.from(line.split(' ')[2] ?? '', 'base64');
      assert.equal(raw[raw.length - 1], 0x0a);
      const body = asMap(decodeExact(raw.subarray(0, raw.length - 1)), 'consul user event');
      assert.equal(asString(body.n), 'deploy');
      assert.equal(Buffer.from(asBytes(body.p)).toString(), 'hello-payload');
      assert.equal(asUint(body.v), 1);
      assert.match(fired.stdout, new RegExp(`Event ID: ${asString(body.ID)}`));
      assert.match(serfA.output, /Received event: user-event: consul:event:deploy/);
    });

    test('a serf user event in Consul\'s format reaches /v1/event/list; a plain one reaches our serf layer', async () => {
      const id = randomUUID();
      await serfB.rpc.event('consul:event:from-serf', encode({ ID: id, n: 'from-serf', p: new TextEncoder().encode('hello-from-serf'), v: 1 }), false);
      const got = await waitFor(
        'the event in /v1/event/list',
        async () => {
          const list = (await (await fetch(`${agent.url}/v1/event/list?name=from-serf`)).json()) as { ID: string; Name: string; Payload: string | null; LTime: number }[];
          return list.find((e) => e.ID === id);
        },
        10_000,
      );
      assert.equal(got.Name, 'from-serf');
      assert.equal(Buffer.from(got.Payload ?? '', 'base64').toString(), 'hello-from-serf');
      assert.ok(got.LTime > 0);

      // Not a Consul event: Consul ignores it above serf; our serf layer logs it at debug level.
      const plain = await serfB.cli(['event', 'plain-serf-event', 'abc']);
      assert.equal(plain.code, 0, plain.stderr);
      await waitFor('our agent to log the plain serf event', () => (/messageUserEventType: plain-serf-event/.test(agent.output) ? true : undefined), 10_000);
      const list = (await (await fetch(`${agent.url}/v1/event/list`)).json()) as { Name: string }[];
      assert.ok(!list.some((e) => e.Name.includes('plain-serf-event')));
    });

    test('kill -9 of a serf agent: we (and the other serf agent) mark it failed', async () => {
      await serfB.kill9();
      const t0 = Date.now();
      await waitOurStatus(agent, 'serf-b', STATUS_FAILED, 20_000);
      const oursMs = Date.now() - t0;
      await waitSerfStatus(serfA, 'serf-b', 'failed', 20_000);
      assert.match(agent.output, /EventMemberFailed: serf-b/);
      // Our -dev timings suspect in ~0.1 s and fail after ~0.3 s (plus the probe slot).
      assert.ok(oursMs < 10_000, `took ${oursMs} ms`);
      // The survivors stay alive to each other.
      await waitOurStatus(agent, 'serf-a', STATUS_ALIVE, 1_000);
      await waitSerfStatus(serfA, 'ours-1', 'alive', 1_000);
    });

    test('kill -9 of our agent: the serf agent marks it failed', async () => {
      await agent.kill9();
      const t0 = Date.now();
      await waitSerfStatus(serfA, 'ours-1', 'failed', 20_000);
      const ms = Date.now() - t0;
      // serf's LAN profile: ~1-2 s to suspect, +4 s suspicion timeout with few members.
      assert.ok(ms > 1_000 && ms < 15_000, `took ${ms} ms`);
      assert.match(serfA.output, /Marking ours-1 as failed|EventMemberFailed: ours-1/);
    });
  });

  describe('gossip encryption', () => {
    test('same key joins both ways; another key, or none, does not', async () => {
      const key = (await runCli(['keygen'])).stdout.trim();
      const other = (await runCli(['keygen'])).stdout.trim();
      assert.equal(Buffer.from(key, 'base64').length, 32);
      const agent = await ours('ours-enc', [`-encrypt=${key}`]);
      const self = (await (await fetch(`${agent.url}/v1/agent/self`)).json()) as { Stats: Record<string, Record<string, string>> };
      assert.equal(self.Stats.serf_lan?.encrypted, 'true');

      const same = await serf('serf-same', { encrypt: key });
      const wrong = await serf('serf-wrong', { encrypt: other });
      const plain = await serf('serf-plain');

      const ok = await same.cli(['join', `127.0.0.1:${agent.ports.serfLan}`]);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      await waitOurStatus(agent, 'serf-same', STATUS_ALIVE, 5_000);
      await waitSerfStatus(same, 'ours-enc', 'alive', 5_000);

      // memberlist answers a stream it cannot open with an err message sealed with its own key,
      // which the other side cannot open either: both sides say the keys do not match.
      const bad = await wrong.cli(['join', `127.0.0.1:${agent.ports.serfLan}`]);
      assert.notEqual(bad.code, 0, bad.stdout);
      assert.match(bad.stdout + bad.stderr, /Error joining the cluster: 1 error occurred:\n\t\* Failed to join 127\.0\.0\.1(:\d+)?: No installed keys could decrypt the message/);
      await waitFor('our agent to log the undecryptable join', () => (/\[ERROR\] agent\.server\.memberlist\.lan: memberlist: failed to receive: No installed keys could decrypt the message from=127\.0\.0\.1:\d+/.test(agent.output) ? true : undefined), 5_000);
      const bad2 = await plain.cli(['join', `127.0.0.1:${agent.ports.serfLan}`]);
      assert.notEqual(bad2.code, 0, bad2.stdout);
      const badOut = await runCli(['join', `-http-addr=${agent.addr}`, wrong.gossipAddr]);
      assert.equal(badOut.code, 1, badOut.stdout);
      assert.equal(
        badOut.stderr,
        `Error joining address '${wrong.gossipAddr}': Unexpected response code: 500 (1 error occurred:\n\t* Failed to join ${wrong.gossipAddr}: No installed keys could decrypt the message\n\n)\nFailed to join any nodes.\n`,
      );
      assert.match(agent.output, /\[WARN\]  agent: \(LAN\) couldn't join: number_of_nodes=0 error="1 error occurred:\n\t\* Failed to join [\d.:]+: No installed keys could decrypt the message/);
      // A port nobody listens on: the error names the host and port dialled.
      const closedPort = await freePort();
      const refused = await runCli(['join', `-http-addr=${agent.addr}`, `127.0.0.1:${closedPort}`]);
      assert.equal(refused.code, 1, refused.stdout);
      assert.match(refused.stderr, new RegExp(`\\* Failed to join 127\\.0\\.0\\.1:${closedPort}: dial tcp 127\\.0\\.0\\.1:${closedPort}: connect: connection refused\n`));

      // Give stray gossip a moment, then nobody across the key boundary knows the other.
      await sleep(1_500);
      const names = (await ourMembers(agent)).map((m) => m.Name).sort();
      assert.deepEqual(names, ['ours-enc', 'serf-same']);
      assert.deepEqual((await wrong.members()).map((m) => m.name), ['serf-wrong']);
      assert.deepEqual((await plain.members()).map((m) => m.name), ['serf-plain']);
      assert.ok(!(await same.members()).some((m) => m.name === 'serf-wrong' || m.name === 'serf-plain'));
      assert.match(agent.output + wrong.output, /decrypt|No installed keys could decrypt|Failed to decode|failed to receive/i);
    });

    test('consul keyring: list, install, use, remove across two of our agents and a serf agent', async () => {
      const k1 = (await runCli(['keygen'])).stdout.trim();
      const k2 = (await runCli(['keygen'])).stdout.trim();
      const server = await ours('ours-key-1', [`-encrypt=${k1}`]);
      const clientDir = path.join(dir.path, 'client-data');
      const client = await TestAgent.start({ dev: false, dataDir: clientDir, waitForLeader: false, args: ['-node=ours-key-2', `-encrypt=${k1}`, `-retry-join=127.0.0.1:${server.ports.serfLan}`] });
      started.push(client);
      const s = await serf('serf-key', { encrypt: k1 });
      const j = await s.cli(['join', `127.0.0.1:${server.ports.serfLan}`]);
      assert.equal(j.code, 0, j.stdout + j.stderr);
      for (const n of ['ours-key-2', 'serf-key']) await waitOurStatus(server, n, STATUS_ALIVE, 10_000);
      await waitSerfStatus(s, 'ours-key-2', 'alive', 10_000);

      // A key query ends when every member answered or at the query timeout (3.2 s LAN, 8 s WAN
      // here); 15 s means it hung (the CLI is killed and the code is null).
      const keyring = (args: string[]) => runCli(['keyring', `-http-addr=${server.addr}`, ...args], {}, undefined, 15_000);
      let r = await keyring(['-list']);
      assert.equal(r.code, 0, `consul keyring -list: code ${r.code}\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^WAN:\\n  ${escape(k1)} \\[1/1\\]$`, 'm'));
      assert.match(r.stdout, new RegExp(`^dc1 \\(LAN\\):\\n  ${escape(k1)} \\[3/3\\]$`, 'm'));

      r = await keyring([`-install=${k2}`]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      r = await keyring(['-list']);
      assert.match(r.stdout, new RegExp(`^  ${escape(k2)} \\[3/3\\]$`, 'm'));
      assert.match(r.stdout, new RegExp(`^  ${escape(k1)} \\[3/3\\]$`, 'm'));
      const serfKeys = await s.cli(['keys', '-list']);
      assert.match(serfKeys.stdout, new RegExp(escape(k2)));

      r = await keyring([`-use=${k2}`]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      r = await keyring(['-list-primary']);
      assert.match(r.stdout, new RegExp(`^dc1 \\(LAN\\):\\n  ${escape(k2)} \\[3/3\\]$`, 'm'));

      r = await keyring([`-remove=${k1}`]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      r = await keyring(['-list']);
      assert.doesNotMatch(r.stdout, new RegExp(escape(k1)));
      assert.match(r.stdout, new RegExp(`^dc1 \\(LAN\\):\\n  ${escape(k2)} \\[3/3\\]$`, 'm'));
      // Removing the primary key is refused.
      r = await keyring([`-remove=${k2}`]);
      assert.equal(r.code, 1, r.stdout);

      // The client persisted the rotation (Consul: <data-dir>/serf/local.keyring).
      const ring = JSON.parse(readFileSync(path.join(clientDir, 'serf', 'local.keyring'), 'utf8')) as string[];
      assert.deepEqual(ring, [k2]);
      // The pool now speaks only the new key: a serf agent with k2 joins, one with k1 cannot.
      const fresh = await serf('serf-k2', { encrypt: k2 });
      const fj = await fresh.cli(['join', `127.0.0.1:${server.ports.serfLan}`]);
      assert.equal(fj.code, 0, fj.stdout + fj.stderr);
      const stale = await serf('serf-k1', { encrypt: k1 });
      const sj = await stale.cli(['join', `127.0.0.1:${server.ports.serfLan}`]);
      assert.notEqual(sj.code, 0, sj.stdout);
      await waitOurStatus(client, 'serf-k2', STATUS_ALIVE, 10_000);
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
