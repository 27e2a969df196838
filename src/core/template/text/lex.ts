// Lexer of Go's text/template (text/template/parse/lex.go): the same item kinds, the same trim
// markers (`{{- ` and ` -}}`), comments, and the same error texts, so that parse errors read as
// Go prints them. Positions are offsets into the template text; lines are 1-based.

export type ItemType =
  | 'error' | 'bool' | 'char' | 'charConstant' | 'comment' | 'complex' | 'assign' | 'declare'
  | 'EOF' | 'field' | 'identifier' | 'leftDelim' | 'leftParen' | 'number' | 'pipe' | 'rawString'
  | 'rightDelim' | 'rightParen' | 'space' | 'string' | 'text' | 'variable'
  // keywords
  | 'block' | 'break' | 'continue' | 'dot' | 'define' | 'else' | 'end' | 'if' | 'nil' | 'range'
  | 'template' | 'with';

export interface Item {
  type: ItemType;
  pos: number;
  val: string;
  line: number;
}

const KEYWORDS: Record<string, ItemType> = {
  '.': 'dot',
  block: 'block',
  break: 'break',
  continue: 'continue',
  define: 'define',
  else: 'else',
  end: 'end',
  if: 'if',
  range: 'range',
  nil: 'nil',
  template: 'template',
  with: 'with',
};

export function isKeyword(t: ItemType): boolean {
  return Object.values(KEYWORDS).includes(t);
}

const EOF = '';
const TRIM_MARKER = '-';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';

function isSpace(r: string): boolean {
  return r === ' ' || r === '\t' || r === '\r' || r === '\n';
}

function isAlphaNumeric(r: string): boolean {
  return r === '_' || /^[\p{L}\p{Nd}]$/u.test(r);
}

/** Go's %#U for error texts: U+007D '}'. */
export function goCharU(r: string): string {
  const cp = r.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return /\p{C}/u.test(r) ? `U+${hex}` : `U+${hex} '${r}'`;
}

function hasLeftTrimMarker(s: string): boolean {
  return s.length >= 2 && s[0] === TRIM_MARKER && isSpace(s[1]!);
}

function hasRightTrimMarker(s: string): boolean {
  return s.length >= 2 && isSpace(s[0]!) && s[1] === TRIM_MARKER;
}

type StateFn = ((l: Lexer) => StateFn) | null;

/** Produces every item eagerly (Go's lexer runs on demand; the result is the same list). */
export class Lexer {
  private pos = 0;
  private start = 0;
  private atEOF = false;
  private parenDepth = 0;
  private line = 1;
  private startLine = 1;
  private insideAction = false;
  readonly items: Item[] = [];

  constructor(
    readonly name: string,
    readonly input: string,
    readonly leftDelim = '{{',
    readonly rightDelim = '}}',
  ) {
    if (leftDelim === '') this.leftDelim = '{{';
    if (rightDelim === '') this.rightDelim = '}}';
    let state: StateFn = lexText;
    while (state) state = state(this);
  }

  next(): string {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    const cp = this.input.codePointAt(this.pos)!;
    const r = String.fromCodePoint(cp);
    this.pos += r.length;
    if (r === '\n') this.line++;
    return r;
  }

  peek(): string {
    if (this.pos >= this.input.length) return EOF;
    return String.fromCodePoint(this.input.codePointAt(this.pos)!);
  }

  backup(): void {
    if (!this.atEOF && this.pos > 0) {
      const prev = this.input.charCodeAt(this.pos - 1);
      const width = prev >= 0xdc00 && prev <= 0xdfff && this.pos > 1 ? 2 : 1;
      this.pos -= width;
      if (this.input[this.pos] === '\n') this.line--;
    }
    this.atEOF = false;
  }

  emit(t: ItemType): null {
    this.items.push({ type: t, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine });
    this.start = this.pos;
    this.startLine = this.line;
    return null;
  }

  ignore(): void {
    this.line += countNewlines(this.input.slice(this.start, this.pos));
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(r)) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || !valid.includes(r)) break;
    }
    this.backup();
  }

  errorf(msg: string): StateFn {
    this.items.push({ type: 'error', pos: this.start, val: msg, line: this.startLine });
    this.start = 0;
    this.pos = 0;
    return null;
  }

  // --- state functions share these helpers
  get rest(): string {
    return this.input.slice(this.pos);
  }

  atRightDelim(): { delim: boolean; trimSpaces: boolean } {
    const rest = this.rest;
    if (hasRightTrimMarker(rest) && rest.slice(2).startsWith(this.rightDelim)) return { delim: true, trimSpaces: true };
    if (rest.startsWith(this.rightDelim)) return { delim: true, trimSpaces: false };
    return { delim: false, trimSpaces: false };
  }

  setPos(p: number): void {
    this.pos = p;
  }
  getPos(): number {
    return this.pos;
  }
  getStart(): number {
    return this.start;
  }
  setInsideAction(v: boolean): void {
    this.insideAction = v;
  }
  incParen(d: number): number {
    this.parenDepth += d;
    return this.parenDepth;
  }
  addLines(text: string): void {
    this.line += countNewlines(text);
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (const c of s) if (c === '\n') n++;
  return n;
}

