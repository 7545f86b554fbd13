import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One customer of the sender: its endpoints and messages belong to it. */
@Entity('homing_applications')
export class ApplicationEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  /** The caller's own unique key for the application. */
  @Index('IDX_homing_applications_uid', { unique: true })
  @Column({ type: 'varchar', length: 256, nullable: true })
  uid: string | null;

  @Column({ type: 'varchar', length: 256 })
  name: string;

  @Column({ type: 'json', nullable: true })
  metadata: Record<string, string> | null;

  @Column({ type: 'int', nullable: true })
  rateLimit: number | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
