import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An entry of the event-type catalogue, with its JSON schema and example payloads. */
@Entity('homing_event_types')
export class EventTypeEntity {
  @PrimaryColumn({ type: 'varchar', length: 256 })
  name: string;

  @Column({ type: 'text' })
  description: string;

  /** JSON schemas by version, as Svix keeps them: `{ "1": { ..., examples: [...] } }`. */
  @Column({ type: 'json', nullable: true })
  schemas: Record<string, any> | null;

  @Column({ type: 'boolean', default: false })
  archived: boolean;

  @Column({ type: 'boolean', default: false })
  deprecated: boolean;

  @Column({ type: 'varchar', length: 256, nullable: true })
  featureFlag: string | null;

  @Column({ type: 'json', nullable: true })
  featureFlags: string[] | null;

  /** Groups related types in a portal's catalogue. */
  @Column({ type: 'varchar', length: 256, nullable: true })
  groupName: string | null;

  /** Delays in ms between attempts of this type's messages, replacing the dispatcher's `retrySchedule`; null: that one. */
  @Column({ type: 'json', nullable: true })
  retrySchedule: number[] | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
