// Who may change the catalog (handlers/catalog-acl.ts, Consul's vetRegisterWithACL and
// vetDeregisterWithACL) over a real state store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestAcl } from '../../../src/core/acl/index.js';
import { HttpError } from '../../../src/core/errors.js';
import { vetDeregister, vetRegister } from '../../../src/core/http/handlers/catalog-acl.js';
import { ensureRegistrationTxn } from '../../../src/core/state/catalog.js';
import { StateStore } from '../../../src/core/state/store.js';
import type { RegisterRequest } from '../../../src/core/structs/catalog.js';
import { compileTestRules } from '../../support/acl-test-rules.js';

const acl = (rules: string): RequestAcl => new RequestAcl(compileTestRules(rules, 'deny'), 'a1b2c3', true);

function reg(service?: string, id = service ?? ''): RegisterRequest {
  return {
    ID: '',
    Node: 'n1',
    Address: '10.0.0.1',
    Datacenter: 'dc1',
    TaggedAddresses: {},
    NodeMeta: {},
    Service: service
      ? { Kind: '', ID: id, Service: service, Tags: [], Address: '', TaggedAddresses: {}, Meta: {}, Port: 80, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false }
      : null,
    Checks: [],
    SkipNodeUpdate: false,
  };
}

function store(): StateStore {
  const s = new StateStore();
  const t = s.begin(1);
  ensureRegistrationTxn(t, reg('web'));
  s.commit(t);
  return s;
}

function denied(fn: () => void, text: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof HttpError && e.status === 403 && text.test(e.message));
}

describe('catalog register/deregister ACLs', () => {
  it('a new node needs node:write; re-posting the same node info needs only service:write', () => {
    const s = store();
    const svcOnly = acl('service "web" { policy = "write" }');
    vetRegister(svcOnly, s, reg('web'));
    denied(() => vetRegister(svcOnly, s, { ...reg('web'), Node: 'n2' }), /lacks permission 'node:write' on "n2"/);
    denied(() => vetRegister(svcOnly, s, { ...reg('web'), Address: '10.0.0.2' }), /'node:write' on "n1"/);
  });

  it('registering a service needs service:write on it, and overwriting another by ID needs write on that one too', () => {
    const s = store();
    denied(() => vetRegister(acl('service "web" { policy = "read" }'), s, reg('web')), /'service:write' on "web"/);
    const apiOnly = acl('service "api" { policy = "write" }');
    assert.throws(() => vetRegister(apiOnly, s, reg('api', 'web')), (e: unknown) => e instanceof HttpError && e.status === 403 && e.message === 'Permission denied');
  });

  it('deregistering: node:write covers all; else the service owner; a whole node needs node:write', () => {
    const s = store();
    vetDeregister(acl('node "n1" { policy = "write" }'), s, { Node: 'n1', ServiceID: 'web', CheckID: '' });
    vetDeregister(acl('service "web" { policy = "write" }'), s, { Node: 'n1', ServiceID: 'web', CheckID: '' });
    denied(() => vetDeregister(acl('service "web" { policy = "write" }'), s, { Node: 'n1', ServiceID: '', CheckID: '' }), /'node:write' on "n1"/);
    assert.throws(() => vetDeregister(acl(''), s, { Node: 'n1', ServiceID: 'nope', CheckID: '' }), /Unknown service ID 'nope'/);
  });
});
