import { isJsonMediaType } from '../common/media-type.js';
import type { ApplicationEntity, MessageEntity } from '../entities/index.js';

/** The developer id an application's deliveries carry (envelope and account header): its own, else its uid, else its id. */
export function developerIdOf(application: Pick<ApplicationEntity, 'id' | 'uid' | 'developerId'>): string {
  return application.developerId ?? application.uid ?? application.id;
}

/**
 * Rye's envelope around a stored payload: `{ id, requestId, developerId, type, data, createdAt }`, with
 * `data` the payload's bytes as given (a payload that is not JSON as a JSON string, so the envelope stays JSON).
 * `requestId` is the one given at send time, else the message id.
 */
export function envelopeBody(message: Pick<MessageEntity, 'id' | 'requestId' | 'eventType' | 'payload' | 'contentType' | 'createdAt'>, developerId: string): string {
  const data = isJsonMediaType(message.contentType) ? message.payload : JSON.stringify(message.payload);
  const field = (name: string, value: string) => `${JSON.stringify(name)}:${JSON.stringify(value)}`;
  return (
    `{${field('id', message.id)},${field('requestId', message.requestId ?? message.id)},${field('developerId', developerId)},` +
    `${field('type', message.eventType)},"data":${data},${field('createdAt', message.createdAt.toISOString())}}`
  );
}
