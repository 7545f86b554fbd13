/** The example consumer's environment. */
export interface ConsumerConfig {
  port: number;
  /** One secret, or several comma-separated during a rotation. */
  secrets: string[];
  /** When set, seen message ids live in Redis (shared by several consumers) instead of memory. */
  redisUrl?: string;
}

export function readConsumerConfig(env: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  const port = Number(env.PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT: "${env.PORT}" is not a port number`);
  const secrets = (env.WEBHOOK_SECRET ?? '').split(',').map((secret) => secret.trim()).filter(Boolean);
  if (secrets.length === 0) throw new Error('WEBHOOK_SECRET: required, the key getSecret shows for the endpoint (whsec_… or whpk_…), comma-separated during a rotation');
  return { port, secrets, redisUrl: env.REDIS_URL || undefined };
}
