// consul-template, inside consul-ts (bin/consul-template). Owns, in consul-template's own split:
//   text/          Go's text/template: lexer, parser, executor, builtins, fmt (pure)
//   dependency/    what templates read (catalog, health, KV, files) and how each is fetched
//   watch/         one blocking-query view per dependency (retry, stale, change detection)
//   brain.ts       the last data of each dependency
//   funcs-*.ts     the template functions (API functions record used/missing dependencies)
//   template.ts    one template: parse once, execute against the brain
//   renderer.ts    atomic write (perms, backup) or dry output
//   runner.ts      the render loop: watches, quiescence, commands (de-duplicated per run)
//   config.ts, flags.ts, cli.ts   configuration files, Go-style flags, the program
// Talks to agents only through src/core/client.
export { main, HUMAN_VERSION, EXIT } from './cli.js';
export { Runner, RunnerError, type RunnerOptions } from './runner.js';
export { ConsulTemplate } from './template.js';
export { Brain } from './brain.js';
export { type Config, ConfigError, defaultConfig, finalizeConfig, loadConfigPath, applyConfigObject, parseConfigText, parseTemplateFlag, parseWait } from './config.js';
export { Template as GoTemplate, TemplateError, ExecError } from './text/index.js';