function lexText(l: Lexer): StateFn {
  const x = l.rest.indexOf(l.leftDelim);
  if (x >= 0) {
    if (x > 0) {
      l.setPos(l.getPos() + x);
      // Do we trim any trailing space?
      let trimLength = 0;
      const delimEnd = l.getPos() + l.leftDelim.length;
      if (hasLeftTrimMarker(l.input.slice(delimEnd))) {
        const text = l.input.slice(l.getStart(), l.getPos());
        trimLength = text.length - text.replace(/[ \t\r\n]+$/, '').length;
      }
      l.setPos(l.getPos() - trimLength);
      const text = l.input.slice(l.getStart(), l.getPos());
      // line bookkeeping: emit uses startLine; the lexer's line counter moves over the text
      l.addLines(text);
      if (text.length > 0) l.emit('text');
      l.setPos(l.getPos() + trimLength);
      l.ignore();
    }
    return lexLeftDelim;
  }
  l.setPos(l.input.length);
  const text = l.input.slice(l.getStart());
  l.addLines(text);
  if (text.length > 0) l.emit('text');
  l.emit('EOF');
  return null;
}

function lexLeftDelim(l: Lexer): StateFn {
  l.setPos(l.getPos() + l.leftDelim.length);
  const trimSpace = hasLeftTrimMarker(l.rest);
  const afterMarker = trimSpace ? 2 : 0;
  if (l.rest.slice(afterMarker).startsWith(LEFT_COMMENT)) {
    l.setPos(l.getPos() + afterMarker);
    l.ignore();
    return lexComment;
  }
  l.emit('leftDelim');
  l.incParen(-l.incParen(0));
  l.setPos(l.getPos() + afterMarker);
  l.ignore();
  l.setInsideAction(true);
  return lexInsideAction;
}

function lexComment(l: Lexer): StateFn {
  l.setPos(l.getPos() + LEFT_COMMENT.length);
  const x = l.rest.indexOf(RIGHT_COMMENT);
  if (x < 0) return l.errorf('unclosed comment');
  l.setPos(l.getPos() + x + RIGHT_COMMENT.length);
  const { delim, trimSpaces } = l.atRightDelim();
  if (!delim) return l.errorf('comment ends before closing delimiter');
  l.ignore(); // comments are not items unless asked for (Go: emitComment off)
  if (trimSpaces) l.setPos(l.getPos() + 2);
  l.setPos(l.getPos() + l.rightDelim.length);
  if (trimSpaces) l.setPos(l.getPos() + leftTrimLength(l.rest));
  l.ignore();
  return lexText;
}

function leftTrimLength(s: string): number {
  return s.length - s.replace(/^[ \t\r\n]+/, '').length;
}

function lexRightDelim(l: Lexer): StateFn {
  const { trimSpaces } = l.atRightDelim();
  if (trimSpaces) {
    l.setPos(l.getPos() + 2);
    l.ignore();
  }
  l.setPos(l.getPos() + l.rightDelim.length);
  l.emit('rightDelim');
  if (trimSpaces) {
    l.setPos(l.getPos() + leftTrimLength(l.rest));
    l.ignore();
  }
  l.setInsideAction(false);
  return lexText;
}

function lexInsideAction(l: Lexer): StateFn {
  const { delim } = l.atRightDelim();
  if (delim) {
    if (l.incParen(0) === 0) return lexRightDelim;
    return l.errorf('unclosed left paren');
  }
  const r = l.next();
  if (r === EOF) return l.errorf('unclosed action');
  if (isSpace(r)) {
    l.backup();
    return lexSpace;
  }
  if (r === '=') {
    l.emit('assign');
  } else if (r === ':') {
    if (l.next() !== '=') return l.errorf('expected :=');
    l.emit('declare');
  } else if (r === '|') {
    l.emit('pipe');
  } else if (r === '"') {
    return lexQuote;
  } else if (r === '`') {
    return lexRawQuote;
  } else if (r === '$') {
    return lexVariable;
  } else if (r === "'") {
    return lexChar;
  } else if (r === '.') {
    // special look-ahead for ".field" so we don't break l.backup().
    if (l.getPos() < l.input.length) {
      const c = l.input[l.getPos()]!;
      if (c < '0' || c > '9') return lexField;
    }
    l.backup();
    return lexNumber;
  } else if (r === '+' || r === '-' || (r >= '0' && r <= '9')) {
    l.backup();
    return lexNumber;
  } else if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  } else if (r === '(') {
    l.emit('leftParen');
    l.incParen(1);
  } else if (r === ')') {
    l.emit('rightParen');
    if (l.incParen(-1) < 0) return l.errorf(`unexpected right paren`);
  } else if ((r.codePointAt(0) ?? 0) <= 0x7f && /[\x20-\x7e]/.test(r)) {
    l.emit('char');
  } else {
    return l.errorf(`unrecognized character in action: ${goCharU(r)}`);
  }
  return lexInsideAction;
}

