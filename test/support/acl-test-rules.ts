// Rules text -> Authorizer for the ACL tests, through the ACL system's own parser and compiler
// (src/core/acl/rules.ts + policy.ts): one policy chained in front of the default policy.
import { compileAuthorizer, defaultAuthorizer, parseRules, type Authorizer } from '../../src/core/acl/index.js';

export function compileTestRules(text: string, defaultPolicy: 'allow' | 'deny'): Authorizer {
  return compileAuthorizer([parseRules(text)], defaultAuthorizer(defaultPolicy));
}
