// First, so that the heap is sized by it from the start (imports are evaluated in order).
import './heap-growth.js';
import 'reflect-metadata';
import cluster from 'node:cluster';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ConfigError, readDispatcherConfig, type DispatcherConfig, type StartingConfig } from './config/dispatcher-config.js';

const logger = new Logger('Dispatcher');

/** The settings, checked (a bad one ends the process), with the operator token, made up for the run if none is set. */
function readConfig(): { config: StartingConfig; generatedToken: boolean } {
  let config: DispatcherConfig;
  try {
    config = readDispatcherConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error(error.message);
    process.exit(1);
  }
  if (config.apiToken) return { config: { ...config, apiToken: config.apiToken }, generatedToken: false };
  if (process.env.NODE_ENV === 'production') {
    logger.error('HOMING_API_TOKEN is not set: in production the operator token must be configured');
    process.exit(1);
  }
  return { config: { ...config, apiToken: `hop_${randomBytes(24).toString('base64url')}` }, generatedToken: true };
}

/** Shown once, last, so a developer can use the API at once; HOMING_API_TOKEN keeps one across restarts. */
function banner(config: StartingConfig, generatedToken: boolean): string {
  const base = `http://localhost:${config.port}`;
  const lines = [
    `listening on port ${config.port}${config.processes > 1 ? ` (${config.processes} processes)` : ''}`,
    `  API     ${base}/api/v1   (Authorization: Bearer <operator token>)`,
    `  Docs    ${base}/docs`,
    `  Portal  ${config.portalUrl ?? `${base}/portal`}`,
  ];
  if (generatedToken) lines.push(`  Operator token for this run: ${config.apiToken}   (generated: set HOMING_API_TOKEN to keep one)`);
  return lines.join('\n');
}

// Loaded as needed: a cluster's primary runs no dispatcher, and starts sooner without Nest's modules.
const { config, generatedToken } = readConfig();
if (cluster.isWorker) {
  // One of a cluster's processes: its primary checked the same settings, gave it the token and shows the banner.
  const [{ startDispatcher }, { reportListening, processRole, BACKGROUND_NICE }] = await Promise.all([import('./dispatcher.bootstrap.js'), import('./dispatcher.cluster.js')]);
  const role = processRole();
  // Before the app starts, so the threads it starts from here on (libuv's pool) inherit it too.
  if (role === 'background') os.setPriority(BACKGROUND_NICE);
  await startDispatcher(config, role);
  reportListening();
} else if (config.processes > 1) {
  const { runCluster } = await import('./dispatcher.cluster.js');
  runCluster(config, () => logger.log(banner(config, generatedToken)));
} else {
  const { startDispatcher } = await import('./dispatcher.bootstrap.js');
  await startDispatcher(config);
  logger.log(banner(config, generatedToken));
}
