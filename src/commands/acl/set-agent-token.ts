import { AclCommand } from '../../core/cli/acl/acl-command.js';
import { loadDataSource } from '../../core/cli/acl/lookup.js';
import { clientFlags, serverFlags } from '../../core/cli/flags.js';
import { AGENT_TOKEN_PATHS, type AgentTokenType, ClientConfigError, ApiClient } from '../../core/client/index.js';

// (sic) Go's argument check knows only the first four types (agent_tokens.go dataFromArgs).
const TYPES = ['default', 'agent', 'recovery', 'replication'];

/** command/acl/agenttokens/agent_tokens.go */
export default class AclSetAgentToken extends AclCommand {
  static override summary = "Assign tokens for the Consul Agent's usage";
  static override description = `
Usage: consul acl set-agent-token [options] TYPE TOKEN

  This command will set the corresponding token for the agent to use. If token
  persistence is not enabled, then tokens uploaded this way are not persisted
  and if the agent reloads then the tokens will need to be set again.

  Token Types:

    default                           The default token is the token that the agent will use for
                                      both internal agent operations and operations initiated by
                                      the HTTP and DNS interfaces when no specific token is provided.
                                      If not set the agent will use the anonymous token.

    agent                             The token that the agent will use for internal agent operations.
                                      If not given then the default token is used for these operations.

    recovery                          This sets the token that can be used to access the Agent APIs in
                                      the event that the ACL datacenter cannot be reached.

    replication                       This is the token that the agent will use for replication
                                      operations. This token will need to be configured with read access
                                      to whatever data is being replicated.

    config_file_service_registration  This is the token that the agent uses to register services
                                      and checks defined in config files. This token needs to
                                      be configured with permission for the service or checks
                                      being registered. If not set, the default token is used.
                                      If a service or check definition contains a 'token'
                                      field, then that token is used instead.

  Example:

    $ consul acl set-agent-token default c4d0f8df-3aba-4ab6-a7a0-35b760dc29a1
`;
  static override flags = { ...clientFlags, ...serverFlags };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(AclSetAgentToken.flags);
    let type: string;
    let token: string;
    switch (argv.length) {
      case 0:
        return this.fail('Error! Missing TYPE and TOKEN arguments');
      case 1:
        return this.fail(TYPES.includes(argv[0]!) ? 'Error! Missing TOKEN argument' : 'Error! MISSING TYPE argument');
      case 2:
        type = argv[0]!;
        try {
          token = await loadDataSource(argv[1]!);
        } catch (e) {
          return this.fail(`Error! ${this.message(e)}`);
        }
        break;
      default:
        return this.fail(`Error! Too many arguments: expected 2 got ${argv.length}`);
    }
    // This command words a bad client config with a capital A ("Consul Agent").
    let client: ApiClient;
    try {
      client = ApiClient.fromFlags(flags);
    } catch (e) {
      if (e instanceof ClientConfigError) return this.fail(`Error connecting to Consul Agent: ${e.message}`);
      throw e;
    }
    try {
      if (!Object.hasOwn(AGENT_TOKEN_PATHS, type)) return this.fail('Unknown token type');
      await client.acl.setAgentToken(type as AgentTokenType, token);
    } catch (e) {
      return this.fail(`Failed to set ACL token ${JSON.stringify(type)}: ${this.message(e)}`);
    } finally {
      await client.close();
    }
    this.out(`ACL token ${JSON.stringify(type)} set successfully`);
    return 0;
  }
}
