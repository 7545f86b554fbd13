import type { AddressInfo } from 'node:net';
import type { INestApplication, ModuleMetadata, NestApplicationOptions } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook } from 'svix';

export interface ReceiverTestApp {
  app: INestApplication;
  url(path: string): string;
  close(): Promise<void>;
}

export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];

/**
 * A real Nest HTTP app on a loopback port, built from the given module metadata, on Express or on
 * Fastify (created with `rawBody: true`, which the receiver needs there: README, Receiving webhooks).
 */
export async function startReceiverApp(metadata: ModuleMetadata, options: NestApplicationOptions = {}, platform: Platform = 'express'): Promise<ReceiverTestApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = platform === 'express' ? moduleRef.createNestApplication(options) : moduleRef.createNestApplication(new FastifyAdapter(), { rawBody: true, forceCloseConnections: true, ...options });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: (path) => `http://127.0.0.1:${port}/${path.replace(/^\//, '')}`, close: () => app.close() };
}

export interface SignOptions {
  id?: string;
  at?: Date;
}

let counter = 0;
export const nextId = (): string => `msg_test_${Date.now().toString(36)}_${++counter}`;

/** `svix-*` headers as the official svix package signs them. */
export function svixHeaders(secret: string, body: string, { id = nextId(), at = new Date() }: SignOptions = {}): Record<string, string> {
  return { 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': new Webhook(secret).sign(id, at, body) };
}

/** `webhook-*` headers as the official standardwebhooks package signs them. */
export function standardHeaders(secret: string, body: string, { id = nextId(), at = new Date() }: SignOptions = {}): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new StandardWebhook(secret).sign(id, at, body) };
}

export interface PostResult {
  status: number;
  body: string;
  json: unknown;
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<PostResult> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, body: text, json };
}
