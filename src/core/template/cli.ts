// `consul-template`: the command line (consul-template cli.go). Flags (Go `flag` semantics) over
// config files over defaults; then a Runner until -once finishes, a fatal error, or a signal.
// SIGHUP re-reads the configuration and templates; SIGINT/SIGTERM stop cleanly.
// Exit codes are consul-template's: 0 ok, 12 bad flags, 13 runner error, 14 config error.
import { constants as osConstants } from 'node:os';
import { type ClientConfig, resolveClientConfig } from '../client/index.js';
import { CONSUL_TS_VERSION } from '../version.js';
import { type Config, ConfigError, defaultConfig, finalizeConfig, loadConfigPath, parseTemplateFlag, parseWait } from './config.js';
import { durationValue } from './duration.js';
import { FlagError, type FlagSpec, parseGoFlags } from './flags.js';
import { Logger, parseLevel } from './log.js';
import { Runner, RunnerError } from './runner.js';

export const VERSION = '0.42.1';
export const HUMAN_VERSION = `consul-template v${VERSION} (consul-ts ${CONSUL_TS_VERSION})`;

export const EXIT = { ok: 0, error: 10, interrupt: 11, parseFlags: 12, runner: 13, config: 14 } as const;

interface CliOptions {
  configPaths: string[];
  dry: boolean;
  once: boolean;
  diff: boolean;
  version: boolean;
  /** Overrides applied over the files, in flag order. */
  overrides: Array<(c: Config) => void>;
}

function flagSpecs(o: CliOptions): Record<string, FlagSpec> {
  const ov = (f: (c: Config, v: string) => void): FlagSpec => ({ set: (v) => void o.overrides.push((c) => f(c, v)) });
  const bool = (f: (c: Config, v: boolean) => void): FlagSpec => ({ bool: true, set: (v) => void o.overrides.push((c) => f(c, v === 'true')) });
  const dur = (name: string, f: (c: Config, ms: number) => void): FlagSpec => ({
    set: (v) => {
      const ms = durationValue(v, name);
      o.overrides.push((c) => f(c, ms));
    },
  });
  const specs: Record<string, FlagSpec> = {
    config: { set: (v) => void o.configPaths.push(v) },
    'consul-addr': ov((c, v) => (c.consul.address = v)),
    'consul-auth': ov((c, v) => {
      const i = v.indexOf(':');
      c.consul.auth = i >= 0 ? { username: v.slice(0, i), password: v.slice(i + 1) } : { username: v, password: '' };
    }),
    'consul-retry': bool((c, v) => (c.consul.retry.enabled = v)),
    'consul-retry-attempts': ov((c, v) => (c.consul.retry.attempts = Number.parseInt(v, 10))),
    'consul-retry-backoff': dur('consul-retry-backoff', (c, ms) => (c.consul.retry.backoffMs = ms)),
    'consul-retry-max-backoff': dur('consul-retry-max-backoff', (c, ms) => (c.consul.retry.maxBackoffMs = ms)),
    'consul-ssl': bool((c, v) => (c.consul.ssl.enabled = v)),
    'consul-ssl-ca-cert': ov((c, v) => (c.consul.ssl.caCert = v)),
    'consul-ssl-ca-path': ov((c, v) => (c.consul.ssl.caPath = v)),
    'consul-ssl-cert': ov((c, v) => (c.consul.ssl.cert = v)),
    'consul-ssl-key': ov((c, v) => (c.consul.ssl.key = v)),
    'consul-ssl-server-name': ov((c, v) => (c.consul.ssl.serverName = v)),
    'consul-ssl-verify': bool((c, v) => (c.consul.ssl.verify = v)),
    'consul-token': ov((c, v) => (c.consul.token = v)),
    'consul-token-file': ov((c, v) => (c.consul.tokenFile = v)),
    'default-left-delimiter': ov((c, v) => (c.defaultDelims.left = v)),
    'default-right-delimiter': ov((c, v) => (c.defaultDelims.right = v)),
    dry: { bool: true, set: (v) => void (o.dry = v === 'true') },
    diff: { bool: true, set: (v) => void (o.diff = v === 'true') },
    once: { bool: true, set: (v) => void (o.once = v === 'true') },
    exec: ov((c, v) => (c.exec = { command: v, killSignal: c.exec?.killSignal ?? 'SIGINT', reloadSignal: c.exec?.reloadSignal ?? '', killTimeoutMs: c.exec?.killTimeoutMs ?? 30_000 })),
    'exec-kill-signal': ov((c, v) => c.exec && (c.exec.killSignal = v)),
    'exec-reload-signal': ov((c, v) => c.exec && (c.exec.reloadSignal = v)),
    'exec-kill-timeout': dur('exec-kill-timeout', (c, ms) => c.exec && (c.exec.killTimeoutMs = ms)),
    'kill-signal': ov((c, v) => (c.killSignal = v)),
    'reload-signal': ov((c, v) => (c.reloadSignal = v)),
    'log-level': {
      set: (v) => {
        const level = parseLevel(v);
        if (!level) throw new Error(`invalid log level ${JSON.stringify(v)}`);
        o.overrides.push((c) => (c.logLevel = level));
      },
    },
    'max-stale': dur('max-stale', (c, ms) => (c.maxStaleMs = ms)),
    'block-query-wait': dur('block-query-wait', (c, ms) => (c.blockQueryWaitMs = ms)),
    'pid-file': ov((c, v) => (c.pidFile = v)),
    template: {
      set: (v) => {
        const t = parseTemplateFlag(v);
        o.overrides.push((c) => void c.templates.push(structuredClone(t)));
      },
    },
    'template-error-fatal': bool((c, v) => (c.templateErrFatal = v)),
    wait: {
      set: (v) => {
        const w = parseWait(v);
        o.overrides.push((c) => (c.wait = w));
      },
    },
    v: { bool: true, set: (v) => void (o.version = v === 'true') },
    version: { bool: true, set: (v) => void (o.version = v === 'true') },
  };
  // Names from older consul-template releases that walkthroughs still use.
  specs.consul = specs['consul-addr']!;
  specs.token = specs['consul-token']!;
  specs.auth = specs['consul-auth']!;
  specs.retry = dur('retry', (c, ms) => (c.consul.retry = { ...c.consul.retry, backoffMs: ms, maxBackoffMs: ms }));
  specs.ssl = specs['consul-ssl']!;
  specs['ssl-verify'] = specs['consul-ssl-verify']!;
  specs['ssl-cert'] = specs['consul-ssl-cert']!;
  specs['ssl-key'] = specs['consul-ssl-key']!;
  specs['ssl-ca-cert'] = specs['consul-ssl-ca-cert']!;
  return specs;
}

