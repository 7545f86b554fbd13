import { describe, expect, it } from 'vitest';
import { ValidationError } from '../exceptions/homing-errors.js';
import { AttemptSeriesInput, CLOCK_SKEW_MS, MAX_STATISTICS_DAYS, UsageInput } from './statistics.input.js';
import { validateInput } from './validation.js';

const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms);

/** The paths of the fields validateInput refuses, or [] when it accepts the input. */
async function refused(dto: new () => object, input: object): Promise<string[][]> {
  try {
    await validateInput(dto, input);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fields.map((field) => field.path);
  }
}

describe('a statistics window', () => {
  it('may be left out, or reach back 28 days (and a few minutes for a clock behind) from its end', async () => {
    expect(await refused(AttemptSeriesInput, {})).toEqual([]);
    expect(await refused(AttemptSeriesInput, { since: ago(MAX_STATISTICS_DAYS * DAY + 60_000) })).toEqual([]);
    expect(await refused(AttemptSeriesInput, { since: ago(40 * DAY), until: ago(12 * DAY + 60_000) })).toEqual([]);
    expect(await refused(UsageInput, { since: ago(DAY), until: new Date(Date.now() + CLOCK_SKEW_MS / 2) })).toEqual([]);
  });

  it('refuses a start further back, after its end, or an end in the future, naming the field', async () => {
    expect(await refused(AttemptSeriesInput, { since: ago(MAX_STATISTICS_DAYS * DAY + CLOCK_SKEW_MS + 60_000) })).toEqual([['since']]);
    expect(await refused(AttemptSeriesInput, { since: ago(DAY), until: ago(2 * DAY) })).toEqual([['since']]);
    expect(await refused(AttemptSeriesInput, { since: new Date(Date.now() + DAY) })).toEqual([['since']]);
    expect(await refused(AttemptSeriesInput, { until: new Date(Date.now() + 2 * CLOCK_SKEW_MS) })).toEqual([['until']]);
    expect(await refused(AttemptSeriesInput, { period: 'OneWeek' })).toEqual([['period']]);
    expect(await refused(AttemptSeriesInput, { endpointId: 'not an id' })).toEqual([['endpointId']]);
    // An end that is not a date is its own field's fault alone.
    expect(await refused(AttemptSeriesInput, { since: ago(DAY), until: 'soon' })).toEqual([['until']]);
  });

  it('is required where the operation says so', async () => {
    expect(await refused(UsageInput, {})).toEqual(expect.arrayContaining([['since'], ['until']]));
    expect(await refused(UsageInput, { since: ago(DAY), until: new Date(), appIds: ['not an id'] })).toEqual([['appIds']]);
  });
});
