// `consul connect proxy -register` (Consul: command/connect/proxy/register.go RegisterMonitor):
// register `<service>-proxy` (kind connect-proxy) on the local agent with a TTL check kept
// passing while the proxy runs, re-register if the agent forgot it, deregister on shutdown.
import type { ApiClient } from '../../client/index.js';
import type { Logger } from '../../support/logger.js';

const HEARTBEAT_MS = 10_000;
const TTL = '30s';

export class RegisterMonitor {
  private timer: NodeJS.Timeout | undefined;
  readonly serviceId: string;
  private readonly checkId: string;

  constructor(
    private readonly client: ApiClient,
    private readonly service: string,
    idSuffix: string,
    private readonly address: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {
    this.serviceId = `${service}-proxy${idSuffix !== '' ? `-${idSuffix}` : ''}`;
    this.checkId = `${this.serviceId}-ttl`;
  }

  async start(): Promise<void> {
    await this.register();
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
  }

  private async register(): Promise<void> {
    await this.client.agent.serviceRegister({
      Kind: 'connect-proxy',
      ID: this.serviceId,
      Name: `${this.service}-proxy`,
      Address: this.address,
      Port: this.port,
      Proxy: { DestinationServiceName: this.service },
      Check: { CheckID: this.checkId, Name: 'proxy heartbeat', TTL, Notes: 'Built-in proxy will heartbeat this check.', Status: 'passing' },
    });
    this.log.info(`registered service with agent: service=${this.serviceId}`);
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.client.connect.ttlPass(this.checkId, '');
    } catch (err) {
      // The agent lost the registration (restart without persistence): register again.
      this.log.warn(`heartbeat failed, re-registering: ${(err as Error).message}`);
      await this.register().catch((e: unknown) => this.log.error(`failed to register the proxy: ${(e as Error).message}`));
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client.agent.serviceDeregister(this.serviceId).catch((e: unknown) => this.log.warn(`failed to deregister the proxy: ${(e as Error).message}`));
  }
}
