import { describe, expect, it } from 'vitest';
import { CliError } from './cli.io.js';
import { ApiError } from './dispatcher.client.js';
import { withAllowHint } from './listen.command.js';

const refused = (reason: string) => new ApiError(422, { detail: [{ loc: ['body', 'url'], msg: `url is refused: ${reason}`, type: 'value_error.url.forbidden' }] }, 'Unprocessable Entity');

describe('withAllowHint', () => {
  it('names the range to allow for a refused non-public address: loopback as 127.0.0.0/8, any other address alone', async () => {
    for (const [url, host, cidrs] of [
      ['http://127.0.0.1:3000/relay/rly_1', '127.0.0.1', '127.0.0.0/8'],
      ['http://10.0.0.5/hook', '10.0.0.5', '10.0.0.5/32'],
      ['http://[::1]:3000/relay/rly_1', '::1', '::1/128'],
    ]) {
      const error = (await withAllowHint(refused('a forbidden address'), url)) as CliError;
      expect(error).toBeInstanceOf(CliError);
      expect(error.message.split('\n')[1]).toBe(`the dispatcher delivers only to public addresses unless told otherwise; to let it reach ${host}, restart it with HOMING_ALLOWED_CIDRS=${cidrs}`);
    }
  });

  it('leaves any other error as it is: a public address, another field, another status', async () => {
    const publicHost = refused('http: URLs are refused (httpsOnly is set)');
    expect(await withAllowHint(publicHost, 'http://93.184.216.34/hook')).toBe(publicHost);
    const otherField = new ApiError(422, { detail: [{ loc: ['body', 'uid'], msg: 'uid is taken', type: 'value_error' }] }, '');
    expect(await withAllowHint(otherField, 'http://127.0.0.1/')).toBe(otherField);
    const notFound = new ApiError(404, { code: 'not_found', detail: 'application "x" not found' }, 'Not Found');
    expect(await withAllowHint(notFound, 'http://127.0.0.1/')).toBe(notFound);
  });
});
