import type { ApplicationEntity, MessageEntity } from '../entities/index.js';

/** The developer id an application's deliveries carry (envelope and account header): its own, else its uid, else its id. */
export function developerIdOf(application: Pick<ApplicationEntity, 'id' | 'uid' | 'developerId'>): string {
  return application.developerId ?? application.uid ?? application.id;
}

/**
 * Rye's envelope around a stored payload: `{ id, requestId, developerId, type, data, createdAt }`, with
 * `data` the payload's bytes as given. `requestId` is the one given at send time, else the message id.
 */
export function envelopeBody(message: Pick<MessageEntity, 'id' | 'requestId' | 'eventType' | 'payload' | 'createdAt'>, developerId: string): string {
  const field = (name: string, value: string) => `${JSON.stringify(name)}:${JSON.stringify(value)}`;
  return (
    `{${field('id', message.id)},${field('requestId', message.requestId ?? message.id)},${field('developerId', developerId)},` +
    `${field('type', message.eventType)},"data":${message.payload},${field('createdAt', message.createdAt.toISOString())}}`
  );
}
