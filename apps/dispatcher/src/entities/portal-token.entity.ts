import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A consumer-portal token: reaches one application only, until it expires. Only a hash of the
 * token is kept, so the table does not hand out working tokens to whoever reads it.
 */
@Entity('homing_portal_tokens')
@Index('IDX_homing_portal_tokens_app', ['appId', 'expiresAt'])
export class PortalTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  appId: string;

  /** SHA-256 (hex) of the token. */
  @Index('IDX_homing_portal_tokens_hash', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  /** What the token may do (Svix's app-portal capabilities). */
  @Column({ type: 'json' })
  capabilities: string[];

  /** Lets "expire all" end the tokens of some sessions only. */
  @Column({ type: 'varchar', length: 256, nullable: true })
  sessionId: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;
}
