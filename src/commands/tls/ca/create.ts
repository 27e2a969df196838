import { Flags } from '@oclif/core';
import { BaseCommand } from '../../../core/cli/base-command.js';
import { boolFlag, intFlag, stringFlag } from '../../../core/cli/flags.js';
import { fileDoesNotExist, writeAtomicWithPerms } from '../../../core/tls/files.js';

// Consul: command/tls/ca/create/tls_ca_create.go
export default class TlsCaCreate extends BaseCommand {
  static override summary = 'Create a new consul CA';
  static override description = `
Usage: consul tls ca create [options]

  Create a new consul CA:

  $ consul tls ca create
  ==> saved consul-agent-ca.pem
  ==> saved consul-agent-ca-key.pem
`;
  static override flags = {
    'additional-name-constraint': Flags.string({
      multiple: true,
      description:
        'Add name constraints for the CA. Results in rejecting certificates for other DNS than specified. Can be used multiple times. Only used in combination with -name-constraint.',
    }),
    'cluster-id': stringFlag(
      "ID of the Consul cluster. Sets the CA's URI with the SPIFFEID composed of the cluster ID and domain  (specified by -domain or 'consul' by default).",
    ),
    'common-name': stringFlag('Common Name of CA. Defaults to Consul Agent CA.'),
    days: intFlag('Number of days the CA is valid for. Defaults to 1825 days (approximately 5 years).', 1825),
    domain: stringFlag(
      'The DNS domain of the Consul cluster that agents are configured with. Defaults to consul. Only used when -name-constraint is set. Additional domains can be passed with -additional-name-constraint.',
      'consul',
    ),
    'name-constraint': boolFlag(
      "Enables X.509 name constraints for the CA. If used, the CA only signs certificates for localhost and the domains specified by -domain and -additional-name-constraint. If Consul's UI is served over HTTPS in your deployment, add its DNS name with -additional-constraint. Defaults to false.",
    ),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(TlsCaCreate.flags);
    const domain = flags.domain ?? 'consul';
    const certFileName = `${domain}-agent-ca.pem`;
    const pkFileName = `${domain}-agent-ca-key.pem`;
    if (!fileDoesNotExist(certFileName)) return this.fail(`${certFileName} already exists.`);
    if (!fileDoesNotExist(pkFileName)) return this.fail(`${pkFileName} already exists.`);

    const constraints = flags['name-constraint'] ? [...(flags['additional-name-constraint'] ?? []), domain, 'localhost'] : [];
    // The X.509 library loads only here, so other commands never pay for it.
    const { generateAgentCa } = await import('../../../core/tls/index.js');
    let pair;
    try {
      pair = await generateAgentCa({
        days: flags.days,
        domain,
        permittedDnsDomains: constraints,
        clusterId: flags['cluster-id'] ?? '',
        commonName: flags['common-name'] ?? '',
      });
    } catch (e) {
      return this.fail(this.message(e));
    }
    try {
      writeAtomicWithPerms(certFileName, pair.certPem, 0o755, 0o666);
      this.out(`==> Saved ${certFileName}`);
      writeAtomicWithPerms(pkFileName, pair.keyPem, 0o755, 0o600);
      this.out(`==> Saved ${pkFileName}`);
    } catch (e) {
      return this.fail(this.message(e));
    }
    return 0;
  }
}
