// HCL (version 1, the dialect of Consul's configuration files) -> plain JSON-like values.
//
// Two steps, as in Consul (agent/config/config.go Parse):
//  1. parseHcl: the generic HCL1 decode into interface{} values. Blocks and object values become
//     *lists of maps* (`service { name = "web" }` -> {service: [{name: "web"}]}); a repeated key
//     appends to such a list, so repeated blocks accumulate; `key "label" { }` nests the label as a
//     key ({key: [{label: [{...}]}]}); other repeated keys: the last one wins.
//  2. patchSliceOfMaps: Consul's fix-up that turns each one-element list of maps back into a map,
//     except for the keys that really are lists (services, checks, watches, ...).
// Syntax: `key = value`, `key { ... }`, `key "label" { ... }`, strings with escapes and `${...}`
// kept verbatim, heredocs (`<<EOF`, `<<-EOF`), numbers (decimal, 0x hex, 0 octal, floats), bools,
// lists `[a, b,]`, objects `{ a = 1, b = 2 }`, comments `#`, `//`, `/* */`.
// Pure: no I/O. Errors are HclError with Consul's `At <line>:<col>: <message>` prefix.

export { HclError } from './hcl/lexer.js';
export { parseHcl } from './hcl/parser.js';
export { CONSUL_LIST_KEYS, CONSUL_SKIP_TREES, patchSliceOfMaps, parseConsulHcl } from './hcl/consul.js';
