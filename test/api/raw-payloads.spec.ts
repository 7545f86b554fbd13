import { messageInRaw, Webhook, type ApplicationOut } from 'svix';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReceivedRequest } from '../support/receiver.js';
import { apiError, deliveriesOf, useDispatcher, validationErrors } from '../support/dispatcher-app.js';

const CONTENT_TYPE_LOC = ['body', 'transformationsParams', 'headers', 'content-type'];

describe('raw payloads of any content type, through the svix SDK', () => {
  const h = useDispatcher();
  let app: ApplicationOut;
  let secret: string;

  beforeAll(async () => {
    app = await h.svix.application.create({ name: 'Raw payloads' });
    const endpoint = await h.svix.endpoint.create(app.id, { url: h.receiver.url('/raw') });
    secret = (await h.svix.endpoint.getSecret(app.id, endpoint.id)).key;
  });

  async function delivered(msgId: string): Promise<ReceivedRequest> {
    await vi.waitFor(() => expect(deliveriesOf(h.receiver, msgId)).toHaveLength(1), { timeout: 10_000, interval: 20 });
    return deliveriesOf(h.receiver, msgId)[0];
  }

  const verifies = (request: ReceivedRequest, body = request.body) => {
    try {
      new Webhook(secret).verify(body, request.headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  };

  it.each([
    ['application/xml', '<?xml version="1.0"?>\n<order id="7"><total currency="EUR">12.50</total></order>'],
    ['text/plain; charset=utf-8', 'Zoë 🚀 paid\r\n  { not: json } \\u00e9 "quoted"\t\n'],
  ])('delivers a %s payload with its content type, byte for byte, signed over those bytes', async (contentType, payload) => {
    const created = await h.svix.message.create(app.id, messageInRaw('order.paid', payload, contentType));

    const request = await delivered(created.id);
    expect(request.headers['content-type']).toBe(contentType);
    expect(request.body).toBe(payload);
    expect(verifies(request)).toBe(true);
    expect(verifies(request, `${request.body} `)).toBe(false);
    // Svix's message `payload` is an object: text that is not JSON shows as `{}`.
    expect(created.payload).toEqual({});
    expect(await h.svix.message.get(app.id, created.id, { withContent: true })).toMatchObject({ id: created.id, payload: {} });
    expect((await h.svix.message.list(app.id, { withContent: true })).data.find((message) => message.id === created.id)?.payload).toEqual({});
  });

  it('delivers a JSON raw payload as before: application/json unless a JSON type is given, read back as its object', async () => {
    const raw = '{ "spaced" :  true,\n  "n": 1.50 }';
    const plain = await h.svix.message.create(app.id, messageInRaw('order.paid', raw));
    const plainRequest = await delivered(plain.id);
    expect(plainRequest.headers['content-type']).toBe('application/json');
    expect(plainRequest.body).toBe(raw);
    expect(verifies(plainRequest)).toBe(true);
    expect((await h.svix.message.get(app.id, plain.id, { withContent: true })).payload).toEqual({ spaced: true, n: 1.5 });

    const vendor = await h.svix.message.create(app.id, messageInRaw('order.paid', raw, 'application/vnd.acme+json'));
    const vendorRequest = await delivered(vendor.id);
    expect(vendorRequest.headers['content-type']).toBe('application/vnd.acme+json');
    expect(vendorRequest.body).toBe(raw);
    expect((await h.svix.message.get(app.id, vendor.id, { withContent: true })).payload).toEqual({ spaced: true, n: 1.5 });

    const object = await h.svix.message.create(app.id, { eventType: 'order.paid', payload: { n: 1 } });
    expect((await delivered(object.id)).headers['content-type']).toBe('application/json');
  });

  it('still refuses text that is not JSON under a JSON content type (422 on rawPayload)', async () => {
    for (const contentType of [undefined, 'application/json', 'application/problem+json; charset=utf-8']) {
      expect(await validationErrors(h.svix.message.create(app.id, messageInRaw('order.paid', '<order/>', contentType)))).toEqual([
        expect.objectContaining({ loc: ['body', 'transformationsParams', 'rawPayload'], msg: 'rawPayload must be JSON text' }),
      ]);
    }
  });

  it.each([
    ['no subtype', 'xml'],
    ['a header break', 'text/plain\r\nx-injected: 1'],
    ['a line feed', 'text/plain;\ncharset=utf-8'],
    ['a space in the subtype', 'text/pla in'],
    ['a parameter with no value', 'text/plain; charset'],
    ['an unclosed quoted parameter', 'text/plain; name="a'],
    ['non-ASCII', 'text/plaïn'],
    ['too long a value', `application/${'x'.repeat(300)}`],
  ])('refuses a content type with %s: 422 naming the header', async (_case, contentType) => {
    const details = await validationErrors(h.svix.message.create(app.id, messageInRaw('order.paid', 'text', contentType)));
    expect(details).toEqual([expect.objectContaining({ loc: CONTENT_TYPE_LOC, msg: expect.stringContaining('must be a media type') })]);
  });

  it('reads the header by any case, refuses one that is not text, and accepts quoted parameters', async () => {
    const headers = (value: unknown) => ({ eventType: 'order.paid', payload: {}, transformationsParams: { rawPayload: 'text', headers: { 'Content-Type': value } } });
    expect(await validationErrors(h.svix.message.create(app.id, headers('no type')))).toEqual([expect.objectContaining({ loc: CONTENT_TYPE_LOC })]);
    for (const value of [5, '', ['text/plain']]) {
      expect(await validationErrors(h.svix.message.create(app.id, headers(value)))).toEqual([expect.objectContaining({ loc: CONTENT_TYPE_LOC })]);
    }

    const contentType = 'Text/CSV; header=present; title="Q1 \\"sales\\""';
    const created = await h.svix.message.create(app.id, headers(contentType));
    const request = await delivered(created.id);
    expect(request.headers['content-type']).toBe(contentType);
    expect(request.body).toBe('text');
  });

  it('applies the payload size limit to raw text (413)', async () => {
    const tooLarge = await apiError(h.svix.message.create(app.id, messageInRaw('order.paid', `<blob>${'x'.repeat(1_200_000)}</blob>`, 'application/xml')));
    expect(tooLarge.code).toBe(413);
    expect(tooLarge.body.code).toBe('payload_too_large');
  });
});