function lexSpace(l: Lexer): StateFn {
  let numSpaces = 0;
  for (;;) {
    const r = l.peek();
    if (r === EOF || !isSpace(r)) break;
    l.next();
    numSpaces++;
  }
  // A trim-marked closing delimiter has a minus after a space.
  const p = l.getPos();
  if (hasRightTrimMarker(l.input.slice(p - 1)) && l.input.slice(p - 1 + 2).startsWith(l.rightDelim)) {
    l.backup();
    if (numSpaces === 1) return lexRightDelim;
  }
  l.emit('space');
  return lexInsideAction;
}

function lexIdentifier(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r !== EOF && isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.input.slice(l.getStart(), l.getPos());
    if (!atTerminator(l)) return l.errorf(`bad character ${goCharU(l.peek())}`);
    const kw = KEYWORDS[word];
    if (kw !== undefined && kw !== 'dot') l.emit(kw);
    else if (word[0] === '.') l.emit('field');
    else if (word === 'true' || word === 'false') l.emit('bool');
    else l.emit('identifier');
    return lexInsideAction;
  }
}

function lexField(l: Lexer): StateFn {
  return lexFieldOrVariable(l, 'field');
}

function lexVariable(l: Lexer): StateFn {
  if (atTerminator(l)) {
    l.emit('variable'); // "$" alone
    return lexInsideAction;
  }
  return lexFieldOrVariable(l, 'variable');
}

function lexFieldOrVariable(l: Lexer, typ: 'field' | 'variable'): StateFn {
  if (atTerminator(l)) {
    if (typ === 'variable') l.emit('variable');
    else l.emit('dot');
    return lexInsideAction;
  }
  for (;;) {
    const r = l.next();
    if (r !== EOF && isAlphaNumeric(r)) continue;
    l.backup();
    break;
  }
  if (!atTerminator(l)) return l.errorf(`bad character ${goCharU(l.peek())}`);
  l.emit(typ);
  return lexInsideAction;
}

function atTerminator(l: Lexer): boolean {
  const r = l.peek();
  if (r === EOF || isSpace(r)) return true;
  if ('.,|:)('.includes(r)) return true;
  return l.rest.startsWith(l.rightDelim);
}

function lexChar(l: Lexer): StateFn {
  for (;;) {
    let r = l.next();
    if (r === '\\') {
      r = l.next();
      if (r !== EOF && r !== '\n') continue;
    }
    if (r === EOF || r === '\n') return l.errorf('unterminated character constant');
    if (r === "'") break;
  }
  l.emit('charConstant');
  return lexInsideAction;
}

function lexNumber(l: Lexer): StateFn {
  if (!scanNumber(l)) return l.errorf(`bad number syntax: ${JSON.stringify(l.input.slice(l.getStart(), l.getPos()))}`);
  const sign = l.peek();
  if (sign === '+' || sign === '-') {
    // Complex: 1+2i. No spaces, must end in 'i'.
    if (!scanNumber(l) || l.input[l.getPos() - 1] !== 'i') {
      return l.errorf(`bad number syntax: ${JSON.stringify(l.input.slice(l.getStart(), l.getPos()))}`);
    }
    l.emit('complex');
  } else {
    l.emit('number');
  }
  return lexInsideAction;
}

function scanNumber(l: Lexer): boolean {
  l.accept('+-');
  let digits = '0123456789_';
  if (l.accept('0')) {
    if (l.accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (l.accept('oO')) digits = '01234567_';
    else if (l.accept('bB')) digits = '01_';
  }
  l.acceptRun(digits);
  if (l.accept('.')) l.acceptRun(digits);
  if (digits.length === 10 + 1 && l.accept('eE')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  if (digits.length === 16 + 6 + 1 && l.accept('pP')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  l.accept('i');
  const r = l.peek();
  if (r !== EOF && isAlphaNumeric(r)) {
    l.next();
    return false;
  }
  return true;
}

function lexQuote(l: Lexer): StateFn {
  for (;;) {
    let r = l.next();
    if (r === '\\') {
      r = l.next();
      if (r !== EOF && r !== '\n') continue;
    }
    if (r === EOF || r === '\n') return l.errorf('unterminated quoted string');
    if (r === '"') break;
  }
  l.emit('string');
  return lexInsideAction;
}

function lexRawQuote(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === EOF) return l.errorf('unterminated raw quoted string');
    if (r === '`') break;
  }
  l.emit('rawString');
  return lexInsideAction;
}

/** Lex the whole input (the items end with 'EOF' or an 'error'). */
export function lex(name: string, input: string, left = '{{', right = '}}'): Item[] {
  return new Lexer(name, input, left, right).items;
}
