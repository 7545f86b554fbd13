import type { AttemptTrigger } from '../entities/index.js';
import { FAILING_AFTER_ATTEMPTS, OPERATIONAL_EVENT } from '../webhooks.constants.js';

export type AttemptEventType = (typeof OPERATIONAL_EVENT)['messageAttemptFailing' | 'messageAttemptExhausted' | 'messageAttemptRecovered'];

export interface AttemptOutcome {
  trigger: AttemptTrigger;
  /** This attempt's place in the current run of the retry schedule (1 for the first). */
  scheduleStep: number;
  succeeded: boolean;
  /** Another attempt is scheduled. */
  retrying: boolean;
}

/**
 * The `message.attempt.*` events an attempt calls for, as Svix sends them: `failing` on the 4th
 * failure, `exhausted` when no retry is left, `recovered` on a success after `failing`. Manual
 * attempts (resend, recover) have no schedule and call for none.
 */
export function attemptEvents({ trigger, scheduleStep, succeeded, retrying }: AttemptOutcome): AttemptEventType[] {
  if (trigger !== 'scheduled') return [];
  if (succeeded) return scheduleStep > FAILING_AFTER_ATTEMPTS ? [OPERATIONAL_EVENT.messageAttemptRecovered] : [];
  return [
    ...(scheduleStep === FAILING_AFTER_ATTEMPTS ? [OPERATIONAL_EVENT.messageAttemptFailing] : []),
    ...(retrying ? [] : [OPERATIONAL_EVENT.messageAttemptExhausted]),
  ];
}
