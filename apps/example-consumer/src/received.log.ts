import { Injectable } from '@nestjs/common';

export interface ReceivedDelivery {
  id: string;
  type: string;
  timestamp: string;
  bytes: number;
  receivedAt: string;
}

/** The latest verified deliveries, newest last, for `GET /received`. */
@Injectable()
export class ReceivedLog {
  static readonly capacity = 100;
  private readonly deliveries: ReceivedDelivery[] = [];

  add(delivery: ReceivedDelivery): void {
    this.deliveries.push(delivery);
    if (this.deliveries.length > ReceivedLog.capacity) this.deliveries.shift();
  }

  list(): readonly ReceivedDelivery[] {
    return this.deliveries;
  }
}
