import {
  BadRequestException,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import { verifyBodyHmac, verifyStandardWebhook, WebhookVerificationError } from '../signing/webhook-verifier.js';
import { WEBHOOK_RECEIVER_OPTIONS } from '../webhooks.constants.js';
import { type ReceivedRequest, VERIFIED_WEBHOOK, type VerifiedWebhook } from './webhook-context.js';
import type { ResolvedReceiverOptions } from './webhook-receiver-options.interface.js';

/**
 * Lets a request through only if its signature verifies over the raw body with one of the
 * receiver's secrets (and, for Standard Webhooks, its timestamp is within the tolerance): 401 with
 * a short reason otherwise. A verified JSON body becomes `request.body`; a malformed one is a 400.
 * `@WebhookController` routes use it; any route can, with `@UseGuards(WebhookSignatureGuard)`.
 */
@Injectable()
export class WebhookSignatureGuard implements CanActivate {
  private readonly logger = new Logger('WebhookSignatureGuard');

  constructor(@Inject(WEBHOOK_RECEIVER_OPTIONS) private readonly options: ResolvedReceiverOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ReceivedRequest>();
    request[VERIFIED_WEBHOOK] = await this.verify(request);
    return true;
  }

  private async verify(request: ReceivedRequest): Promise<VerifiedWebhook> {
    const signedRequest = this.options.signatureHeaders.some((name) => request.headers[name] !== undefined);
    // Without the bytes as sent there is nothing sound to verify: a re-serialised body is not them.
    if (signedRequest && !Buffer.isBuffer(request.rawBody)) {
      this.logger.error(`no raw body on ${request.method} ${request.url}: the receiver captures it on Express; elsewhere create the app with rawBody: true`);
      throw new InternalServerErrorException('raw body unavailable');
    }
    // An unsigned request goes on to fail on its first missing header.
    const rawBody = request.rawBody ?? Buffer.alloc(0);
    const secrets = await this.options.secrets(request);
    if (secrets.length === 0) this.reject(request, 'no secret for this request');
    let signed: VerifiedWebhook['signed'];
    try {
      if (this.options.bodyHmacHeader) verifyBodyHmac(secrets, request.headers, this.options.bodyHmacHeader, rawBody);
      else signed = verifyStandardWebhook(secrets, request.headers, rawBody, { toleranceMs: this.options.toleranceMs });
    } catch (error) {
      if (error instanceof WebhookVerificationError) this.reject(request, error.message);
      throw error;
    }
    return { rawBody, payload: this.payloadOf(request, rawBody), signed, receivedAt: new Date() };
  }

  /** The payload parsed from the verified bytes themselves, also left as `request.body`. */
  private payloadOf(request: ReceivedRequest, rawBody: Buffer): unknown {
    try {
      request.body = JSON.parse(rawBody.toString('utf8'));
      return request.body;
    } catch {
      throw new BadRequestException('body is not valid JSON');
    }
  }

  private reject(request: ReceivedRequest, reason: string): never {
    this.logger.warn(`rejected ${request.method} ${request.url}: ${reason}`);
    throw new UnauthorizedException(reason);
  }
}
