import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../../core/cli/base-command.js';
import { boolFlag, intFlag, stringFlag } from '../../../core/cli/flags.js';
import { describeFsError } from '../../../core/client/errors.js';
import { fileDoesNotExist, writeAtomicWithPerms } from '../../../core/tls/files.js';

const SERVER_WARNING = `==> WARNING: Server Certificates grants authority to become a
    server and access all state in the cluster including root keys
    and all ACL tokens. Do not distribute them to production hosts
    that are not server nodes. Store them as securely as CA keys.`;

/** Consul gives up looking for a free `<prefix>-<n>.pem` after n = 10000. */
const MAX_INDEX = 10_000;

// Consul: command/tls/cert/create/tls_cert_create.go
export default class TlsCertCreate extends BaseCommand {
  static override summary = 'Create a new certificate';
  static override description = `
Usage: consul tls cert create [options]

  Create a new certificate

  $ consul tls cert create -server
  ==> WARNING: Server Certificates grants authority to become a
      server and access all state in the cluster including root keys
      and all ACL tokens. Do not distribute them to production hosts
      that are not server nodes. Store them as securely as CA keys.
  ==> Using consul-agent-ca.pem and consul-agent-ca-key.pem
  ==> Saved dc1-server-consul-0.pem
  ==> Saved dc1-server-consul-0-key.pem
  $ consul tls cert create -client
  ==> Using consul-agent-ca.pem and consul-agent-ca-key.pem
  ==> Saved dc1-client-consul-0.pem
  ==> Saved dc1-client-consul-0-key.pem
`;
  static override flags = {
    'additional-dnsname': Flags.string({
      multiple: true,
      description: 'Provide an additional dnsname for Subject Alternative Names. localhost is always included. This flag may be provided multiple times.',
    }),
    'additional-ipaddress': Flags.string({
      multiple: true,
      description: 'Provide an additional ipaddress for Subject Alternative Names. 127.0.0.1 is always included. This flag may be provided multiple times.',
    }),
    ca: stringFlag('Provide path to the ca. Defaults to #DOMAIN#-agent-ca.pem.', '#DOMAIN#-agent-ca.pem'),
    cli: boolFlag('Generate cli certificate.'),
    client: boolFlag('Generate client certificate.'),
    days: intFlag('Provide number of days the certificate is valid for from now on. Defaults to 1 year.', 365),
    dc: stringFlag('Provide the datacenter. Matters only for -server certificates. Defaults to dc1.', 'dc1'),
    domain: stringFlag('Provide the domain. Matters only for -server certificates.', 'consul'),
    key: stringFlag('Provide path to the key. Defaults to #DOMAIN#-agent-ca-key.pem.', '#DOMAIN#-agent-ca-key.pem'),
    node: stringFlag(
      'When generating a server cert and this is set an additional dns name is included of the form <node>.server.<datacenter>.<domain>.',
    ),
    server: boolFlag('Generate server certificate.'),
  };

  protected async execute(): Promise<number> {
    const { flags } = await this.parseGo(TlsCertCreate.flags);
    const ca = flags.ca ?? '';
    const key = flags.key ?? '';
    if (ca === '') return this.fail('Please provide the ca');
    if (key === '') return this.fail('Please provide the key');
    const kinds = [flags.server, flags.client, flags.cli].filter(Boolean).length;
    if (kinds !== 1) return this.fail('Please provide either -server, -client, or -cli');
    const node = flags.node ?? '';
    if (node !== '' && !flags.server) return this.fail('-node requires -server');

    const dc = flags.dc ?? 'dc1';
    const domain = flags.domain ?? 'consul';
    let dnsNames = (flags['additional-dnsname'] ?? []).filter((d) => d.length > 0).map((d) => d.trim());
    const ipAddresses: string[] = [];
    for (const raw of flags['additional-ipaddress'] ?? []) {
      if (raw.length === 0) continue;
      const ip = raw.trim();
      // Go's net.ParseIP would put a nil (empty) IP SAN in the certificate; refuse it instead.
      if (isIP(ip) === 0) return this.fail(`Invalid IP address: ${ip}`);
      ipAddresses.push(ip);
    }
    let name: string;
    let prefix: string;
    let extKeyUsage: Array<'serverAuth' | 'clientAuth'> = [];
    if (flags.server) {
      name = `server.${dc}.${domain}`;
      if (node !== '') dnsNames.push(`${node}.server.${dc}.${domain}`);
      dnsNames.push(name, 'localhost');
      ipAddresses.push('127.0.0.1');
      extKeyUsage = ['serverAuth', 'clientAuth'];
      prefix = `${dc}-server-${domain}`;
    } else if (flags.client) {
      name = `client.${dc}.${domain}`;
      dnsNames.push(name, 'localhost');
      ipAddresses.push('127.0.0.1');
      extKeyUsage = ['clientAuth', 'serverAuth'];
      prefix = `${dc}-client-${domain}`;
    } else {
      // Consul replaces the list here: -cli certificates carry no additional names or IPs.
      name = `cli.${dc}.${domain}`;
      dnsNames = [name, 'localhost'];
      ipAddresses.length = 0;
      prefix = `${dc}-cli-${domain}`;
    }

    let certFileName = '';
    let pkFileName = '';
    for (let i = 0; i <= MAX_INDEX; i++) {
      const cert = `${prefix}-${i}.pem`;
      const pk = `${prefix}-${i}-key.pem`;
      if (fileDoesNotExist(cert) && fileDoesNotExist(pk)) {
        certFileName = cert;
        pkFileName = pk;
        break;
      }
      if (i === MAX_INDEX) return this.fail("Could not find a filename that doesn't already exist");
    }

    const caFile = ca.replace('#DOMAIN#', domain);
    const keyFile = key.replace('#DOMAIN#', domain);
    let caPem: string;
    let keyPem: string;
    try {
      caPem = readFileSync(caFile, 'utf8');
    } catch (e) {
      return this.fail(`Error reading CA: ${describeFsError(e, caFile)}`);
    }
    try {
      keyPem = readFileSync(keyFile, 'utf8');
    } catch (e) {
      return this.fail(`Error reading CA key: ${describeFsError(e, keyFile)}`);
    }
    if (flags.server) this.out(SERVER_WARNING);
    this.out(`==> Using ${caFile} and ${keyFile}`);

    // The X.509 library loads only here, so other commands never pay for it.
    const tls = await import('../../../core/tls/index.js');
    let pair;
    try {
      const signer = await tls.parseSigner(keyPem);
      pair = await tls.generateAgentCert({ signer, caPem, name, days: flags.days, dnsNames, ipAddresses, extKeyUsage });
    } catch (e) {
      return this.fail(this.message(e));
    }
    const invalid = tls.verifyAgentCert(caPem, pair.certPem, name);
    if (invalid !== undefined) return this.fail(invalid);

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
