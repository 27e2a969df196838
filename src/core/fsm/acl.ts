// The FSM's ACL commands: a dispatch from command to state/acl.ts (Consul: fsm/commands_ce.go
// applyACLTokenBootstrap, applyACLTokenSetOperation, applyACLPolicySetOperation ...).
import {
  aclBootstrapTxn,
  aclPolicyDeleteTxn,
  aclPolicySetTxn,
  aclRoleDeleteTxn,
  aclRoleSetTxn,
  aclTokenDeleteTxn,
  aclTokenSetTxn,
} from '../state/acl.js';
import type { WriteTxn } from '../state/store.js';
import type { FsmCommand } from './commands.js';

export type AclCommand = Extract<FsmCommand, { t: 'acl-bootstrap' | 'acl-token' | 'acl-policy' | 'acl-role' }>;

/** Apply one ACL command in `txn`; throws StateError (Consul's text) to refuse it. */
export function applyAclCommand(txn: WriteTxn, cmd: AclCommand, bootstrapIndex: number): void {
  switch (cmd.t) {
    case 'acl-bootstrap':
      return aclBootstrapTxn(txn, cmd.token, cmd.resetIndex, bootstrapIndex);
    case 'acl-token':
      return cmd.op === 'set' ? aclTokenSetTxn(txn, cmd.tokens) : aclTokenDeleteTxn(txn, cmd.ids);
    case 'acl-policy':
      return cmd.op === 'set' ? aclPolicySetTxn(txn, cmd.policies) : aclPolicyDeleteTxn(txn, cmd.ids);
    case 'acl-role':
      return cmd.op === 'set' ? aclRoleSetTxn(txn, cmd.roles) : aclRoleDeleteTxn(txn, cmd.ids);
  }
}