/** Files (left to right), then the flags; throws ConfigError. */
export function loadConfig(o: CliOptions, env: NodeJS.ProcessEnv): Config {
  let c = defaultConfig();
  if (env.CONSUL_TEMPLATE_LOG_LEVEL) c.logLevel = parseLevel(env.CONSUL_TEMPLATE_LOG_LEVEL) ?? c.logLevel;
  for (const p of o.configPaths) c = loadConfigPath(c, p);
  for (const f of o.overrides) f(c);
  return finalizeConfig(c);
}

/** The API client settings: config and flags first, then CONSUL_HTTP_* (resolveClientConfig). */
export function clientConfigFor(c: Config, env: NodeJS.ProcessEnv): ClientConfig {
  let address = c.consul.address;
  if (address && c.consul.ssl.enabled && !address.includes('://')) address = `https://${address}`;
  const cfg = resolveClientConfig(
    {
      'http-addr': address,
      token: c.consul.token,
      'token-file': c.consul.tokenFile,
      'ca-file': c.consul.ssl.caCert,
      'ca-path': c.consul.ssl.caPath,
      'client-cert': c.consul.ssl.cert,
      'client-key': c.consul.ssl.key,
      'tls-server-name': c.consul.ssl.serverName,
    },
    env,
  );
  if (c.consul.ssl.enabled && !address) cfg.scheme = 'https';
  if (!c.consul.ssl.verify) cfg.tls.insecureSkipVerify = true;
  if (c.consul.auth) cfg.basicAuth = c.consul.auth;
  return cfg;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const o: CliOptions = { configPaths: [], dry: false, once: false, diff: false, version: false, overrides: [] };
  const log = new Logger('warn');
  try {
    const rest = parseGoFlags(argv, flagSpecs(o));
    if (rest.length > 0) throw new FlagError(`cli: extra args: [${rest.map((a) => JSON.stringify(a)).join(' ')}]`);
  } catch (err) {
    if ((err as Error).message === 'help requested') {
      process.stdout.write(USAGE);
      return EXIT.ok;
    }
    process.stderr.write(`${(err as Error).message}\n`);
    return EXIT.parseFlags;
  }
  if (o.version) {
    process.stdout.write(`${HUMAN_VERSION}\n`);
    return EXIT.ok;
  }
  // `-dry` is one shot: it shows what would be written, then exits.
  const once = o.once || o.dry;
  let config: Config;
  let client: ClientConfig;
  try {
    config = loadConfig(o, env);
    log.setLevel(config.logLevel);
    client = clientConfigFor(config, env);
  } catch (err) {
    log.error(`(cli) ${(err as Error).message}`);
    return EXIT.config;
  }
  for (const [key, value] of [['kill_signal', config.killSignal], ['reload_signal', config.reloadSignal]] as const) {
    if (!signalName(value)) {
      log.error(`(cli) ${key}: unknown signal ${JSON.stringify(value)}`);
      return EXIT.config;
    }
  }
  log.info(`(cli) ${HUMAN_VERSION}`);
  if (config.templates.length === 0 && !config.exec) {
    log.error('(cli) runner: must specify at least one template or exec');
    return EXIT.config;
  }
  const stdout = (s: string) => void process.stdout.write(s);
  const makeRunner = (c: Config, cc: ClientConfig): Runner => new Runner(c, { dry: o.dry, once, diff: o.diff, env, log, stdout, client: cc });
  let runner: Runner;
  try {
    runner = makeRunner(config, client);
  } catch (err) {
    log.error(`(cli) ${(err as Error).message}`);
    return EXIT.runner;
  }
  return new Promise<number>((resolve) => {
    let current = runner;
    const finish = (code: number) => {
      process.off(reloadSignal, onHup);
      for (const sig of stopSignals) process.off(sig, onStop);
      resolve(code);
    };
    const watchRunner = (r: Runner) => {
      r.done.then(
        () => {
          if (r === current && !reloading) finish(EXIT.ok);
        },
        (err: Error) => {
          if (r !== current) return;
          log.error(`(cli) ${err.message}`);
          finish(err instanceof RunnerError ? err.exitCode : EXIT.runner);
        },
      );
    };
    let reloading = false;
    const onHup = () => {
      process.stderr.write('Reloading configuration...\n');
      reloading = true;
      current.stop();
      try {
        const c = loadConfig(o, env);
        log.setLevel(c.logLevel);
        current = makeRunner(c, clientConfigFor(c, env));
      } catch (err) {
        log.error(`(cli) ${(err as Error).message}`);
        finish(err instanceof ConfigError ? EXIT.config : EXIT.runner);
        return;
      } finally {
        reloading = false;
      }
      watchRunner(current);
      current.start();
    };
    const onStop = () => {
      process.stderr.write('Cleaning up...\n');
      current.stop();
      finish(EXIT.ok);
    };
    // reload_signal (SIGHUP) and kill_signal (SIGINT) as configured; SIGTERM always stops.
    const reloadSignal = signalName(config.reloadSignal) ?? 'SIGHUP';
    const stopSignals = [...new Set([signalName(config.killSignal) ?? 'SIGINT', 'SIGTERM' as NodeJS.Signals])].filter((sig) => sig !== reloadSignal);
    process.on(reloadSignal, onHup);
    for (const sig of stopSignals) process.on(sig, onStop);
    watchRunner(current);
    current.start();
  });
}

