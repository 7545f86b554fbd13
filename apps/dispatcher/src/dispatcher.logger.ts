import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** What `HOMING_LOG_LEVEL` may say, least detail first; each level shows those before it too. */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug'] as const satisfies readonly LogLevel[];
export type DispatcherLogLevel = (typeof LOG_LEVELS)[number];

/** Nest's start-up detail (a line per module and per route, about 80): debug, so the banner stays on screen. */
const START_UP_DETAIL = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Nest's console logger at the configured level, with the start-up detail moved to debug. */
export class DispatcherLogger extends ConsoleLogger {
  constructor(level: DispatcherLogLevel) {
    super({ logLevels: ['fatal', ...LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1)] });
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (typeof context === 'string' && START_UP_DETAIL.has(context)) super.debug(message, ...rest);
    else super.log(message, ...rest);
  }
}
