// Duplicate arguments in HCL rules (Consul: acl/policy_ce.go decodeRules uses
// hcl.DecodeErrorOnDuplicates since the fix for "Consul configuration allowed repeated keys",
// hashicorp/consul#21908). Within one object, `name = value` twice is refused:
//   The argument "policy" at 1:31 was already set. Each argument can only be defined once
// at the second occurrence. Blocks (`key "a" { }` twice) are not arguments and may repeat.
// Pure: a token walk over the project's HCL1 lexer.
import { Lexer, type Token } from '../config/hcl/lexer.js';

export interface DuplicateArgument {
  line: number;
  column: number;
  message: string;
}

interface ObjectFrame {
  kind: 'object';
  seen: Set<string>;
  /** 'key' while reading an item's keys; 'value' right after `=`. */
  mode: 'key' | 'value';
  keys: Token[];
}
type Frame = ObjectFrame | { kind: 'list' };

function objectFrame(): ObjectFrame {
  return { kind: 'object', seen: new Set(), mode: 'key', keys: [] };
}

/** The first repeated argument in `text`, or undefined. Lexical errors end the walk quietly. */
export function findDuplicateArgument(text: string): DuplicateArgument | undefined {
  const lexer = new Lexer(text);
  const stack: Frame[] = [objectFrame()];
  try {
    for (let t = lexer.next(); t.type !== 'EOF'; t = lexer.next()) {
      const top = stack[stack.length - 1];
      if (top === undefined) return undefined;
      if (top.kind === 'list') {
        if (t.type === 'LBRACE') stack.push(objectFrame());
        else if (t.type === 'LBRACK') stack.push({ kind: 'list' });
        else if (t.type === 'RBRACK') stack.pop();
        continue;
      }
      const dup = stepObject(top, t, stack);
      if (dup !== undefined) return dup;
    }
  } catch {
    return undefined; // the parser reports lexical errors itself
  }
  return undefined;
}

function stepObject(frame: ObjectFrame, t: Token, stack: Frame[]): DuplicateArgument | undefined {
  if (frame.mode === 'value') {
    frame.mode = 'key';
    if (t.type === 'LBRACE') stack.push(objectFrame());
    else if (t.type === 'LBRACK') stack.push({ kind: 'list' });
    return undefined;
  }
  switch (t.type) {
    case 'IDENT':
    case 'STRING':
      frame.keys.push(t);
      return undefined;
    case 'ASSIGN': {
      const keys = frame.keys;
      frame.keys = [];
      frame.mode = 'value';
      if (keys.length !== 1) return undefined;
      const key = keys[0]!;
      // hcl reports the key token's text: an identifier as written, a quoted key with its quotes.
      const name = key.type === 'STRING' ? `"${key.text}"` : key.text;
      if (!frame.seen.has(name)) {
        frame.seen.add(name);
        return undefined;
      }
      const at = `${key.line}:${key.column}`;
      return { line: key.line, column: key.column, message: `The argument ${JSON.stringify(name)} at ${at} was already set. Each argument can only be defined once` };
    }
    case 'LBRACE':
      frame.keys = [];
      stack.push(objectFrame());
      return undefined;
    case 'RBRACE':
      stack.pop();
      return undefined;
    default:
      return undefined;
  }
}
