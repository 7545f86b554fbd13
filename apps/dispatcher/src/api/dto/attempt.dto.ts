import { ApiProperty, ApiPropertyOptional, IntersectionType, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import type { AttemptEntity, AttemptStatus, DeliveryEntity, DeliveryStatus, EndpointMessage, MessageDestination } from '@homing/webhooks';
import { ListQuery, ListResponse, ToBoolean, ToInteger, WithContentQuery } from './common.dto.js';
import { EndpointOut } from './endpoint.dto.js';
import { MessageFilterQuery, MessageOut } from './message.dto.js';

/** Svix's numeric statuses (`MessageStatus`) and their names. */
const STATUS_CODES = { success: 0, pending: 1, failed: 2, sending: 3, canceled: 4 } as const satisfies Record<DeliveryStatus, number>;
const STATUS_TEXT = { success: 'success', pending: 'pending', failed: 'fail', sending: 'sending', canceled: 'canceled' } as const;
const STATUS_BY_CODE = new Map<number, DeliveryStatus>(Object.entries(STATUS_CODES).map(([status, code]) => [code, status as DeliveryStatus]));
const STATUS_VALUES = [0, 1, 2, 3, 4];
const STATUS: ApiPropertyOptions = { enum: STATUS_VALUES, description: '0 success, 1 pending, 2 fail, 3 sending, 4 canceled' };
const STATUS_TEXT_VALUES = ['success', 'pending', 'fail', 'sending', 'canceled'];

/** Without expanded statuses, what Svix's older clients know: "sending" reads as "pending", "canceled" as "success". */
const UNEXPANDED: Partial<Record<DeliveryStatus, DeliveryStatus>> = { sending: 'pending', canceled: 'success' };

/** The status of a delivery or attempt as Svix reports it. */
function statusOf(status: DeliveryStatus, expanded: boolean) {
  const shown = (!expanded && UNEXPANDED[status]) || status;
  return { status: STATUS_CODES[shown], statusText: STATUS_TEXT[shown] };
}

/** The delivery status a numeric `status` filter names, or null for an unknown one. */
export function deliveryStatusFilter(code: number | undefined): DeliveryStatus | undefined | null {
  return code === undefined ? undefined : (STATUS_BY_CODE.get(code) ?? null);
}

/** Attempts are only ever `success`, `failed` or `canceled`; any other status filter matches none. */
export function attemptStatusFilter(code: number | undefined): AttemptStatus | undefined | null {
  const status = deliveryStatusFilter(code);
  return status === 'success' || status === 'failed' || status === 'canceled' || status === undefined ? status : null;
}

export class MessageAttemptOut {
  @ApiProperty({ example: 'atmpt_01JD3B9R8Q2W6N3V5X7Y9Z1A2B' })
  id: string;

  @ApiProperty()
  msgId: string;

  @ApiProperty()
  endpointId: string;

  @ApiProperty()
  url: string;

  @ApiProperty({ description: 'The first 20 kB of the response (empty unless `with_content=true` in listings)' })
  response: string;

  @ApiProperty({ description: '0 when no response came' })
  responseStatusCode: number;

  @ApiProperty()
  responseDurationMs: number;

  @ApiProperty(STATUS)
  status: number;

  @ApiProperty({ enum: STATUS_TEXT_VALUES })
  statusText: string;

  @ApiProperty({ enum: [0, 1], description: '0 scheduled, 1 manual (resend, recover)' })
  triggerType: number;

  @ApiProperty()
  timestamp: Date;

  @ApiPropertyOptional({ type: () => MessageOut, nullable: true })
  msg?: MessageOut | null;

  static from(attempt: AttemptEntity, withContent: boolean, msg?: MessageOut, expanded = true): MessageAttemptOut {
    return {
      id: attempt.id,
      msgId: attempt.msgId,
      endpointId: attempt.endpointId,
      url: attempt.url,
      response: withContent ? attempt.response : '',
      responseStatusCode: attempt.responseStatusCode,
      responseDurationMs: attempt.responseDurationMs,
      ...statusOf(attempt.status, expanded),
      triggerType: attempt.trigger === 'manual' ? 1 : 0,
      timestamp: attempt.createdAt,
      ...(msg ? { msg } : {}),
    };
  }
}

export class ListResponseMessageAttemptOut extends ListResponse(MessageAttemptOut) {}

class DeliveryStatusOut {
  @ApiProperty(STATUS)
  status: number;

  @ApiProperty({ enum: STATUS_TEXT_VALUES })
  statusText: string;

  @ApiProperty({ type: Date, nullable: true, description: 'When the next attempt is due, while one is' })
  nextAttempt: Date | null;

  static of(delivery: DeliveryEntity, expanded: boolean): DeliveryStatusOut {
    return { ...statusOf(delivery.status, expanded), nextAttempt: delivery.status === 'pending' ? delivery.nextAttemptAt : null };
  }
}

export class EndpointMessageOut extends IntersectionType(MessageOut, DeliveryStatusOut) {
  static of({ message, delivery }: EndpointMessage, withContent: boolean, expanded: boolean): EndpointMessageOut {
    return { ...MessageOut.from(message, withContent), ...DeliveryStatusOut.of(delivery, expanded) };
  }
}

export class ListResponseEndpointMessageOut extends ListResponse(EndpointMessageOut) {}

export class MessageEndpointOut extends IntersectionType(EndpointOut, DeliveryStatusOut) {
  static of({ endpoint, delivery }: MessageDestination): MessageEndpointOut {
    return { ...EndpointOut.from(endpoint), ...DeliveryStatusOut.of(delivery, true) };
  }
}

export class ListResponseMessageEndpointOut extends ListResponse(MessageEndpointOut) {}

class StatusQuery {
  @ApiPropertyOptional(STATUS)
  @IsOptional()
  @ToInteger()
  @IsIn(STATUS_VALUES)
  status?: number;

  @ApiPropertyOptional({ default: true, description: 'false: report "sending" as "pending"' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  expanded_statuses?: boolean;
}

class AttemptFilterQuery extends IntersectionType(MessageFilterQuery, StatusQuery, WithContentQuery) {
  @ApiPropertyOptional({ enum: [0, 100, 200, 300, 400, 500], description: 'Class of the response status; 0: no response' })
  @IsOptional()
  @ToInteger()
  @IsIn([0, 100, 200, 300, 400, 500])
  status_code_class?: number;
}

export class AttemptListByEndpointQuery extends AttemptFilterQuery {
  @ApiPropertyOptional({ description: 'Include each attempt\'s message' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  with_msg?: boolean;
}

export class AttemptListByMessageQuery extends AttemptFilterQuery {
  @ApiPropertyOptional({ description: 'Only attempts to this endpoint (id or uid)' })
  @IsOptional()
  @IsString()
  endpoint_id?: string;
}

export class AttemptedMessagesQuery extends IntersectionType(MessageFilterQuery, StatusQuery, WithContentQuery) {}

export class AttemptedDestinationsQuery extends ListQuery {}

/** Resend's `{}` (202), as Svix answers it. */
export class EmptyResponse {}

