import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEditorAndWorker } from '../support/editor-and-worker.js';

/** A forward proxy on loopback: takes absolute-URI requests, counts them and passes them on. */
class ForwardProxy {
  readonly requests: string[] = [];
  private readonly server: Server = createServer((incoming, outgoing) => {
    this.requests.push(incoming.url ?? '');
    const upstream = request(incoming.url!, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });

  /** On 127.0.0.3, an address the delivery policy below does not allow: the proxy itself is not judged. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.3', resolve));
  }

  get url(): string {
    return `http://127.0.0.3:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A worker delivering through the proxy and allowing `allowedCidrs`. */
function useProxiedRig(allowedCidrs: string[]) {
  const proxy = new ForwardProxy();
  beforeAll(async () => {
    await proxy.listen();
  });
  afterAll(async () => {
    await proxy.close();
  });
  return Object.assign(useEditorAndWorker(() => ({ proxyUrl: proxy.url, allowedCidrs })), { proxy });
}

describe('deliveries through an HTTP proxy (proxyUrl)', () => {
  const rig = useProxiedRig(['127.0.0.1/32']);

  it('sends every delivery through the proxy, signed as usual', async () => {
    const url = rig.receiver.url('/via-proxy');
    const { endpoint, attempts } = await rig.deliverOnce(url);
    expect(attempts).toMatchObject([{ status: 'success', responseStatusCode: 200 }]);
    expect(rig.proxy.requests).toEqual([url]);
    const [received] = rig.receiver.on('/via-proxy');
    expect(() => new Webhook(endpoint.secret).verify(received.body, received.headers as Record<string, string>)).not.toThrow();
  });

  it('still refuses a forbidden destination, before the proxy is asked', async () => {
    const before = rig.proxy.requests.length;
    const port = new URL(rig.receiver.url()).port;
    const { attempts } = await rig.deliverOnce(`http://127.0.0.2:${port}/forbidden`);
    expect(attempts).toMatchObject([{ status: 'failed', response: 'refused: 127.0.0.2 is a loopback address (127.0.0.0/8), not in the allowed CIDRs; no request was made' }]);
    expect(rig.proxy.requests).toHaveLength(before);
  });
});

describe('a proxied delivery to a host name', () => {
  const rig = useProxiedRig([]);

  it('resolves the name before the proxy is asked, and refuses it when it has a forbidden address', async () => {
    const port = new URL(rig.receiver.url()).port;
    const { attempts } = await rig.deliverOnce(`http://localhost:${port}/named`);
    expect(attempts).toMatchObject([{ status: 'failed' }]);
    expect(attempts[0].response).toMatch(/^refused: host "localhost" resolves to a forbidden address: (127\.0\.0\.1|::1) is a loopback address/);
    expect(rig.proxy.requests).toHaveLength(0);
    expect(rig.receiver.on('/named')).toHaveLength(0);
  });
});
