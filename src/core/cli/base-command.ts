// BaseCommand: what every consul subcommand shares.
//  - arguments arrive already translated from Go-style flags by main.ts (see go-flags.ts), so
//    commands are non-strict and read positionals from `argv`;
//  - execute() returns the exit code (Consul's commands return ints; no throwing for user errors);
//  - api() builds the API client from the shared HTTP flags and closes it when the command ends;
//  - out()/err() are mitchellh/cli's UI.Output and UI.Error.
import { Command, type Interfaces } from '@oclif/core';
import { ApiClient, ClientConfigError, type HttpFlagValues } from '../client/index.js';
import { EXIT_ERROR } from './exit-codes.js';
import type { FlagSpecs } from './go-flags.js';
import { goFlagDefaults } from './help.js';
import { type Io, stdio } from './output.js';

export abstract class BaseCommand extends Command {
  static override strict = false;

  protected io: Io = stdio;
  private client: ApiClient | undefined;

  /** Run the command; the resolved number becomes the process exit code. */
  protected abstract execute(): Promise<number>;

  /**
   * Parse this command's (already translated) flags; every non-flag argument lands in argv.
   * Non-strict on purpose: oclif copies only own statics of the class, so `strict` is passed here.
   */
  protected async parseGo<F extends Interfaces.FlagInput>(
    flags: F,
  ): Promise<{ flags: Interfaces.InferredFlags<F>; argv: string[] }> {
    const r = await this.parse({ flags, strict: false });
    return { flags: r.flags as Interfaces.InferredFlags<F>, argv: r.argv as string[] };
  }

  async run(): Promise<void> {
    const code = await this.execute();
    process.exitCode = code;
  }

  protected out(line: string | Uint8Array): void {
    this.io.out(line);
  }

  protected err(line: string | Uint8Array): void {
    this.io.err(line);
  }

  /**
   * The API client for these flags, or undefined after printing
   * `Error connecting to Consul agent: <err>` (Consul's wording when the client cannot be built).
   */
  protected api(flags: HttpFlagValues): ApiClient | undefined {
    try {
      this.client ??= ApiClient.fromFlags(flags);
      return this.client;
    } catch (e) {
      if (e instanceof ClientConfigError) {
        this.err(`Error connecting to Consul agent: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  }

  /**
   * The same client for the commands that word a bad client config as Go's operator commands
   * do: `Error initializing client: <err>`, exit 1 (the caller returns 1 on undefined).
   */
  protected initClient(flags: HttpFlagValues): ApiClient | undefined {
    try {
      this.client ??= ApiClient.fromFlags(flags);
      return this.client;
    } catch (e) {
      if (e instanceof ClientConfigError) {
        this.err(`Error initializing client: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.close();
    return super.finally(err);
  }

  /** Message of an unknown thrown value. */
  protected message(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
  }

  /**
   * Ask the agent its node name first, as Consul's event, exec, lock and watch commands do, so an
   * unreachable agent fails early with `Error querying Consul agent: ...`. Undefined when it answered.
   */
  protected async agentUnreachable(client: ApiClient): Promise<number | undefined> {
    try {
      await client.agent.nodeName();
      return undefined;
    } catch (e) {
      return this.fail(`Error querying Consul agent: ${this.message(e)}`);
    }
  }

  /** Go's usage error for a `key=value` flag given without `=`, followed by the flag list. */
  protected badMapFlag(name: string, value: string): number {
    const specs = (this.config.findCommand(this.id ?? '')?.flags ?? {}) as unknown as FlagSpecs;
    this.err(`invalid value "${value}" for flag -${name}: Missing "=" value in argument: ${value}`);
    this.err(goFlagDefaults(specs).replace(/\n$/, ''));
    return EXIT_ERROR;
  }

  /** Print and return EXIT_ERROR, for one-line error paths. */
  protected fail(message: string): number {
    this.err(message);
    return EXIT_ERROR;
  }
}
