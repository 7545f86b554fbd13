import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { WebhooksModule } from '../webhooks.module.js';
import { WebhookController, WebhookHandler } from './webhook.decorators.js';

const boot = async (...controllers: Type[]) => {
  const moduleRef = await Test.createTestingModule({ imports: [WebhooksModule.forReceiver({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })], controllers }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  try {
    await app.init();
  } finally {
    await app.close();
  }
};

describe('boot checks of @WebhookController and @WebhookHandler', () => {
  it('boots with overlapping patterns, which all run', async () => {
    @WebhookController('ok')
    class Overlapping {
      @WebhookHandler('order.completed')
      exact() {}
      @WebhookHandler('order.*', '*')
      broad() {}
    }
    await expect(boot(Overlapping)).resolves.toBeUndefined();
  });

  it('refuses a malformed pattern, naming it and the method', async () => {
    @WebhookController('bad')
    class Malformed {
      @WebhookHandler('order.*.completed')
      handle() {}
    }
    await expect(boot(Malformed)).rejects.toThrow('@WebhookHandler("order.*.completed") on Malformed.handle: not an event-type pattern');
  });

  it('refuses the same pattern on two methods of one controller', async () => {
    @WebhookController('twice')
    class Twice {
      @WebhookHandler('order.completed')
      first() {}
      @WebhookHandler('order.completed')
      second() {}
    }
    await expect(boot(Twice)).rejects.toThrow("@WebhookHandler('order.completed') is on both Twice.first and Twice.second");
  });

  it('refuses two webhook controllers on one path', async () => {
    @WebhookController('/shared/')
    class First {
      @WebhookHandler('*')
      any() {}
    }
    @WebhookController('shared')
    class Second {
      @WebhookHandler('*')
      any() {}
    }
    await expect(boot(First, Second)).rejects.toThrow("@WebhookController('shared') on Second: the path is already taken by First");
  });

  it('refuses a webhook controller without handlers', async () => {
    @WebhookController('empty')
    class Empty {}
    await expect(boot(Empty)).rejects.toThrow('@WebhookController Empty has no @WebhookHandler method');
  });

  it('refuses a class that defines the route method the decorator adds', () => {
    expect(() => {
      @WebhookController('clash')
      class Clash {
        receiveWebhook() {}
      }
      return Clash;
    }).toThrow('@WebhookController on Clash: the class may not define receiveWebhook()');
  });
});

describe('forReceiver options', () => {
  it('stops at boot on a missing secret or a malformed option, naming it', () => {
    expect(() => WebhooksModule.forReceiver({ secret: [] })).toThrow('forReceiver: secret is required');
    expect(() => WebhooksModule.forReceiver({ secret: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'not a secret!'] })).toThrow(
      'forReceiver: secret #2 is not a Standard Webhooks secret',
    );
    expect(() => WebhooksModule.forReceiver({ secret: 'not a secret!', scheme: { bodyHmacHeader: 'Rye-Hmac-Signature-V1' } })).not.toThrow();
    expect(() => WebhooksModule.forReceiver({ secret: 's', eventType: 'type' as never })).toThrow('forReceiver: eventType must be');
    expect(() => WebhooksModule.forReceiver({ secret: 's', tolerance: 'soon' })).toThrow('forReceiver tolerance: "soon" is not a duration');
    expect(() => WebhooksModule.forReceiver({ secret: 's', bodyLimit: 'huge' })).toThrow('forReceiver bodyLimit: "huge" is not a size');
    expect(() => WebhooksModule.forReceiver({ secret: 's', scheme: { bodyHmacHeader: ' ' } })).toThrow('forReceiver: scheme must be');
    expect(() => WebhooksModule.forReceiver({ secret: 's', eventType: { field: '' } })).toThrow('forReceiver: eventType must be');
    expect(() => WebhooksModule.forReceiver({ secret: 's', queue: { attempts: 0 } })).toThrow('forReceiver: queue.attempts must be a positive integer');
  });
});
