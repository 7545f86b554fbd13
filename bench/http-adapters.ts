/**
 * `npm run bench:http` (issue 18): what Nest's HTTP layer costs per request on Express and on Fastify,
 * side by side in one run, before choosing one for the dispatcher. Each adapter serves, in a process of
 * its own, a route shaped like the message create: a bearer-token guard, a JSON body of the bench's
 * payload, a 202 with a JSON answer; autocannon drives it (32 connections, BENCH_HTTP_SECONDS each run),
 * the adapters taking turns for BENCH_RUNS runs. Prints requests/s and the server's CPU µs per request
 * (utime + stime from /proc), medians of the runs.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Body, type CanActivate, Controller, type ExecutionContext, HttpCode, Injectable, Module, Post, UnauthorizedException, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import autocannon from 'autocannon';
import { processCpuMs } from './cpu.js';
import { formatTable, median, type Figure } from './report.js';
import { env, log, PAYLOAD, PRODUCERS } from './session.js';

const ADAPTERS = ['express', 'fastify'] as const;
type Adapter = (typeof ADAPTERS)[number];
const SECONDS = env('BENCH_HTTP_SECONDS', 10);
const RUNS = env('BENCH_RUNS', 3);
const TOKEN = 'Bearer bench-http-token-0123456789';

@Injectable()
class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers.authorization !== TOKEN) throw new UnauthorizedException();
    return true;
  }
}

@Controller('api/v1/app/:app/msg')
@UseGuards(BearerGuard)
class MessagesController {
  @Post()
  @HttpCode(202)
  create(@Body() body: { eventType: string; payload: unknown }): object {
    return { id: 'msg_2pYvZ0cWJkD8hVbXnU3qR5sT7wA', eventType: body.eventType, payload: body.payload, timestamp: new Date().toISOString() };
  }
}

@Module({ controllers: [MessagesController], providers: [BearerGuard] })
class HttpBenchModule {}

/** The child: one adapter on a free loopback port, which it reports to the parent. */
async function serve(adapter: Adapter): Promise<void> {
  const app = adapter === 'express' ? await NestFactory.create(HttpBenchModule, { logger: false }) : await NestFactory.create(HttpBenchModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  process.send!({ port: (app.getHttpServer().address() as { port: number }).port });
}

async function start(adapter: Adapter): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['serve', adapter], { stdio: 'inherit' });
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  return { child, port };
}

async function run(adapter: Adapter, port: number, pid: number): Promise<{ rate: number; cpuUsPerRequest: number }> {
  const before = processCpuMs(pid)!;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/v1/app/app_bench/msg`,
    method: 'POST',
    headers: { authorization: TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ eventType: 'bench.event', payload: PAYLOAD }),
    connections: PRODUCERS,
    duration: SECONDS,
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${adapter}: ${result.non2xx} answers other than 2xx, ${result.errors} errors`);
  const requests = result['2xx'];
  return { rate: requests / SECONDS, cpuUsPerRequest: ((processCpuMs(pid)! - before) * 1000) / requests };
}

async function main(): Promise<void> {
  const servers = Object.fromEntries(await Promise.all(ADAPTERS.map(async (adapter) => [adapter, await start(adapter)] as const))) as Record<Adapter, { child: ChildProcess; port: number }>;
  const runs: Record<Adapter, { rate: number; cpuUsPerRequest: number }[]> = { express: [], fastify: [] };
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const adapter of ADAPTERS) {
        const { child, port } = servers[adapter];
        const result = await run(adapter, port, child.pid!);
        log(`${adapter} run ${i + 1}: ${Math.round(result.rate)} requests/s, ${Math.round(result.cpuUsPerRequest)} µs CPU a request`);
        runs[adapter].push(result);
      }
    }
  } finally {
    for (const { child } of Object.values(servers)) child.kill();
  }
  const figures: Figure[] = ADAPTERS.flatMap((adapter) => [
    { key: `${adapter}_rate`, label: `${adapter}: requests/s, ${PRODUCERS} connections`, value: median(runs[adapter].map((r) => r.rate)), unit: 'requests/s' },
    { key: `${adapter}_cpu`, label: `${adapter}: server CPU per request`, value: median(runs[adapter].map((r) => r.cpuUsPerRequest)), unit: 'µs' },
  ]);
  console.log(formatTable(figures, { runs: RUNS, seconds: SECONDS, connections: PRODUCERS, node: process.version }));
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Adapter);
else await main();
