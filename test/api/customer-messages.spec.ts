import { Logger } from '@nestjs/common';
import type { Svix } from 'svix';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useDispatcher, validationErrors } from '../support/dispatcher-app.js';

const PRIVATE = "This URL points to a private network address; the webhook can't reach it. Use a public URL.";
const LOCAL = "This URL points to a local address (like localhost); the webhook can't reach it. Use a public URL.";
const RESERVED = "This URL points to an address outside the public internet; the webhook can't reach it. Use a public URL.";

/** The test dispatcher allows 127.0.0.0/8 only, so every other range off the public internet is refused. */
describe('messages for customers: a portal token reads what to do, the operator the network detail', () => {
  const h = useDispatcher();
  let appId: string;
  let endpointId: string;
  let customer: Svix;

  beforeAll(async () => {
    appId = (await h.svix.application.create({ name: 'Customer words' })).id;
    endpointId = (await h.svix.endpoint.create(appId, { url: h.receiver.url('/hook') })).id;
    customer = h.dispatcher.as((await h.svix.authentication.appPortalAccess(appId, {})).token);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['http://10.0.0.5/hook', PRIVATE, 'url is refused: 10.0.0.5 is a private address (10.0.0.0/8), not in the allowed CIDRs'],
    ['http://169.254.169.254/latest/meta-data/', PRIVATE, 'url is refused: 169.254.169.254 is a cloud metadata address (169.254.169.254/32), not in the allowed CIDRs'],
    ['http://[::1]:8080/hook', LOCAL, 'url is refused: ::1 is a loopback address (::1/128), not in the allowed CIDRs'],
    ['http://0.0.0.0/hook', LOCAL, 'url is refused: 0.0.0.0 is a unspecified ("this network") address (0.0.0.0/8), not in the allowed CIDRs'],
    ['http://192.0.2.10/hook', RESERVED, 'url is refused: 192.0.2.10 is a documentation address (192.0.2.0/24), not in the allowed CIDRs'],
  ])('refuses %s as an endpoint URL: the same 422 on url, in words for each reader', async (url, forCustomer, forOperator) => {
    const warn = vi.spyOn(Logger.prototype, 'warn');
    expect(await validationErrors(customer.endpoint.create(appId, { url }))).toEqual([{ loc: ['body', 'url'], msg: forCustomer, type: 'value_error.url.forbidden' }]);
    // What the customer was not told stays in the dispatcher's log, for the operator.
    expect(warn).toHaveBeenCalledWith(`endpoint URL refused to a portal user of application ${appId}: ${forOperator.slice('url is refused: '.length)}`);

    warn.mockClear();
    expect(await validationErrors(h.svix.endpoint.create(appId, { url }))).toEqual([{ loc: ['body', 'url'], msg: forOperator, type: 'value_error.url.forbidden' }]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('words a refused change of URL for the customer too, and keeps the endpoint as it was', async () => {
    expect(await validationErrors(customer.endpoint.patch(appId, endpointId, { url: 'http://192.168.1.20/hook' }))).toEqual([
      { loc: ['body', 'url'], msg: PRIVATE, type: 'value_error.url.forbidden' },
    ]);
    expect(await validationErrors(customer.endpoint.upsert(appId, endpointId, { url: 'http://[fd00::1]/hook' }))).toEqual([
      { loc: ['body', 'url'], msg: PRIVATE, type: 'value_error.url.forbidden' },
    ]);
    expect((await h.svix.endpoint.get(appId, endpointId)).url).toBe(h.receiver.url('/hook'));
  });

  it('names the field of a refused header once, for the customer and the operator alike', async () => {
    const reserved = 'headers: "Host" is reserved (each delivery sets it, or HTTP does) and cannot be given';
    for (const client of [customer, h.svix]) {
      expect(await validationErrors(client.endpoint.patchHeaders(appId, endpointId, { headers: { Host: 'internal.example' } }))).toEqual([
        { loc: ['body', 'headers'], msg: reserved, type: 'isHeaderMap' },
      ]);
    }
    const [invalid] = await validationErrors(customer.endpoint.patchHeaders(appId, endpointId, { headers: { 'x y': '1' } }));
    expect(invalid).toMatchObject({ loc: ['body', 'headers'], msg: 'headers: "x y" is not a valid header name' });
  });
});