/** "SIGHUP", "HUP" or "sighup" -> "SIGHUP"; undefined for an unknown name. */
export function signalName(s: string): NodeJS.Signals | undefined {
  const up = s.trim().toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  return name in osConstants.signals ? (name as NodeJS.Signals) : undefined;
}

const USAGE = `Usage: consul-template [options]

  Watches a series of templates on the file system, writing new changes when
  Consul is updated. It runs until an interrupt is received unless the -once
  flag is specified.

Options:

  -config=<path>              Config file or directory (repeatable; HCL or JSON)
  -consul-addr=<address>      Address of the Consul agent (default CONSUL_HTTP_ADDR or 127.0.0.1:8500)
  -consul-token=<token>       ACL token (default CONSUL_HTTP_TOKEN)
  -consul-auth=<user[:pass]>  HTTP basic authentication
  -consul-retry, -consul-retry-attempts=<n>, -consul-retry-backoff=<d>, -consul-retry-max-backoff=<d>
  -consul-ssl, -consul-ssl-verify, -consul-ssl-cert, -consul-ssl-key, -consul-ssl-ca-cert,
  -consul-ssl-ca-path, -consul-ssl-server-name
  -template=<source:destination[:command]>   (repeatable)
  -wait=<min[:max]>           Quiescence timers (max defaults to 4 x min)
  -once                       Render once and exit
  -dry                        Print rendered templates to stdout ("> path" header) instead of writing; one shot
  -diff                       Print a unified diff of each change before writing it (with -dry: only the diff)
  -exec=<command>             Supervise a child process; -exec-kill-signal, -exec-reload-signal, -exec-kill-timeout
  -kill-signal, -reload-signal, -log-level=<level>, -pid-file=<path>, -max-stale=<d>,
  -block-query-wait=<d>, -template-error-fatal, -default-left-delimiter, -default-right-delimiter
  -v, -version                Print the version and exit
`;
