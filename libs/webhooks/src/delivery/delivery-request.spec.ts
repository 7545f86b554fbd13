import { createHmac } from 'node:crypto';
import { Webhook } from 'svix';
import { describe, expect, it } from 'vitest';
import type { ApplicationEntity, EndpointEntity, MessageEntity } from '../entities/index.js';
import { generateSecret } from '../signing/webhook-secret.js';
import { deliveryRequest, maskedHeaders } from './delivery-request.js';

const message = { id: 'msg_1', requestId: null, eventType: 'order.completed', payload: '{"id": 7}', createdAt: new Date('2026-01-02T03:04:05.678Z') } as MessageEntity;
const application = { id: 'app_1', uid: 'acme', developerId: null, envelope: false, signatureScheme: null } as ApplicationEntity;
const endpointWith = (changes: Partial<EndpointEntity> = {}) =>
  ({ secret: generateSecret(), previousSecrets: null, headers: { 'x-team': 'billing' }, signatureScheme: null, ...changes }) as EndpointEntity;

describe('deliveryRequest', () => {
  it('sends the stored payload as it is, signed per Standard Webhooks, with the endpoint headers', () => {
    const endpoint = endpointWith();
    const { body, headers } = deliveryRequest(message, endpoint, application);
    expect(body).toBe('{"id": 7}');
    expect(headers).toMatchObject({ 'x-team': 'billing', 'content-type': 'application/json', 'webhook-id': 'msg_1' });
    expect(() => new Webhook(endpoint.secret).verify(body, headers)).not.toThrow();
  });

  it("signs the body Rye's way with the current secret only, and names the developer in the account header", () => {
    const previous = generateSecret();
    const endpoint = endpointWith({ previousSecrets: [{ secret: previous, expiresAt: '2999-01-01T00:00:00Z' }] });
    const { body, headers } = deliveryRequest(message, endpoint, { ...application, signatureScheme: { type: 'body-hmac' } });
    expect(headers['Rye-Hmac-Signature-V1']).toBe(createHmac('sha256', endpoint.secret).update(body).digest('base64'));
    expect(headers['Rye-Verification']).toBe('acme');
    expect(Object.keys(headers).filter((name) => /^(webhook|svix)-/.test(name))).toEqual([]);
  });

  it("prefers the endpoint's scheme to the application's", () => {
    const endpoint = endpointWith({ signatureScheme: { type: 'standard-webhooks' } });
    const { headers } = deliveryRequest(message, endpoint, { ...application, signatureScheme: { type: 'body-hmac' } });
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    expect(headers['Rye-Hmac-Signature-V1']).toBeUndefined();
  });

  it('wraps the payload in the envelope when the application asks, and signs the envelope', () => {
    const endpoint = endpointWith();
    const { body, headers } = deliveryRequest({ ...message, requestId: 'req_1' }, endpoint, { ...application, envelope: true, developerId: 'dev_1' });
    expect(body).toBe('{"id":"msg_1","requestId":"req_1","developerId":"dev_1","type":"order.completed","data":{"id": 7},"createdAt":"2026-01-02T03:04:05.678Z"}');
    expect(() => new Webhook(endpoint.secret).verify(body, headers)).not.toThrow();
  });

  it('names the signatures and secret endpoint headers as sensitive, and masks only those when kept', () => {
    const endpoint = endpointWith({ headers: { Authorization: 'Bearer t0ken', Cookie: 'c=1', 'x-team': 'billing' } });
    const standard = deliveryRequest(message, endpoint, application);
    expect(standard.sensitive.sort()).toEqual(['Authorization', 'Cookie', 'svix-signature', 'webhook-signature']);
    const kept = maskedHeaders(standard);
    expect(Object.keys(kept)).toEqual(Object.keys(standard.headers));
    expect(JSON.stringify(kept)).not.toMatch(/t0ken|c=1|v1,/);
    expect(kept).toMatchObject({ 'x-team': 'billing', 'webhook-id': 'msg_1', 'webhook-timestamp': standard.headers['webhook-timestamp'] });

    const rye = deliveryRequest(message, endpoint, { ...application, signatureScheme: { type: 'body-hmac', header: 'X-Body-Signature' } });
    expect(rye.sensitive.sort()).toEqual(['Authorization', 'Cookie', 'X-Body-Signature']);
  });

  it("puts a transformation's headers before the endpoint's of the same name, in any case, and signs the body it made", () => {
    const endpoint = endpointWith({ headers: { 'X-Team': 'billing', 'x-keep': '1' } });
    const transformed = { ...message, payload: '{"total":12.5}' };
    const { body, headers } = deliveryRequest(transformed, endpoint, application, new Date(), { 'x-team': 'shipping', Authorization: 'Bearer added' });
    expect(body).toBe('{"total":12.5}');
    expect(headers).toMatchObject({ 'x-team': 'shipping', 'x-keep': '1', Authorization: 'Bearer added' });
    expect(headers['X-Team']).toBeUndefined();
    expect(() => new Webhook(endpoint.secret).verify(body, headers)).not.toThrow();
    expect(deliveryRequest(transformed, endpoint, application, new Date(), { Authorization: 'Bearer added' }).sensitive).toContain('Authorization');
  });
});
