import dns, { type LookupAddress } from 'node:dns';
import { isIP, type TcpNetConnectOpts } from 'node:net';
import { Injectable } from '@nestjs/common';
import type { ResolvedWebhooksOptions } from '../config/webhooks-options.interface.js';
import { ForbiddenDestinationError } from '../exceptions/homing-errors.js';
import { InjectWebhooksOptions } from '../webhooks.decorators.js';
import { AddressPolicy } from './address-ranges.js';

type LookupFunction = NonNullable<TcpNetConnectOpts['lookup']>;

/**
 * Where webhooks may go (SSRF protection): endpoint URLs are judged when saved, and again on every
 * connection on the address it actually resolves to, so a name that later resolves elsewhere
 * (DNS rebinding) is still caught.
 */
@Injectable()
export class DestinationPolicy {
  private readonly addresses: AddressPolicy;

  constructor(@InjectWebhooksOptions() private readonly options: ResolvedWebhooksOptions) {
    this.addresses = new AddressPolicy(options.allowedCidrs);
  }

  /** For saving an endpoint: a ForbiddenDestinationError naming the reason when its URL may not be a destination. */
  async assertAllowed(url: string): Promise<void> {
    const refused = await this.refusal(url, { resolve: true });
    if (refused) throw refused;
  }

  /**
   * Why a URL may not be posted to (the error to throw), or null: its scheme, an IP-literal host (never
   * looked up, so the connect-time check cannot see it), and with `resolve` the addresses its host name has
   * now. A name that does not resolve is not refused here; its connections are judged when it does.
   */
  async refusal(url: string, { resolve }: { resolve: boolean }): Promise<ForbiddenDestinationError | null> {
    const { protocol, hostname } = new URL(url);
    if (this.options.httpsOnly && protocol !== 'https:') return new ForbiddenDestinationError(`${protocol} URLs are refused (httpsOnly is set)`, { kind: 'scheme' });
    if (isIP(hostname.replace(/^\[|\]$/g, ''))) {
      const refused = this.addresses.refusal(hostname);
      return refused && new ForbiddenDestinationError(refused.reason, { kind: refused.kind });
    }
    if (!resolve) return null;
    const resolved = await dns.promises.lookup(hostname, { all: true }).catch(() => []);
    return this.hostRefusal(hostname, resolved);
  }

  /** A `lookup` for sockets: resolves as usual, then fails the connection if the name has a forbidden address. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const refused = this.hostRefusal(hostname, addresses);
      if (refused) return callback(refused, '');
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };

  /** Any forbidden address refuses the name: the client, not the attacker, would pick which one is used. */
  private hostRefusal(hostname: string, addresses: readonly LookupAddress[]): ForbiddenDestinationError | null {
    for (const { address } of addresses) {
      const refused = this.addresses.refusal(address);
      if (refused) return new ForbiddenDestinationError(`host "${hostname}" resolves to a forbidden address: ${refused.reason}`, { kind: refused.kind, host: hostname });
    }
    return null;
  }
}
