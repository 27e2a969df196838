// sorted-btree is CommonJS with `exports.default`; under NodeNext its default import is the module
// object. This adapter gives the rest of the state store a plain constructor and type.
// (Why sorted-btree: a maintained B+tree with ordered range scans and O(1) copy-on-write clone(),
// which gives write transactions that roll back for free and point-in-time snapshot views.)
import type BTreeModule from 'sorted-btree';
import * as btreeModule from 'sorted-btree';

export type BTree<K, V> = BTreeModule.default<K, V>;
type BTreeCtor = typeof BTreeModule.default;

const mod = btreeModule as unknown as { default: BTreeCtor & { default?: BTreeCtor } };
const ctor: BTreeCtor = mod.default.default ?? mod.default;

/** Plain code-unit order for string keys: what Consul's radix tree gives, and cheaper than the
 * library's default comparator, which handles every comparable type. */
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function newBTree<V>(): BTree<string, V> {
  return new ctor<string, V>(undefined, compareStrings);
}
