import { describe, expect, it } from 'vitest';
import { attemptEvents } from './attempt-events.js';

describe('attemptEvents', () => {
  const scheduled = { trigger: 'scheduled' as const, succeeded: false, retrying: true };

  it('sends failing on the 4th failure of a run, and on no other', () => {
    expect([1, 2, 3, 4, 5, 6].map((scheduleStep) => attemptEvents({ ...scheduled, scheduleStep }))).toEqual([
      [],
      [],
      [],
      ['message.attempt.failing'],
      [],
      [],
    ]);
  });

  it('sends exhausted when no retry is left, with failing too if that was the 4th failure', () => {
    expect(attemptEvents({ ...scheduled, scheduleStep: 8, retrying: false })).toEqual(['message.attempt.exhausted']);
    expect(attemptEvents({ ...scheduled, scheduleStep: 4, retrying: false })).toEqual(['message.attempt.failing', 'message.attempt.exhausted']);
  });

  it('sends recovered on a success only after failing was sent', () => {
    expect(attemptEvents({ ...scheduled, scheduleStep: 5, succeeded: true, retrying: false })).toEqual(['message.attempt.recovered']);
    expect(attemptEvents({ ...scheduled, scheduleStep: 4, succeeded: true, retrying: false })).toEqual([]);
  });

  it('sends nothing for manual attempts', () => {
    expect(attemptEvents({ trigger: 'manual', scheduleStep: 4, succeeded: false, retrying: false })).toEqual([]);
  });
});
