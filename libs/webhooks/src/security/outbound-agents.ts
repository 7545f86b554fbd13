import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { DestinationPolicy } from './destination-policy.js';

export interface OutboundAgents {
  http: http.Agent;
  https: https.Agent;
  /**
   * True when requests leave through a proxy. The proxy then resolves the target, so the destination
   * must be judged (resolved) before the request instead of at connect time.
   */
  proxied: boolean;
}

/**
 * The sockets deliveries go out on: straight to the receiver, with every connection's resolved address
 * judged by the destination policy, or all through the configured HTTP(S) proxy (for a fixed egress IP).
 */
export function createOutboundAgents(proxyUrl: string | undefined, policy: DestinationPolicy): OutboundAgents {
  if (proxyUrl) {
    return { http: new HttpProxyAgent(proxyUrl, { keepAlive: true }), https: new HttpsProxyAgent(proxyUrl, { keepAlive: true }), proxied: true };
  }
  return {
    http: new http.Agent({ keepAlive: true, lookup: policy.lookup }),
    https: new https.Agent({ keepAlive: true, lookup: policy.lookup }),
    proxied: false,
  };
}
